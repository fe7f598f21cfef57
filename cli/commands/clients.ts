/**
 * `koto-hub clients add|list|show|revoke`: the client registry of the embedded runtime's data
 * folder (the running hub's tables, or the stored ones). `add` issues the client a certificate from
 * the local CA into the data folder's `tls/clients/`, or registers one the client brought
 * (`--certificate`), and with `--webhook` its signing secret into `webhook-secrets/`; `revoke`
 * holds from the door's next request.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { clientIdSchema, clientRecordSchema, type ClientRecord } from '#contracts/clients';
import { ClientRegistry } from '#lib/door/client-registry';
import { createWebhookSecret } from '#functions/inbox/clients';
import { dataDirPaths, defaultDataDir } from '#infra/local/data-dir';
import { addClient, clientCredentials, DEFAULT_RATE_PER_MINUTE, registerClient } from '#infra/local/local-clients';
import { broughtCertificate } from '#cli/client-certificate';
import { ensurePki } from '#infra/local/pki';
import { connectToHub, UsageError } from '#cli/connection';
import { integerOption, noMorePositionals, parseCommandArgs } from '#cli/args';

export const CLIENTS_HELP = `koto-hub clients add <id> --name NAME --system SYSTEM --municipalities 905[,091…]
                      --sends TYPE[,TYPE…] [--receives TYPE[,TYPE…]] [--rate N] [--webhook URL]
                      [--certificate FILE]
koto-hub clients list [--json]
koto-hub clients show <id>
koto-hub clients revoke <id>

The systems that may call the hub, each known by the TLS client certificate it presents.

add      registers a client and issues its certificate from the hub's local CA into the data
         folder (tls/clients/<id>.crt and .key; give them to the client's system with the CA,
         tls/ca.crt). SYSTEM is the envelope source the hub stamps on what it sends:
         municipality:<code> (one municipality's own system), authority:<name> or
         wellbeing:<county>. --rate is requests a minute (default ${DEFAULT_RATE_PER_MINUTE}).
         With --certificate FILE it issues nothing and registers the PEM certificate the
         client's system brought (its own CA's, as in AWS, where the door trusts the CAs of
         its truststore): not a CA, valid now, usable for TLS client authentication.
         With --webhook it also creates the client's webhook signing secret (whsec_…) into
         webhook-secrets/<id>.secret and prints where it is, never the secret itself: hand
         the file to the client's system with its certificate. The hub signs every push with it.
list     every client: id, status, system, municipalities, what it may send.
show     one client's whole record, and whether its webhook signing secret exists.
revoke   refuses the client at the door from its next request on (401 client-revoked).

Exit codes: 0 done; 1 no such client; 2 bad arguments or no hub data.
Reads KOTO_DATA_DIR (default .koto-hub): the running hub's tables, or the stored ones.`;

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

const summary = (client: ClientRecord): string =>
  [client.clientId.padEnd(20), client.status.padEnd(8), client.system.padEnd(30), client.municipalities.join(',').padEnd(12), client.sends.join(',')].join(' ');

const withRegistry = async <T>(work: (registry: ClientRegistry) => Promise<T>): Promise<T> => {
  const connection = await connectToHub();
  try {
    return await work(new ClientRegistry());
  } finally {
    await connection.close();
  }
};

/**
 * Where the embedded runtime keeps a client's webhook signing secret (what the hub signs its pushes
 * with). In AWS it is the Secrets Manager secret `koto-hub/webhook/<id>`, which the operator creates.
 */
const webhookSecretFile = (clientId: string): string => join(dataDirPaths(defaultDataDir()).webhookSecrets, `${clientId}.secret`);

/** A client's record as `show` prints it: the record, and for a webhook whether its signing secret is there. */
const shown = (record: ClientRecord): Record<string, unknown> => {
  if (!record.webhookUrl) return record;
  const file = webhookSecretFile(record.clientId);
  return { ...record, webhookSigningSecret: { file, exists: existsSync(file) } };
};

