/**
 * What a mock system is made of: routes that take a request and give a response, and the answer
 * shapes every system builds (JSON, the X-Road REST error, the echoed X-Road headers).
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface MockRequest {
  readonly method: string;
  /** Path without the query string, percent-decoding left to the route. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface MockResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface MockRoute<P> {
  /** Stable name used by fault rules and counters, e.g. `kelmu.list`. */
  readonly name: string;
  readonly method: string;
  /** Matched against the request path (no query string). */
  readonly pattern: RegExp;
  handle(req: MockRequest, match: RegExpExecArray, population: P): MockResponse | Promise<MockResponse>;
}

/** The route that takes a request, and its pattern's match. */
export interface RouteMatch<P> {
  readonly route: MockRoute<P>;
  readonly match: RegExpExecArray;
}

/** The first route of the request's method whose pattern matches its path. */
export function findRoute<P>(routes: readonly MockRoute<P>[], req: MockRequest): RouteMatch<P> | undefined {
  for (const route of routes) {
    if (route.method.toUpperCase() !== req.method) continue;
    route.pattern.lastIndex = 0;
    const match = route.pattern.exec(req.path);
    if (match) return { route, match };
  }
  return undefined;
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers?: Record<string, string>): MockResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** An X-Road REST error answer: `{"type","message","detail"}`. */
export function xroadRestError(status: number, type: string, message: string, detail: string): MockResponse {
  return json(status, { type, message, detail });
}

/** The X-Road headers a REST mock echoes back (`X-Road-Id`, `X-Road-Client`), plus the service. */
export function xroadEchoHeaders(req: MockRequest, service: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-road-service': service };
  const id = req.headers['x-road-id'];
  const client = req.headers['x-road-client'];
  if (typeof id === 'string') headers['x-road-id'] = id;
  if (typeof client === 'string') headers['x-road-client'] = client;
  return headers;
}
