/** The inbox as a municipal client sees it: through the door, over mutual TLS, with the client's own certificate. */
import type { Envelope } from '#contracts/envelope';
import type { InboxCaller } from '#functions/inbox/caller';
import { callDoor } from '#infra/local/door-client';
import { addClient } from '#infra/local/local-clients';
import type { Runtime } from '#infra/local/runtime';
import type { TestHub } from './hub.ts';

const registeredBy = new WeakMap<Runtime, Set<string>>();

/**
 * Registers clients of the inbox in the door's registry, each with a certificate of the local CA,
 * and revokes the ones an earlier call registered that are not named again.
 */
export const registerClients = async (hub: Runtime, clients: readonly InboxCaller[]): Promise<void> => {
  const earlier = registeredBy.get(hub) ?? new Set<string>();
  for (const clientId of earlier) if (!clients.some((c) => c.clientId === clientId)) await hub.clients.revoke(clientId, new Date());
  for (const client of clients) {
    if (await hub.clients.get(client.clientId)) continue;
    await addClient(hub.clients, hub.pki, {
      clientId: client.clientId,
      name: `${client.clientId} (test client)`,
      system: client.municipalities.length === 1 ? `municipality:${client.municipalities[0]}` : `authority:${client.clientId}`,
      municipalities: [...client.municipalities],
      sends: [],
      receives: [...client.receives],
      ...(client.webhook ? { webhookUrl: client.webhook.url } : {}),
    });
    earlier.add(client.clientId);
  }
  registeredBy.set(hub, earlier);
};

/** A request to the door as `clientId` (with no certificate at all when the registry does not know it), as a fetch Response. */
export const asClient = async (hub: Runtime, clientId: string, path: string, init: { method?: string; body?: string } = {}): Promise<Response> => {
  const known = await hub.clients.get(clientId);
  const answer = await callDoor(`${hub.doorUrl}${path}`, known ? hub.credentials(clientId) : { ca: hub.pki.caCert }, { method: init.method ?? 'GET', body: init.body });
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return new Response(answer.status === 204 ? null : answer.text, { status: answer.status, headers });
};

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
