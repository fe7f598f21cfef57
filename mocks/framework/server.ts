/**
 * A mock system's HTTP server (node:http), or HTTPS with mutual TLS (node:https, `tls`) for a system
 * the hub reaches directly rather than through the security server. A system module supplies routes and, optionally,
 * its own fault bodies (`faultBody`, `malformed`, `custom`) and calls `startMockServer`; the server
 * routes each request, applies the fault rules that fire for it (faults.ts), answers, and records
 * it (stats.ts). Paths under `/__` are its control endpoints (admin.ts).
 *
 * Waiting (a `latency` fault) and the times in the request log go through the server's clock
 * (clock.ts): real time unless `options.timing` says otherwise. `close()` ends every open
 * connection at once, those a `timeout` fault holds and those waiting out a latency included.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { ADMIN_PREFIX, handleAdmin, type AdminControls } from '#mocks/framework/admin';
import { ClientCertificates } from '#mocks/framework/client-certificates';
import { realClock, type MockClock } from '#mocks/framework/clock';
import { faultAnswer, FaultState, type FaultController, type FaultHooks, type FaultRule } from '#mocks/framework/faults';
import { findRoute, xroadRestError, type MockRequest, type MockResponse, type MockRoute, type RouteMatch } from '#mocks/framework/routes';
import { maskHetus, RecordingRequestLog, type MockStats, type RequestLog } from '#mocks/framework/stats';
import { reportMockTraffic } from '#mocks/framework/traffic';

export interface MockServerOptions<P> extends FaultHooks<P> {
  readonly routes: readonly MockRoute<P>[];
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Seed of the PRNG that draws fault probabilities (default 1). */
  readonly seed?: number;
  readonly faults?: readonly FaultRule[];
  /** Answer for a request no route takes (default 404 in the X-Road REST error shape). */
  readonly notFound?: (req: MockRequest) => MockResponse;
  /** Called by `reset()` and `POST /__reset`, for a system that keeps state (e.g. writes). */
  readonly onReset?: () => void;
  /** Extra masking of personal data in logged paths, applied after the default HETU masking. */
  readonly redactPath?: (path: string) => string;
  /** Keep at most this many log entries (default 10 000, oldest dropped). */
  readonly maxLogEntries?: number;
  /**
   * The clock `latency` faults wait on and the request log's times come from (default: real
   * time). Not `clock`: VTJ's mock already has an option of that name (the date its answers give).
   */
  readonly timing?: MockClock;
  /**
   * Serve HTTPS with this certificate and key, and admit only callers whose client certificate was
   * registered (`admit`): the handshake wants a certificate from an issuer registered with one, and
   * a caller whose certificate is not registered gets `refused` (logged, no route reached).
   */
  readonly tls?: MockTls;
}

export interface MockTls {
  readonly cert: string;
  readonly key: string;
  /** The answer to a caller with a certificate of a known issuer that is not registered. */
  readonly refused: MockResponse;
}

/** What a system module's `create<System>Mock(population, options)` accepts. */
export type SystemMockOptions = Pick<MockServerOptions<unknown>, 'host' | 'port' | 'seed' | 'faults' | 'maxLogEntries' | 'timing'>;

export interface MockServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultController;
  readonly requests: RequestLog;
  stats(): MockStats;
  /** Clear rules, counters, log and the system's own state. */
  reset(): void;
  /** Stop listening and end every open connection, hanging ones included. */
  close(): Promise<void>;
  /** Registers a caller's client certificate, and trusts its issuer in the handshake (a server with `tls` only). */
  admit?(certificate: string, issuer: string): void;
}

/** One running mock: what its requests are handled with, and what `close()` ends. */
interface MockState<P> extends AdminControls {
  readonly options: MockServerOptions<P>;
  readonly clock: MockClock;
  readonly faults: FaultState;
  readonly log: RecordingRequestLog;
  /** Aborted when the server closes: pending waits end and no answer is sent any more. */
  readonly closing: AbortSignal;
  /** Responses a `timeout` fault holds open. */
  readonly hanging: Set<ServerResponse>;
}

/** Starts a mock system's HTTP server and resolves once it listens. */
export async function startMockServer<P>(options: MockServerOptions<P>): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1';
  const closer = new AbortController();
  // Every request waiting out a latency listens to the signal; there may be hundreds at once.
  setMaxListeners(0, closer.signal);
  const mock = createState(options, closer.signal);

  const clients = new ClientCertificates();
  const listener: RequestListener = (incoming, res) => {
    const tls = options.tls;
    if (tls) {
      if (!clients.admits(incoming.socket as TLSSocket)) {
        mock.log.record({ route: null, method: incoming.method ?? 'GET', path: '(refused: certificate not registered)', status: tls.refused.status, at: new Date(mock.clock.now()).toISOString(), durationMs: 0, faults: [] });
        return send(res, tls.refused);
      }
    }
    handleRequest(mock, incoming, res).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, xroadRestError(500, 'Server.InternalError', 'mock failure', ''));
    });
  };
  const tlsServer = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key, requestCert: true, rejectUnauthorized: true, ca: [] }, listener) : undefined;
  // An HTTPS server is an HTTP server over TLS: listening, connections and closing are the same.
  const server: Server = tlsServer ? (tlsServer as unknown as Server) : createServer(listener);
  const sockets = trackSockets(server);
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  reportMockTraffic({ kind: 'started', system: options.system });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closer.abort();
      server.close(() => resolve());
      for (const res of mock.hanging) res.destroy();
      mock.hanging.clear();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };

  const tls = options.tls;
  return {
    url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ...(tls && tlsServer
      ? {
          admit(certificate: string, issuer: string) {
            clients.admit(certificate, issuer, (ca) => tlsServer.setSecureContext({ cert: tls.cert, key: tls.key, ca }));
          },
        }
      : {}),
    port,
    faults: mock.faults,
    requests: mock.log,
    stats: mock.stats,
    reset: mock.reset,
    close,
  };
}

