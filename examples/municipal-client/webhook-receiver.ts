/**
 * Your webhook endpoint: koto-hub POSTs each message of your inbox here, signed as the Standard
 * Webhooks specification says (https://www.standardwebhooks.com). Every delivery is verified with
 * the `standardwebhooks` library and your client's secret (`whsec_…`) before anything else:
 *
 * - a bad or missing signature, or a body changed on the way, fails verification → 400;
 * - a timestamp more than five minutes from your clock fails it too (the library's tolerance) → 400;
 * - an id already stored within that window is a replay of a captured delivery → 409;
 * - an id still being handled (the hub gave up waiting and tried again, or SQS sent it twice) → 503,
 *   so the hub tries again later: a 409 now would tell it the message is stored before it is.
 *
 * Answer 2xx only once the message is stored: anything else makes the hub try again with backoff.
 * The same message is in your inbox too (same `messageId`), so a push you missed is never lost.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Envelope } from './hub-client.ts';

/** What the hub pushes: the inbox message and its cursor. */
export interface WebhookPayload {
  readonly type: string;
  readonly timestamp: string;
  readonly data: { readonly cursor: string; readonly message: Envelope };
}

/** A delivery as it arrived: the raw body and the Standard Webhooks headers. */
export interface Delivery {
  readonly id: string;
  readonly body: string;
  readonly headers: { readonly 'webhook-id': string; readonly 'webhook-timestamp': string; readonly 'webhook-signature': string };
}

export interface ReceiverOptions {
  /** Your client's signing secret, `whsec_…` (the file `koto-hub clients add --webhook` wrote). */
  readonly secret: string;
  /** Called once per verified delivery; throw to make the hub try again later. */
  readonly onMessage: (payload: WebhookPayload, delivery: Delivery) => Promise<void> | void;
  /** Called for each refused request, with why (never with the body). */
  readonly onRefused?: (status: number, reason: string) => void;
  readonly port?: number;
  readonly host?: string;
  /** Epoch milliseconds; the signature's timestamp is checked by the library against the system clock. */
  readonly now?: () => number;
}

export interface WebhookReceiver {
  readonly url: string;
  close(): Promise<void>;
}

/** Deliveries are small (one message): anything larger is not the hub's. */
const MAX_BODY_BYTES = 1_000_000;

/**
 * How long an id is remembered: the library refuses a timestamp more than five minutes off, so a
 * replay older than that fails verification and needs no memory of its id.
 */
const REMEMBER_MS = 10 * 60_000;

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

export const startWebhookReceiver = async (options: ReceiverOptions): Promise<WebhookReceiver> => {
  const webhook = new Webhook(options.secret);
  const now = options.now ?? Date.now;
  const taken = new Map<string, number>();
  const handling = new Set<string>();

  const refuse = (res: ServerResponse, status: number, error: string) => {
    options.onRefused?.(status, error);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
  };

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      req.resume();
      return refuse(res, 405, 'post-only');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', async () => {
      if (size > MAX_BODY_BYTES) return refuse(res, 413, 'too-large');
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': header(req.headers, 'webhook-id'),
        'webhook-timestamp': header(req.headers, 'webhook-timestamp'),
        'webhook-signature': header(req.headers, 'webhook-signature'),
      };
      let payload: WebhookPayload;
      try {
        // Verify the raw body exactly as it arrived: parsing and re-serialising would change it.
        payload = webhook.verify(body, headers) as WebhookPayload;
      } catch {
        return refuse(res, 400, 'bad-signature');
      }
      for (const [id, at] of taken) if (at < now() - REMEMBER_MS) taken.delete(id);
      const id = headers['webhook-id'];
      if (taken.has(id)) return refuse(res, 409, 'replayed');
      // Not handled twice at once, and not called stored until it is.
      if (handling.has(id)) return refuse(res, 503, 'in-progress');
      handling.add(id);
      try {
        await options.onMessage(payload, { id, body, headers });
      } catch {
        // Not stored: the hub tries again later with the same id.
        res.writeHead(503).end();
        return;
      } finally {
        handling.delete(id);
      }
      taken.set(id, now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/webhook`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
};
