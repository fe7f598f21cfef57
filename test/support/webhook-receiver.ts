/**
 * A municipal system's webhook endpoint for tests, on 127.0.0.1: verifies every delivery with the
 * `standardwebhooks` library as a receiver should, refuses an id it has already taken (a replay),
 * and can be "down" (answering 503) or not listening at all. Stopped by the test that started it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  /** Deliveries that verified, in order; each id once. */
  readonly verified: { readonly id: string; readonly payload: { type: string; data: { cursor: string; message: { messageId: string; correlationId: string; municipality: string } } } }[];
  /** Every request as received, for replaying and altering. */
  readonly received: Delivery[];
  /** Why each refused request was refused. */
  readonly refused: string[];
  /** While true the receiver answers 503 without looking. */
  down: boolean;
  /** Takes an id as already received, as if an earlier delivery of it had been handled. */
  hold(id: string): void;
  close(): Promise<void>;
}

export const startReceiver = async (secret: string, port = 0): Promise<Receiver> => {
  const webhook = new Webhook(secret);
  const seen = new Set<string>();
  const receiver: Omit<Receiver, 'url' | 'port' | 'close'> = { verified: [], received: [], refused: [], down: false, hold: (id) => void seen.add(id) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      receiver.received.push({ headers, body });
      if (receiver.down) return res.writeHead(503).end();
      let payload: Receiver['verified'][number]['payload'];
      try {
        payload = webhook.verify(body, headers) as typeof payload;
      } catch (error) {
        receiver.refused.push((error as Error).message);
        return res.writeHead(400).end();
      }
      const id = headers['webhook-id']!;
      if (seen.has(id)) {
        receiver.refused.push('replayed id');
        return res.writeHead(409).end();
      }
      seen.add(id);
      receiver.verified.push({ id, payload });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${bound}/hooks/koto`,
    port: bound,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }) as Receiver;
};

/** A loopback port nothing listens on (bound once, then released). */
export const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** Posts a delivery as captured, to replay it. */
export const replay = (url: string, delivery: Delivery, change: { body?: string; headers?: Record<string, string> } = {}): Promise<number> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...pick(delivery.headers), ...change.headers },
    body: change.body ?? delivery.body,
  }).then((r) => r.status);

const pick = (headers: Record<string, string>) => ({
  'webhook-id': headers['webhook-id']!,
  'webhook-timestamp': headers['webhook-timestamp']!,
  'webhook-signature': headers['webhook-signature']!,
});
