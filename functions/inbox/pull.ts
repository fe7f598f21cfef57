/**
 * The inbox's HTTP surface, independent of the server in front of it (the embedded runtime's
 * loopback server, a Lambda behind the door): a caller the door has authenticated, a request, an
 * answer. Routes:
 *
 *   GET  /inbox/{municipality}/messages?after={cursor}&limit={n}   messages after a cursor
 *   POST /inbox/{municipality}/ack   {"cursor": "…"}               "I have everything up to here"
 *   GET  /inbox/{municipality}/lists/{runId}.json | .csv           a delivered target list
 *
 * An acknowledgement moves the client's own cursor; it deletes nothing, since several clients may
 * act for one municipality and each reads at its own pace. Messages leave by TTL
 * (functions/inbox/store.ts). Without `after` a read starts from the acknowledged cursor.
 */
import type { Readable } from 'node:stream';
import { mayReceive, refuseMunicipality, type InboxCaller, type Refusal } from '#functions/inbox/caller';
import { formatCursor, pageFor, parseCursor } from '#functions/inbox/cursor';
import type { InboxStore } from '#functions/inbox/store';
import type { ListReader } from '#functions/inbox/target-lists';
import { forbiddenKeyMessage, parseJsonBody } from '#lib/door/json-body';

export interface InboxRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The request body as text (POST). */
  readonly body?: string;
}

export type InboxAnswer =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: 200; readonly stream: Readable; readonly contentType: string };

export interface InboxDeps {
  readonly store: InboxStore;
  readonly lists: ListReader;
  readonly now: () => number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

const refused = (refusal: Refusal): InboxAnswer => ({ status: refusal.status, json: { error: refusal.error, message: refusal.message } });
const bad = (error: string, message: string): InboxAnswer => ({ status: 400, json: { error, message } });

const parseLimit = (text: string | null): number | Refusal => {
  if (text === null || text === '') return DEFAULT_LIMIT;
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= MAX_LIMIT ? n : { status: 400, error: 'limit', message: `limit must be a whole number from 1 to ${MAX_LIMIT}` };
};

export const pullMessages = async (caller: InboxCaller, municipality: string, query: URLSearchParams, deps: InboxDeps): Promise<InboxAnswer> => {
  const refusal = refuseMunicipality(caller, municipality);
  if (refusal) return refused(refusal);
  const limit = parseLimit(query.get('limit'));
  if (typeof limit !== 'number') return refused(limit);
  const acknowledged = await deps.store.acknowledged(municipality, caller.clientId);
  const after = query.has('after') ? parseCursor(query.get('after') ?? '') : acknowledged;
  if (typeof after !== 'number') return bad('after', after.error);
  const entries = await deps.store.after(municipality, after, limit);
  const page = pageFor(entries, { after, limit, now: deps.now(), receives: (type) => mayReceive(caller, type) });
  return {
    status: 200,
    json: {
      municipality,
      messages: page.messages.map((e) => ({ cursor: formatCursor(e.seq), message: e.envelope })),
      next: formatCursor(page.next),
      // Entries may follow: read again from `next` (a page can hold fewer than `limit` messages).
      more: entries.length === limit && page.next > after,
      acknowledged: formatCursor(acknowledged),
    },
  };
};

export const acknowledge = async (caller: InboxCaller, municipality: string, body: string | undefined, deps: InboxDeps): Promise<InboxAnswer> => {
  const refusal = refuseMunicipality(caller, municipality);
  if (refusal) return refused(refusal);
  const json = parseJsonBody(body ?? '');
  if (!json.ok) return bad('body', json.error === 'not-json' ? 'the body must be JSON: {"cursor": "<cursor>"}' : forbiddenKeyMessage(json));
  const parsed = json.value;
  const text = (parsed as { cursor?: unknown } | null)?.cursor;
  if (typeof text !== 'string') return bad('cursor', 'cursor must be a string the hub gave');
  const cursor = parseCursor(text, 'cursor');
  if (typeof cursor !== 'number') return bad('cursor', cursor.error);
  if (cursor > (await deps.store.last(municipality))) return bad('cursor', 'cursor is beyond the last message of the inbox');
  const acknowledged = await deps.store.acknowledge(municipality, caller.clientId, cursor);
  return { status: 200, json: { municipality, acknowledged: formatCursor(acknowledged) } };
};

const LIST_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(json|csv)$/;

export const fetchTargetList = async (caller: InboxCaller, municipality: string, file: string, deps: InboxDeps): Promise<InboxAnswer> => {
  const refusal = refuseMunicipality(caller, municipality);
  if (refusal) return refused(refusal);
  if (!mayReceive(caller, 'outreach.list.ready.v1')) {
    return { status: 403, json: { error: 'receives-lists', message: `client ${caller.clientId} does not receive outreach.list.ready.v1, so it gets no target list` } };
  }
  const match = LIST_FILE.exec(file);
  if (!match) return bad('list', 'the list is named <run id>.json or <run id>.csv, the run id being the correlation id of its outreach.list.ready.v1');
  // The key is built from the municipality the caller was allowed, never taken from the request whole.
  const document = await deps.lists(`${municipality}/${match[1]}.${match[2]}`);
  if (!document) return { status: 404, json: { error: 'no-list', message: `municipality ${municipality} has no target list of run ${match[1]}` } };
  return { status: 200, stream: document.body, contentType: document.contentType };
};

const ROUTE = /^\/inbox\/([^/]+)\/(messages|ack|lists\/([^/]+))$/;

/** Dispatches one request of an authenticated caller. */
export const handleInboxRequest = (caller: InboxCaller, request: InboxRequest, deps: InboxDeps): Promise<InboxAnswer> => {
  const match = ROUTE.exec(request.path);
  if (!match) return Promise.resolve({ status: 404, json: { error: 'not-found', message: 'GET /inbox/{municipality}/messages, POST /inbox/{municipality}/ack, GET /inbox/{municipality}/lists/{runId}.json' } });
  const [, municipality = '', what, file] = match;
  const expected = what === 'ack' ? 'POST' : 'GET';
  if (request.method !== expected) return Promise.resolve({ status: 405, json: { error: 'method', message: `${what === 'ack' ? 'acknowledge with POST' : 'read with GET'}` } });
  if (what === 'messages') return pullMessages(caller, municipality, request.query, deps);
  if (what === 'ack') return acknowledge(caller, municipality, request.body, deps);
  return fetchTargetList(caller, municipality, file ?? '', deps);
};
