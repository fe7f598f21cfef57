/**
 * Calling koto-hub as a municipal system: HTTPS with your client certificate (mutual TLS), trusting
 * only the hub's CA. Node's own `https`, because `fetch` takes no client certificate without the
 * undici package. Nothing here is the hub's code: only your certificate, its key, the hub's CA and
 * the hub's address.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

export interface HubConnection {
  /** The hub's address, e.g. `https://127.0.0.1:8911` (the door `npm start` prints). */
  readonly hubUrl: string;
  /** PEM files: your client certificate, its private key, and the CA that issued the hub's certificate. */
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface HubAnswer {
  readonly status: number;
  /** The JSON the hub answered; every refusal has `error` (and `message`, or `rule`) naming why. */
  readonly body: Record<string, unknown>;
}

/** One envelope of the hub (docs: README "For integrators: the contracts"). */
export interface Envelope {
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly type: string;
  readonly source?: string;
  readonly target: string;
  readonly municipality: string;
  readonly occurredAt: string;
  readonly payload: Record<string, unknown>;
}

export interface InboxPage {
  readonly municipality: string;
  readonly messages: { readonly cursor: string; readonly message: Envelope }[];
  /** Where the next read starts, and what to acknowledge once these messages are stored. */
  readonly next: string;
  /** More may follow: read again from `next` at once. */
  readonly more: boolean;
  readonly acknowledged: string;
}

export interface HubClient {
  /** POST /envelopes: one envelope or up to ten; 202 with the accepted ids. */
  post(envelopes: Envelope | readonly Envelope[]): Promise<HubAnswer>;
  /** GET /inbox/{municipality}/messages: after `after`, or from your acknowledged cursor when it is left out. */
  pull(municipality: string, after?: string, limit?: number): Promise<InboxPage>;
  /** POST /inbox/{municipality}/ack: everything up to `cursor` is stored on your side. */
  ack(municipality: string, cursor: string): Promise<HubAnswer>;
  close(): void;
}

export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`the hub answered ${status}: ${String(body.error ?? 'no reason')}${body.rule ? ` (${String(body.rule)})` : ''}`);
  }
}

export const connectToHub = (connection: HubConnection): HubClient => {
  // One agent with your certificate: connections are kept open and reused between calls.
  const agent = new Agent({
    cert: readFileSync(connection.cert),
    key: readFileSync(connection.key),
    ca: readFileSync(connection.ca),
    keepAlive: true,
    maxSockets: 4,
  });
  const call = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<HubAnswer> =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, connection.hubUrl),
        { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
            } catch {
              reject(new Error(`the hub answered ${res.statusCode} with a body that is not JSON`));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  return {
    post: (envelopes) => call('POST', '/envelopes', envelopes),
    async pull(municipality, after, limit = 50) {
      const query = new URLSearchParams({ limit: String(limit), ...(after === undefined ? {} : { after }) });
      const answer = await call('GET', `/inbox/${encodeURIComponent(municipality)}/messages?${query}`);
      if (answer.status !== 200) throw new HubError(answer.status, answer.body);
      return answer.body as unknown as InboxPage;
    },
    ack: (municipality, cursor) => call('POST', `/inbox/${encodeURIComponent(municipality)}/ack`, { cursor }),
    close: () => agent.destroy(),
  };
};
