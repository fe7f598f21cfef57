/** The inbox as a municipal client sees it, through the embedded runtime's test seam (infra/local/inbox-test-seam.ts). */
import { writeFileSync } from 'node:fs';
import type { Envelope } from '#contracts/envelope';
import type { InboxCaller } from '#functions/inbox/caller';
import { TEST_CLIENT_HEADER } from '#infra/local/inbox-test-seam';
import type { Runtime } from '#infra/local/runtime';
import type { TestHub } from './hub.ts';

/** Registers the clients the inbox knows (replacing any before). */
export const registerClients = (hub: Runtime, clients: readonly InboxCaller[]): void =>
  writeFileSync(hub.dataDir.inboxClientsFile, JSON.stringify(clients), { mode: 0o600 });

const base = (hub: Runtime) => hub.statusUrl.replace(/\/status$/, '');

export const asClient = (hub: Runtime, clientId: string, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${base(hub)}${path}`, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), [TEST_CLIENT_HEADER]: clientId, ...init.headers } });

export interface InboxPage {
  readonly messages: { readonly cursor: string; readonly message: Envelope }[];
  readonly next: string;
  readonly more: boolean;
  readonly acknowledged: string;
}

export const pull = async (hub: Runtime, clientId: string, municipality: string, query = ''): Promise<InboxPage> => {
  const response = await asClient(hub, clientId, `/inbox/${municipality}/messages${query}`);
  if (response.status !== 200) throw new Error(`pull answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as InboxPage;
};

/** Every message of the inbox from the start, page by page. */
export const pullAll = async (hub: Runtime, clientId: string, municipality: string, limit = 100): Promise<InboxPage['messages']> => {
  const all: InboxPage['messages'][number][] = [];
  let after = '0';
  for (;;) {
    const page = await pull(hub, clientId, municipality, `?after=${after}&limit=${limit}`);
    all.push(...page.messages);
    if (!page.more) return all;
    after = page.next;
  }
};

/** The messages of a municipality's inbox in cursor order, read from its table (no client, no seam). */
export const inboxEnvelopes = async (hub: TestHub, municipality: string): Promise<Envelope[]> =>
  (await hub.scan('inbox'))
    .filter((item) => item.pk === municipality && String(item.sk).startsWith('C#'))
    .sort((a, b) => (a.seq as number) - (b.seq as number))
    .map((item) => JSON.parse(item.envelope as string) as Envelope);
