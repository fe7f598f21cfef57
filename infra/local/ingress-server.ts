/** The ingress HTTP endpoint of the embedded runtime: the same `acceptEnvelopes` the AWS function URL calls. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptEnvelopes } from '#functions/ingress/accept';
import { MAX_INLINE_ENVELOPE_BYTES } from '#contracts/envelope';
import { closeServer, listen, LOOPBACK } from '#infra/local/net';

export interface HttpRoutes {
  /** Extra GET routes by path (status, later the ops page). */
  readonly get: Readonly<Record<string, () => Promise<{ status: number; type: string; body: string }>>>;
}

const readBody = (req: IncomingMessage, limit: number): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit + 1) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export interface IngressServer {
  readonly url: string;
  close(): Promise<void>;
}

export const startIngressServer = async (routes: HttpRoutes, port = 0): Promise<IngressServer> => {
  const server: Server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'POST' && path === '/envelopes') {
        const body = await readBody(req, MAX_INLINE_ENVELOPE_BYTES);
        if (body === undefined) return json(res, 413, { error: 'too-large', message: `the request is over ${MAX_INLINE_ENVELOPE_BYTES} bytes` });
        const { status, body: response } = await acceptEnvelopes(body);
        return json(res, status, response);
      }
      const route = req.method === 'GET' ? routes.get[path] : undefined;
      if (route) {
        const { status, type, body } = await route();
        res.writeHead(status, { 'content-type': type });
        return res.end(body);
      }
      return json(res, 404, { error: 'not-found', message: 'POST /envelopes, or GET /status' });
    } catch {
      return json(res, 500, { error: 'internal', message: 'the hub failed to handle the request; see its log' });
    }
  });
  await listen(server, port);
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://${LOOPBACK}:${bound}`, close: () => closeServer(server) };
};
