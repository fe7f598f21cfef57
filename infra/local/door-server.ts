/**
 * The door of the embedded runtime: HTTPS on loopback with mutual TLS, in front of ingress and of
 * the inbox. The server asks every client for a certificate
 * (`requestCert`) but lets the handshake finish without one (`rejectUnauthorized: false`), so that
 * a missing or foreign certificate is answered with a 401 and its reason rather than a bare
 * handshake error; `functions/ingress/door.ts` then admits only a certificate that chains to the
 * local CA and that an active client in the registry holds. The ops API stays on the operator's
 * plain-HTTP port (ingress-server.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Caller } from '#contracts/clients';
import { MAX_INLINE_ENVELOPE_BYTES } from '#contracts/envelope';
import { acceptEnvelopes } from '#functions/ingress/accept';
import type { Door, PresentedCertificate } from '#functions/ingress/door';
import { servedMunicipalities } from '#lib/config';
import { inboxCallerOf } from '#functions/inbox/clients';
import { inboxDeps } from '#functions/inbox/deps';
import { handleInboxRequest } from '#functions/inbox/pull';
import { refuseCrossSite } from '#infra/local/browser-guard';
import { closeServer, json, listen, LOOPBACK, readBody } from '#infra/local/net';
import type { PkiPaths } from '#infra/local/pki';

export interface DoorRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The body as text, at most MAX_INLINE_ENVELOPE_BYTES (a larger one is answered 413 before the route runs). */
  readonly body: string;
}

/** A JSON answer, or one whose body is streamed (a target list). */
export type DoorRouteResponse =
  | { readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: number; readonly type: string; readonly stream: Readable };

/** A route behind the door: it runs only for an admitted caller. */
export type DoorRoute = (caller: Caller, request: DoorRequest) => Promise<DoorRouteResponse>;

/** Routes by `METHOD /path`, or `METHOD /prefix/*` for every path under a prefix. */
export type DoorRoutes = Readonly<Record<string, DoorRoute>>;

/** The route of a request: its exact `METHOD /path`, else the `METHOD /prefix/*` it falls under. */
export const findDoorRoute = (routes: DoorRoutes, method: string, path: string): DoorRoute | undefined =>
  routes[`${method} ${path}`] ??
  Object.entries(routes).find(([key]) => key.endsWith('/*') && key.startsWith(`${method} `) && path.startsWith(key.slice(method.length + 1, -1)))?.[1];

/** The inbox behind the door: a client's pull API and its own target lists (functions/inbox/pull.ts). */
export const inboxRoutes = (): DoorRoutes => {
  const route: DoorRoute = async (caller, request) => {
    const answer = await handleInboxRequest(inboxCallerOf(caller), request, inboxDeps());
    return 'json' in answer ? { status: answer.status, body: answer.json } : { status: answer.status, type: answer.contentType, stream: answer.stream };
  };
  return { 'GET /inbox/*': route, 'POST /inbox/*': route };
};

/** Ingress: envelopes posted by the caller. */
export const ingressRoutes = (door: Door): DoorRoutes => ({
  'POST /envelopes': async (caller, request) => {
    const { status, body } = await acceptEnvelopes(request.body, caller, { served: servedMunicipalities(), now: door.now() });
    return { status, body };
  },
});

/** The peer's certificate as the door reads it; undefined when the client sent none. */
export const presentedCertificate = (socket: TLSSocket): PresentedCertificate | undefined => {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.fingerprint256) return undefined;
  return { fingerprint256: peer.fingerprint256, trusted: socket.authorized };
};

/**
 * What a request that is not well-formed HTTP/1.1 gets, before any route, identity or body: Node's
 * parser refuses it and by default answers a bare `400 Bad Request` (`431` for oversized headers)
 * with no body, where every other refusal of the door names its reason in JSON. Codes of Node's
 * `'clientError'` (HTTP server docs; `lib/_http_server.js`): llhttp's `HPE_*` and the request timeout.
 */
export const malformedRequestAnswer = (code: string | undefined): { status: number; reason: string; body: { error: string; message: string } } => {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, reason: 'Request Header Fields Too Large', body: { error: 'headers-too-large', message: 'the request line and headers are over the server’s limit' } };
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return { status: 413, reason: 'Payload Too Large', body: { error: 'too-large', message: 'the chunk extensions are over the server’s limit' } };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, reason: 'Request Timeout', body: { error: 'request-timeout', message: 'the request did not arrive whole in time' } };
  return { status: 400, reason: 'Bad Request', body: { error: 'malformed-http', message: 'the request is not well-formed HTTP/1.1 (request line, header names and values, content-length, chunked encoding)' } };
};

/** Node's `'clientError'` listener: the answer above, written straight to the socket (there is no response object), then closed. */
export const answerMalformedRequest = (error: NodeJS.ErrnoException, socket: Pick<Socket, 'writable' | 'bytesWritten' | 'end' | 'destroy'>): void => {
  // The client is gone, or part of an answer was written already (Node's own rule): nothing can be said any more.
  if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const { status, reason, body } = malformedRequestAnswer(error.code);
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
};

export interface DoorServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export const startDoorServer = async (door: Door, routes: DoorRoutes, pki: PkiPaths, port = 0): Promise<DoorServer> => {
  let boundPort = 0;
  const server: Server = createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    async (req, res) => {
      try {
        const refused = refuseCrossSite(req.method ?? 'GET', req.headers, boundPort, 'https');
        if (refused) {
          req.resume();
          return json(res, refused.status, { error: refused.error, message: refused.message });
        }
        const admission = await door.admit(presentedCertificate(req.socket as TLSSocket));
        if (!admission.ok) {
          req.resume();
          return json(res, admission.status, admission.body, admission.headers);
        }
        const url = new URL(req.url ?? '/', 'https://localhost');
        const route = findDoorRoute(routes, req.method ?? 'GET', url.pathname);
        if (!route) {
          req.resume();
          const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((method) => findDoorRoute(routes, method, url.pathname)).map((method) => `${method} ${url.pathname}`);
          return methods.length > 0
            ? json(res, 405, { error: 'method', message: `use ${methods.join(' or ')}` }, { allow: methods.map((m) => m.split(' ')[0]).join(', ') })
            : json(res, 404, { error: 'not-found', message: `the door has ${Object.keys(routes).join(', ')}` });
        }
        const body = await readBody(req, MAX_INLINE_ENVELOPE_BYTES);
        if (body === undefined) return json(res, 413, { error: 'too-large', message: `the request is over ${MAX_INLINE_ENVELOPE_BYTES} bytes` });
        const answer = await route(admission.caller, { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
        if ('stream' in answer) {
          res.writeHead(answer.status, { 'content-type': answer.type });
          return await pipeline(answer.stream, res);
        }
        return json(res, answer.status, answer.body, answer.headers);
      } catch {
        // A stream that failed half-way has sent its headers: all that is left is to cut it off.
        if (res.headersSent) return res.destroy();
        return json(res, 500, { error: 'internal', message: 'the hub failed to handle the request; see its log' });
      }
    },
  );
  server.on('clientError', answerMalformedRequest);
  await listen(server, port);
  const { port: bound } = server.address() as AddressInfo;
  boundPort = bound;
  return { url: `https://${LOOPBACK}:${bound}`, close: () => closeServer(server) };
};