const add = async (args: readonly string[], out: (line: string) => void): Promise<number> => {
  const { positionals, options } = parseCommandArgs(args, {
    name: { type: 'string' },
    system: { type: 'string' },
    municipalities: { type: 'string' },
    sends: { type: 'string' },
    receives: { type: 'string' },
    rate: { type: 'string' },
    webhook: { type: 'string' },
    certificate: { type: 'string' },
  });
  noMorePositionals(positionals, 1);
  const clientId = positionals[0];
  if (!clientId || !clientIdSchema.safeParse(clientId).success) throw new UsageError('clients add needs an id: 2 to 63 lower-case letters, digits or dashes');
  const client = {
    clientId,
    name: options.name ?? '',
    system: options.system ?? '',
    municipalities: list(options.municipalities),
    sends: list(options.sends),
    receives: list(options.receives),
    ratePerMinute: integerOption(options.rate, 'rate', DEFAULT_RATE_PER_MINUTE, 1, 60_000),
    ...(options.webhook ? { webhookUrl: options.webhook } : {}),
  };
  // The whole record is checked before a certificate is made: a refused client leaves no files.
  const check = clientRecordSchema.safeParse({
    ...client,
    authentication: { certificateSha256: '0'.repeat(64) },
    status: 'active',
    createdAt: new Date().toISOString(),
  });
  if (!check.success) {
    const option = (path: PropertyKey[]) => ({ ratePerMinute: 'rate', webhookUrl: 'webhook' })[String(path[0])] ?? String(path[0]);
    throw new UsageError(check.error.issues.map((issue) => `--${option(issue.path)}: ${issue.message}`).join('; '));
  }
  const dir = dataDirPaths(defaultDataDir());
  const pki = await ensurePki(dir.root);
  const brought = options.certificate ? broughtCertificate(options.certificate, new Date(), readFileSync(pki.caCert, 'utf8')) : undefined;
  return withRegistry(async (registry) => {
    if (await registry.get(clientId)) throw new UsageError(`client ${clientId} exists already (revoke it, or choose another id)`);
    // One certificate, one client: two holders would make the door take neither.
    const holder = brought && (await registry.list()).find((c) => c.authentication.certificateSha256 === brought.certificateSha256);
    if (holder) throw new UsageError(`--certificate: client ${holder.clientId} holds this certificate already`);
    // The secret before the record: from the moment the registry names a webhook the hub may push,
    // and a push without a secret would fail. A record that could not be added takes its secret with it.
    const secretFile = client.webhookUrl ? webhookSecretFile(clientId) : undefined;
    if (client.webhookUrl) createWebhookSecret(dir.webhookSecrets, clientId);
    const adding = brought
      ? registerClient(registry, client, { certificateSha256: brought.certificateSha256, subject: brought.subject })
      : addClient(registry, pki, client);
    const record = await adding.catch((error: unknown) => {
      if (secretFile) rmSync(secretFile, { force: true });
      throw error;
    });
    out(`client ${record.clientId} added: ${record.system} for ${record.municipalities.join(', ')}`);
    if (brought) {
      out(`  certificate  ${options.certificate} (brought: ${brought.subject})`);
      if (!brought.signedByLocalCa) out(`  note: not signed by this hub's local CA (${pki.caCert}): the embedded runtime's door refuses it (certificate-not-trusted); in AWS it must chain to a CA of DoorTruststoreUri`);
    } else {
      const files = clientCredentials(pki, clientId);
      out(`  certificate  ${files.cert}`);
      out(`  key          ${files.key}`);
      out(`  hub CA       ${files.ca}`);
    }
    out(`  SHA-256      ${record.authentication.certificateSha256}`);
    if (secretFile) {
      out(`  webhook      ${record.webhookUrl}`);
      out(`  signing secret  ${secretFile}`);
      out('  (the secret is not printed: give the file to the client\'s system, owner-readable only, with its certificate)');
    }
    return 0;
  });
};

export const clientsCommand = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  const [verb, ...rest] = args;
  if (!verb || verb === '--help' || verb === '-h') return (out(CLIENTS_HELP), 0);
  if (verb === 'add') return add(rest, out);
  const { positionals, options, help } = parseCommandArgs(rest, { json: { type: 'boolean' } });
  if (help) return (out(CLIENTS_HELP), 0);
  if (verb === 'list') {
    noMorePositionals(positionals, 0);
    const clients = await withRegistry((registry) => registry.list());
    if (options.json) out(JSON.stringify(clients, null, 2));
    else if (clients.length === 0) out('no clients');
    else for (const client of clients) out(summary(client));
    return 0;
  }
  if (verb === 'show' || verb === 'revoke') {
    noMorePositionals(positionals, 1);
    const clientId = positionals[0];
    if (!clientId || !clientIdSchema.safeParse(clientId).success) throw new UsageError(`clients ${verb} needs a client id`);
    const record = await withRegistry((registry) => (verb === 'show' ? registry.get(clientId) : registry.revoke(clientId, new Date())));
    if (!record) return (err(`koto-hub clients: no client ${clientId}`), 1);
    if (verb === 'show') out(JSON.stringify(shown(record), null, 2));
    else out(`client ${clientId} revoked at ${record.revokedAt}: the door refuses it from its next request`);
    return 0;
  }
  throw new UsageError(`unknown clients command ${verb.replace(/[^a-z-]/g, '')} (add, list, show, revoke)`);
};