function createState<P>(options: MockServerOptions<P>, closing: AbortSignal): MockState<P> {
  const faults = new FaultState(options.seed ?? 1);
  if (options.faults) faults.set(options.faults);
  const log = new RecordingRequestLog(options.maxLogEntries ?? 10_000);
  return {
    options,
    clock: options.timing ?? realClock,
    faults,
    log,
    closing,
    hanging: new Set(),
    stats: () => ({
      system: options.system,
      total: log.count(),
      maxRequestsPerSecond: log.maxRequestsPerSecond(),
      routes: log.counters(),
      faults: faults.list(),
      log: log.entries(),
    }),
    reset: () => {
      faults.clear();
      log.clear();
      options.onReset?.();
    },
  };
}

/** Routes one request, applies the faults that fire for it, answers and records it. */
async function handleRequest<P>(mock: MockState<P>, incoming: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options, clock, log } = mock;
  const arrived = clock.now();
  reportMockTraffic({ kind: 'request', system: options.system, method: incoming.method ?? 'GET', target: incoming.url ?? '/' });
  const req = await readRequest(incoming);
  if (req.path.startsWith(ADMIN_PREFIX)) {
    send(res, handleAdmin(req, mock));
    return;
  }

  const found = findRoute(options.routes, req);
  const routeName = found?.route.name ?? null;
  const applied: string[] = [];
  const finish = (status: number): void => {
    log.record({
      route: routeName,
      method: req.method,
      path: redact(req.path, options.redactPath),
      status,
      at: new Date(arrived).toISOString(),
      durationMs: clock.now() - arrived,
      faults: applied,
    });
  };
  log.arrive(routeName, arrived);
  const normal = (): Promise<MockResponse> => normalAnswer(options, req, found);

  let answer: MockResponse | undefined;
  for (const rule of mock.faults.firing(routeName, req)) {
    const effect = rule.effect;
    applied.push(effect.kind);
    if (effect.kind === 'latency') {
      await wait(clock, mock.closing, effect.ms);
      if (mock.closing.aborted) return;
      continue;
    }
    if (effect.kind === 'timeout') {
      mock.hanging.add(res);
      res.on('close', () => mock.hanging.delete(res));
      finish(0);
      return;
    }
    answer = await faultAnswer(effect, req, found, normal, options);
    break;
  }
  answer ??= await normal();
  if (mock.closing.aborted || res.destroyed) {
    finish(0);
    return;
  }
  send(res, answer);
  finish(answer.status);
}

/** The route's answer without any fault: its handler's, or the not-found answer. */
async function normalAnswer<P>(options: MockServerOptions<P>, req: MockRequest, found: RouteMatch<P> | undefined): Promise<MockResponse> {
  if (!found) return options.notFound?.(req) ?? xroadRestError(404, 'Client.NotFound', `no ${options.system} service at this path`, '');
  try {
    return await found.route.handle(req, found.match, options.population);
  } catch {
    // The thrown error may quote personal data from the request; only its existence is reported.
    return xroadRestError(500, 'Server.InternalError', `${options.system} mock failed to answer`, '');
  }
}

/** Waits `ms` on the mock's clock, or until the server closes, whichever comes first. */
function wait(clock: MockClock, closing: AbortSignal, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (closing.aborted) return resolve();
    const done = (): void => {
      closing.removeEventListener('abort', done);
      resolve();
    };
    closing.addEventListener('abort', done, { once: true });
    clock.sleep(ms, closing).then(done, done);
  });
}

/** The path as the log keeps it: identity codes masked, then the system's own masking. */
function redact(path: string, redactPath: ((path: string) => string) | undefined): string {
  const masked = maskHetus(path);
  return redactPath ? redactPath(masked) : masked;
}

async function readRequest(incoming: IncomingMessage): Promise<MockRequest> {
  const url = new URL(incoming.url ?? '/', 'http://mock.invalid');
  const body = await readBody(incoming);
  return {
    method: (incoming.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: incoming.headers,
    body,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: MockResponse): void {
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, { 'content-length': String(body.length), ...answer.headers });
  res.end(body);
}

/** The server's open sockets, so `close()` can end them. */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
