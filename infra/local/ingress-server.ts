/**
 * The operator's plain-HTTP port of the embedded runtime: `GET /status`, the ops page and its API,
 * on loopback behind the browser guard. Envelopes go to the door (door-server.ts), over mutual TLS.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { MAX_INLINE_ENVELOPE_BYTES } from '#contracts/envelope';
import { closeServer, json, listen, LOOPBACK, readBody } from '#infra/local/net';
import { refuseCrossSite } from '#infra/local/browser-guard';

export interface HttpResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A GET route; `params` holds the path's `:name` segments, decoded. */
export type GetRoute = (params: Readonly<Record<string, string>>) => Promise<HttpResponse>;

/** A request as a prefix route sees it: any method, its headers, query and (for POST) body. */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body?: string;
}

/** An answer whose body is streamed (a target list), or whole. */
export type RawResponse = HttpResponse | { readonly status: number; readonly type: string; readonly stream: Readable };

export interface HttpRoutes {
  /** Extra GET routes by path (status, the ops page); a `:name` segment (`/api/trace/:id`) matches any one segment. */
  readonly get: Readonly<Record<string, GetRoute>>;
  /** Routes that take every request under a path prefix (`/inbox/`), whatever its method. */
  readonly prefixes?: Readonly<Record<string, (request: RawRequest) => Promise<RawResponse>>>;
}

/** The route of a path: an exact one first, else the first pattern whose segments match. */
export const matchRoute = (routes: HttpRoutes['get'], path: string): { route: GetRoute; params: Record<string, string> } | undefined => {
  const exact = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (exact) return { route: exact, params: {} };
  const segments = path.split('/');
  for (const [pattern, route] of Object.entries(routes)) {
    const parts = pattern.split('/');
    if (!pattern.includes('/:') || parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = parts.every((part, i) => {
      const segment = segments[i]!;
      if (!part.startsWith(':')) return part === segment;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return segment.length > 0;
    });
    if (matches) return { route, params };
  }
  return undefined;
};

export interface IngressServer {
  readonly url: string;
  close(): Promise<void>;
}

export const startIngressServer = async (routes: HttpRoutes, port = 0): Promise<IngressServer> => {
  let boundPort = 0;
  const server: Server = createServer(async (req, res) => {
    try {
      const refused = refuseCrossSite(req.method ?? 'GET', req.headers, boundPort);
      if (refused) {
        req.resume();
        return json(res, refused.status, { error: refused.error, message: refused.message });
      }
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const prefix = Object.keys(routes.prefixes ?? {}).find((p) => path.startsWith(p));
      if (prefix) {
        const method = req.method ?? 'GET';
        const body = method === 'POST' ? await readBody(req, MAX_INLINE_ENVELOPE_BYTES) : (req.resume(), undefined);
        if (method === 'POST' && body === undefined) return json(res, 413, { error: 'too-large', message: `the request is over ${MAX_INLINE_ENVELOPE_BYTES} bytes` });
        const url = new URL(req.url ?? '/', 'http://localhost');
        const answer = await routes.prefixes![prefix]!({ method, path, query: url.searchParams, headers: req.headers, body });
        res.writeHead(answer.status, { ...('headers' in answer ? answer.headers : {}), 'content-type': answer.type });
        return 'stream' in answer ? await pipeline(answer.stream, res) : res.end(answer.body);
      }
      const found = req.method === 'GET' ? matchRoute(routes.get, path) : undefined;
      if (found) {
        const { status, type, body, headers } = await found.route(found.params);
        res.writeHead(status, { ...headers, 'content-type': type });
        return res.end(body);
      }
      req.resume();
      return json(res, 404, { error: 'not-found', message: 'GET / (the ops page), /status, /api/...; envelopes go to the door over mutual TLS' });
    } catch {
      // A stream that failed half-way has sent its headers: all that is left is to cut it off.
      if (res.headersSent) return res.destroy();
      return json(res, 500, { error: 'internal', message: 'the hub failed to handle the request; see its log' });
    }
  });
  await listen(server, port);
  const { port: bound } = server.address() as AddressInfo;
  boundPort = bound;
  return { url: `http://${LOOPBACK}:${bound}`, close: () => closeServer(server) };
};
