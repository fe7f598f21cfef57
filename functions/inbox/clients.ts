/**
 * The clients the inbox pushes to, and their webhook signing secrets.
 *
 * The clients are the door's registry (the `clients` table, functions/lib/door/client-registry.ts):
 * an active client's municipalities, the types it receives and its webhook.
 *
 * A signing secret is `whsec_` and base64 of 32 random bytes (Standard Webhooks "Signature scheme").
 * Locally one owner-only file per client, `<KOTO_WEBHOOK_SECRETS_DIR>/<clientId>.secret`; in AWS a
 * Secrets Manager secret `<KOTO_WEBHOOK_SECRET_PREFIX><clientId>`, read through the Parameters and
 * Secrets Lambda extension (functions/lib/extension-secret.ts), so no SDK client is bundled.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEBHOOK_SECRET_PREFIX_ENV, WEBHOOK_SECRETS_DIR_ENV } from '#infra/topology';
import type { ClientRecord } from '#contracts/clients';
import { ClientRegistry } from '#lib/door/client-registry';
import type { InboxCaller } from '#functions/inbox/caller';
import { extensionSecretReader } from '#lib/extension-secret';

export interface ClientDirectory {
  client(clientId: string): Promise<InboxCaller | undefined>;
  all(): Promise<readonly InboxCaller[]>;
}

/** The inbox's view of a registered client. */
export const inboxCallerOf = (record: ClientRecord): InboxCaller => ({
  clientId: record.clientId,
  municipalities: record.municipalities,
  receives: record.receives,
  ...(record.webhookUrl ? { webhook: { url: record.webhookUrl } } : {}),
});

/** Read on every call: a client added or revoked counts from the next message. */
export const registryClientDirectory = (registry: Pick<ClientRegistry, 'get' | 'list'> = new ClientRegistry()): ClientDirectory => ({
  all: async () => (await registry.list()).filter((record) => record.status === 'active').map(inboxCallerOf),
  client: async (clientId) => {
    const record = await registry.get(clientId);
    return record?.status === 'active' ? inboxCallerOf(record) : undefined;
  },
});

/** A client's webhook signing secret. */
export type WebhookSecrets = (clientId: string) => Promise<string>;

const SAFE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A new signing secret for a client, written owner-only into `dir` (what `koto-hub clients add` will do). */
export const createWebhookSecret = (dir: string, clientId: string): string => {
  if (!SAFE_ID.test(clientId)) throw new Error('clientId: must be lower-case letters, digits, ".", "_", "-"');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  writeFileSync(join(dir, `${clientId}.secret`), `${secret}\n`, { mode: 0o600 });
  return secret;
};

const folderSecrets =
  (dir: string): WebhookSecrets =>
  async (clientId) => {
    if (!SAFE_ID.test(clientId)) throw new Error('configuration: a webhook client id is not a client id');
    const file = join(dir, `${clientId}.secret`);
    if (!existsSync(file)) throw new Error(`configuration: client ${clientId} has no webhook signing secret in ${WEBHOOK_SECRETS_DIR_ENV}`);
    return readFileSync(file, 'utf8').trim();
  };

/** A client's secret through the Parameters and Secrets extension; the client id is checked first, as it names the secret. */
const extensionSecrets =
  (prefix: string, env: NodeJS.ProcessEnv): WebhookSecrets =>
  async (clientId) => {
    if (!SAFE_ID.test(clientId)) throw new Error('configuration: a webhook client id is not a client id');
    return extensionSecretReader(`the webhook secret of client ${clientId}`, env)(`${prefix}${clientId}`);
  };

export const webhookSecretsFromEnv = (env: NodeJS.ProcessEnv = process.env): WebhookSecrets => {
  const dir = env[WEBHOOK_SECRETS_DIR_ENV];
  if (dir) return folderSecrets(dir);
  const prefix = env[WEBHOOK_SECRET_PREFIX_ENV];
  if (prefix) return extensionSecrets(prefix, env);
  throw new Error(`configuration: neither ${WEBHOOK_SECRETS_DIR_ENV} nor ${WEBHOOK_SECRET_PREFIX_ENV} is set`);
};
