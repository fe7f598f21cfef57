/**
 * The mock server framework every mock external system is built on (docs/DESIGN.md "The systems it
 * connects": each mock speaks its wire format, holds the shared fixture population, and can be told
 * to be slow, fail, time out or answer garbage).
 *
 * node:http only. A system module supplies routes and, optionally, its own fault bodies
 * (`faultBody`, `malformed`, `custom`) and calls `startMockServer`. Faults are set at start
 * (`options.faults`), at runtime through `server.faults`, or over HTTP:
 *
 *   POST /__faults  {"rules":[…], "seed"?: n, "append"?: bool}  replace (or append to) the rules
 *   GET  /__faults                                             the current rules
 *   DELETE /__faults                                           remove every rule
 *   GET  /__stats                                              counters, request log, max req/s
 *   POST /__reset                                              rules, counters, log and system state
 *
 * The request log keeps method, path (personal identity codes masked), status and times, never a
 * body or a query string: both carry personal data.
 *
 * `observeMockTraffic` hears, process-wide, every mock server (and the security-server stand-in)
 * start and every request target (path and query, as received) they get: what the integration
 * tests check for personal data in URLs.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as z from '#contracts/zod';

// ---------------------------------------------------------------------------------------------
// Requests, responses, routes

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

/** What a system's custom fault variant receives besides the request. */
export interface CustomFaultContext<P> {
  readonly route: MockRoute<P>;
  readonly match: RegExpExecArray;
  readonly population: P;
  /** Free-form parameters from the fault rule's effect. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The answer the route would give without the fault, for variants that alter it. */
  normal(): Promise<MockResponse>;
}

export type CustomFault<P> = (req: MockRequest, ctx: CustomFaultContext<P>) => MockResponse | Promise<MockResponse>;

// ---------------------------------------------------------------------------------------------
// Fault rules

const httpStatus = () => z.int().check(z.gte(100), z.lte(599));

export const faultEffectSchema = z.discriminatedUnion('kind', [
  /** Wait before answering; other rules still apply after the wait. */
  z.object({ kind: z.literal('latency'), ms: z.int().check(z.nonnegative()) }),
  /** Answer with this status (and body, default a short text). */
  z.object({
    kind: z.literal('status'),
    status: httpStatus(),
    body: z.optional(z.string()),
    headers: z.optional(z.record(z.string(), z.string())),
  }),
  /** Accept the request and never answer, until the client gives up or the server closes. */
  z.object({ kind: z.literal('timeout') }),
  /** The system's own garbage: by default its normal answer cut in half; `body` overrides. */
  z.object({ kind: z.literal('malformed'), body: z.optional(z.string()) }),
  /** A SOAP 1.1 fault (or the system's own fault body through its `faultBody` hook). */
  z.object({
    kind: z.literal('soapFault'),
    faultcode: z.string().check(z.minLength(1)),
    faultstring: z.string(),
    status: z.optional(httpStatus()),
  }),
  /** A named variant the system supplies in `options.custom`, e.g. VTJ's `wrongPaluukoodi`. */
  z.object({
    kind: z.literal('custom'),
    name: z.string().check(z.minLength(1)),
    params: z.optional(z.record(z.string(), z.unknown())),
  }),
]);

/** A fault rule as JSON (what `POST /__faults` takes); `path` is a regular expression source. */
export const faultRuleSchema = z.strictObject({
  /** Optional label, echoed in `/__stats` and the request log. */
  id: z.optional(z.string()),
  /** Route name to match; omitted with `path` also omitted, the rule matches every request. */
  route: z.optional(z.string()),
  /** Regular expression source matched against the request path. */
  path: z.optional(z.string()),
  method: z.optional(z.string()),
  /** Fire on the next N matching requests, then stop. */
  times: z.optional(z.int().check(z.positive())),
  /** Fire with this probability per matching request, drawn from the server's seeded PRNG. */
  probability: z.optional(z.number().check(z.gte(0), z.lte(1))),
  effect: faultEffectSchema,
});

export const faultSettingsSchema = z.strictObject({
  rules: z.array(faultRuleSchema),
  /** Re-seed the PRNG that draws `probability`, so a run can be repeated from here. */
  seed: z.optional(z.int()),
  /** Add to the current rules instead of replacing them. */
  append: z.optional(z.boolean()),
});

export type FaultEffect = z.infer<typeof faultEffectSchema>;
export type FaultRuleJson = z.infer<typeof faultRuleSchema>;
/** A fault rule in the JS API: as JSON, but `path` may also be a RegExp. */
export type FaultRule = Omit<FaultRuleJson, 'path'> & { readonly path?: string | RegExp };

/** A rule as it stands now: how many times it fired and how many firings remain. */
export interface ActiveFaultRule {
  readonly id: string | undefined;
  readonly route: string | undefined;
  readonly path: string | undefined;
  readonly method: string | undefined;
  readonly times: number | undefined;
  readonly probability: number | undefined;
  readonly effect: FaultEffect;
  readonly fired: number;
  readonly remaining: number | null;
}

export interface FaultController {
  /** Replace the rules; `seed` re-seeds the PRNG that draws probabilities. */
  set(rules: readonly FaultRule[], options?: { seed?: number }): void;
  add(rule: FaultRule): void;
  clear(): void;
  list(): ActiveFaultRule[];
  /** Re-seed the PRNG without touching the rules. */
  reseed(seed: number): void;
}

// ---------------------------------------------------------------------------------------------
// Request log and counters

export interface LoggedRequest {
  readonly route: string | null;
  readonly method: string;
  /** The path with personal identity codes masked; never the query string. */
  readonly path: string;
  /** 0 when no answer was sent (timeout fault, or the client left first). */
  readonly status: number;
  readonly at: string;
  readonly durationMs: number;
  /** Kind of the fault that shaped the answer (`latency` included), if any. */
  readonly faults: readonly string[];
}

export interface RouteCounter {
  count: number;
  byStatus: Record<string, number>;
  faulted: number;
  maxPerSecond: number;
}

export interface MockStats {
  readonly system: string;
  readonly total: number;
  /** Largest number of requests that arrived within any one-second window. */
  readonly maxRequestsPerSecond: number;
  readonly routes: Readonly<Record<string, RouteCounter>>;
  readonly faults: ActiveFaultRule[];
  readonly log: readonly LoggedRequest[];
}

export interface RequestLog {
  entries(): readonly LoggedRequest[];
  /** Counters per route name (`(unmatched)` for requests no route took). */
  counters(): Readonly<Record<string, RouteCounter>>;
  count(route?: string): number;
  maxRequestsPerSecond(route?: string): number;
  clear(): void;
}

// ---------------------------------------------------------------------------------------------
// Traffic observers (process-wide)

/** A mock server of this process started listening, or received a request. */
export type MockTrafficEvent =
  | { readonly kind: 'started'; readonly system: string }
  /** `target`: the request target as it arrived, path and query, still percent-encoded. */
  | { readonly kind: 'request'; readonly system: string; readonly method: string; readonly target: string };

export type MockTrafficObserver = (event: MockTrafficEvent) => void;

const trafficObservers = new Set<MockTrafficObserver>();

/** Hears every mock server of this process start and receive a request; returns the unsubscribe. */
export function observeMockTraffic(observer: MockTrafficObserver): () => void {
  trafficObservers.add(observer);
  return () => void trafficObservers.delete(observer);
}

/** Tells the observers (`startMockServer` does; a server built without it, like the security-server stand-in, calls it). */
export function reportMockTraffic(event: MockTrafficEvent): void {
  for (const observer of trafficObservers) {
    try {
      observer(event);
    } catch {
      // An observer's failure is its own: the mock answers as it would.
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Server

export interface MockServerOptions<P> {
  /** System name for stats and default error bodies, e.g. `kelmu`. */
  readonly system: string;
  readonly routes: readonly MockRoute<P>[];
  readonly population: P;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Seed of the PRNG that draws fault probabilities (default 1). */
  readonly seed?: number;
  readonly faults?: readonly FaultRule[];
  /** Body of a `soapFault` effect; the default is a SOAP 1.1 fault envelope. */
  readonly faultBody?: (faultcode: string, faultstring: string) => MockResponse;
  /** The system's garbage for a `malformed` effect; the default cuts the normal answer in half. */
  readonly malformed?: (req: MockRequest, normal: MockResponse) => MockResponse;
  readonly custom?: Readonly<Record<string, CustomFault<P>>>;
  /** Answer for a request no route takes (default 404 in the X-Road REST error shape). */
  readonly notFound?: (req: MockRequest) => MockResponse;
  /** Called by `reset()` and `POST /__reset`, for a system that keeps state (e.g. writes). */
  readonly onReset?: () => void;
  /** Extra masking of personal data in logged paths, applied after the default HETU masking. */
  readonly redactPath?: (path: string) => string;
  /** Keep at most this many log entries (default 10 000, oldest dropped). */
  readonly maxLogEntries?: number;
}

/** What a system module's `create<System>Mock(population, options)` accepts. */
export type SystemMockOptions = Pick<
  MockServerOptions<unknown>,
  'host' | 'port' | 'seed' | 'faults' | 'maxLogEntries'
>;

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
}

const ADMIN_PREFIX = '/__';

/** Starts a mock system's HTTP server and resolves once it listens. */
export async function startMockServer<P>(options: MockServerOptions<P>): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1';
  const faultState = new FaultState(options.seed ?? 1);
  if (options.faults) faultState.set(options.faults);
  const log = new RequestLogImpl(options.maxLogEntries ?? 10_000);
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const redact = (path: string): string => {
    const masked = maskHetus(path);
    return options.redactPath ? options.redactPath(masked) : masked;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const stats = (): MockStats => ({
    system: options.system,
    total: log.count(),
    maxRequestsPerSecond: log.maxRequestsPerSecond(),
    routes: log.counters(),
    faults: faultState.list(),
    log: log.entries(),
  });

  const reset = (): void => {
    faultState.clear();
    log.clear();
    options.onReset?.();
  };

  const handleAdmin = (req: MockRequest): MockResponse | undefined => {
    if (req.path === '/__faults') {
      if (req.method === 'GET') return json(200, { rules: faultState.list() });
      if (req.method === 'DELETE') {
        faultState.clear();
        return json(200, { rules: [] });
      }
      if (req.method === 'POST') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(req.body);
        } catch {
          return xroadRestError(400, 'Client.InvalidRequest', 'fault settings are not JSON', '');
        }
        const settings = faultSettingsSchema.safeParse(parsed);
        if (!settings.success) {
          const detail = settings.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
          return xroadRestError(400, 'Client.InvalidRequest', 'invalid fault settings', detail);
        }
        const { rules, seed, append } = settings.data;
        for (const rule of rules) {
          if (rule.path !== undefined && !isValidRegExp(rule.path)) {
            return xroadRestError(400, 'Client.InvalidRequest', 'invalid fault settings', 'rules.path: not a regular expression');
          }
        }
        if (append) rules.forEach((rule) => faultState.add(rule));
        else faultState.set(rules);
        if (seed !== undefined) faultState.reseed(seed);
        return json(200, { rules: faultState.list() });
      }
    }
    if (req.path === '/__stats' && req.method === 'GET') return json(200, stats());
    if (req.path === '/__reset' && req.method === 'POST') {
      reset();
      return json(200, { reset: true });
    }
    return undefined;
  };

  const onRequest = async (incoming: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = Date.now();
    reportMockTraffic({ kind: 'request', system: options.system, method: incoming.method ?? 'GET', target: incoming.url ?? '/' });
    const url = new URL(incoming.url ?? '/', 'http://mock.invalid');
    const body = await readBody(incoming);
    const req: MockRequest = {
      method: (incoming.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body,
    };

    if (req.path.startsWith(ADMIN_PREFIX)) {
      const answer = handleAdmin(req) ?? xroadRestError(404, 'Client.NotFound', 'no such admin endpoint', '');
      send(res, answer);
      return;
    }

    const found = findRoute(options.routes, req);
    const routeName = found?.route.name ?? null;
    const applied: string[] = [];
    const finish = (status: number): void => {
      log.record({
        route: routeName,
        method: req.method,
        path: redact(req.path),
        status,
        at: new Date(arrived).toISOString(),
        durationMs: Date.now() - arrived,
        faults: applied,
      });
    };
    log.arrive(routeName, arrived);

    const normal = async (): Promise<MockResponse> => {
      if (!found) return options.notFound?.(req) ?? xroadRestError(404, 'Client.NotFound', `no ${options.system} service at this path`, '');
      try {
        return await found.route.handle(req, found.match, options.population);
      } catch {
        // The thrown error may quote personal data from the request; only its existence is reported.
        return xroadRestError(500, 'Server.InternalError', `${options.system} mock failed to answer`, '');
      }
    };

    let answer: MockResponse | undefined;
    for (const rule of faultState.firing(routeName, req)) {
      const effect = rule.effect;
      applied.push(effect.kind);
      if (effect.kind === 'latency') {
        await sleep(effect.ms);
        if (closing) return;
        continue;
      }
      if (effect.kind === 'timeout') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        finish(0);
        return;
      }
      answer = await faultAnswer(effect, req, found, normal, options);
      break;
    }
    answer ??= await normal();
    if (closing || res.destroyed) {
      finish(0);
      return;
    }
    send(res, answer);
    finish(answer.status);
  };

  const server = createServer((incoming, res) => {
    onRequest(incoming, res).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, xroadRestError(500, 'Server.InternalError', 'mock failure', ''));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  reportMockTraffic({ kind: 'started', system: options.system });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults: faultState,
    requests: log,
    stats,
    reset,
    close,
  };
}

async function faultAnswer<P>(
  effect: Exclude<FaultEffect, { kind: 'latency' | 'timeout' }>,
  req: MockRequest,
  found: { route: MockRoute<P>; match: RegExpExecArray } | undefined,
  normal: () => Promise<MockResponse>,
  options: MockServerOptions<P>,
): Promise<MockResponse> {
  switch (effect.kind) {
    case 'status':
      return {
        status: effect.status,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...effect.headers },
        body: effect.body ?? `${options.system} mock: injected status ${effect.status}`,
      };
    case 'malformed': {
      if (effect.body !== undefined) {
        return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: effect.body };
      }
      const answer = await normal();
      return options.malformed ? options.malformed(req, answer) : truncate(answer);
    }
    case 'soapFault': {
      const answer = options.faultBody
        ? options.faultBody(effect.faultcode, effect.faultstring)
        : soapFaultResponse(effect.faultcode, effect.faultstring);
      return effect.status === undefined ? answer : { ...answer, status: effect.status };
    }
    case 'custom': {
      const variant = options.custom?.[effect.name];
      if (!variant || !found) {
        return xroadRestError(500, 'Server.InternalError', `${options.system} mock has no custom fault '${effect.name}' for this path`, '');
      }
      return variant(req, {
        route: found.route,
        match: found.match,
        population: options.population,
        params: effect.params ?? {},
        normal,
      });
    }
  }
}

function findRoute<P>(
  routes: readonly MockRoute<P>[],
  req: MockRequest,
): { route: MockRoute<P>; match: RegExpExecArray } | undefined {
  for (const route of routes) {
    if (route.method.toUpperCase() !== req.method) continue;
    route.pattern.lastIndex = 0;
    const match = route.pattern.exec(req.path);
    if (match) return { route, match };
  }
  return undefined;
}

function send(res: ServerResponse, answer: MockResponse): void {
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, { 'content-length': String(body.length), ...answer.headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Fault state

interface RuleState {
  readonly rule: FaultRule;
  readonly pathPattern: RegExp | undefined;
  fired: number;
}

class FaultState implements FaultController {
  private rules: RuleState[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = createPrng(seed);
  }

  set(rules: readonly FaultRule[], options?: { seed?: number }): void {
    this.rules = rules.map((rule) => this.toState(rule));
    if (options?.seed !== undefined) this.reseed(options.seed);
  }

  add(rule: FaultRule): void {
    this.rules.push(this.toState(rule));
  }

  clear(): void {
    this.rules = [];
  }

  reseed(seed: number): void {
    this.random = createPrng(seed);
  }

  list(): ActiveFaultRule[] {
    return this.rules.map(({ rule, fired }) => ({
      id: rule.id,
      route: rule.route,
      path: rule.path instanceof RegExp ? rule.path.source : rule.path,
      method: rule.method,
      times: rule.times,
      probability: rule.probability,
      effect: rule.effect,
      fired,
      remaining: rule.times === undefined ? null : Math.max(0, rule.times - fired),
    }));
  }

  /**
   * The rules that fire for this request, in order: any number of latency rules, then at most one
   * rule that decides the answer; rules after that one are neither drawn nor used up. A
   * probability is drawn for each matching rule reached that still has firings left, so the
   * sequence of draws depends only on the seed and the sequence of requests.
   */
  firing(routeName: string | null, req: MockRequest): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== req.method) continue;
      if (rule.route !== undefined && rule.route !== routeName) continue;
      if (state.pathPattern) {
        state.pathPattern.lastIndex = 0;
        if (!state.pathPattern.test(req.path)) continue;
      }
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      state.fired += 1;
      fired.push(rule);
      if (rule.effect.kind !== 'latency') break;
    }
    return fired;
  }

  private toState(rule: FaultRule): RuleState {
    const parsed = faultRuleSchema.parse({ ...rule, path: rule.path instanceof RegExp ? rule.path.source : rule.path });
    const pathPattern =
      rule.path instanceof RegExp ? new RegExp(rule.path.source, rule.path.flags.replace(/[gy]/g, '')) : parsed.path !== undefined ? new RegExp(parsed.path) : undefined;
    return { rule: { ...parsed, path: rule.path }, pathPattern, fired: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// Request log

class RequestLogImpl implements RequestLog {
  private log: LoggedRequest[] = [];
  private routes: Record<string, RouteCounter> = {};
  private windows = new Map<string, number[]>();
  private total = 0;
  private maxTotalPerSecond = 0;

  constructor(private readonly maxEntries: number) {}

  /** Counts a request when it arrives, so the rate reflects arrivals rather than answers. */
  arrive(route: string | null, at: number): void {
    const key = route ?? UNMATCHED;
    const counter = (this.routes[key] ??= { count: 0, byStatus: {}, faulted: 0, maxPerSecond: 0 });
    counter.count += 1;
    this.total += 1;
    counter.maxPerSecond = Math.max(counter.maxPerSecond, this.slide(key, at));
    this.maxTotalPerSecond = Math.max(this.maxTotalPerSecond, this.slide(ALL, at));
  }

  record(entry: LoggedRequest): void {
    const counter = this.routes[entry.route ?? UNMATCHED];
    if (counter) {
      const status = String(entry.status);
      counter.byStatus[status] = (counter.byStatus[status] ?? 0) + 1;
      if (entry.faults.length > 0) counter.faulted += 1;
    }
    this.log.push(entry);
    if (this.log.length > this.maxEntries) this.log.splice(0, this.log.length - this.maxEntries);
  }

  entries(): readonly LoggedRequest[] {
    return [...this.log];
  }

  counters(): Readonly<Record<string, RouteCounter>> {
    return structuredClone(this.routes);
  }

  count(route?: string): number {
    return route === undefined ? this.total : (this.routes[route]?.count ?? 0);
  }

  maxRequestsPerSecond(route?: string): number {
    return route === undefined ? this.maxTotalPerSecond : (this.routes[route]?.maxPerSecond ?? 0);
  }

  clear(): void {
    this.log = [];
    this.routes = {};
    this.windows.clear();
    this.total = 0;
    this.maxTotalPerSecond = 0;
  }

  /** Arrivals in the one-second window ending now, this one included. */
  private slide(key: string, at: number): number {
    const window = this.windows.get(key) ?? [];
    window.push(at);
    while (window.length > 0 && (window[0] ?? at) <= at - 1000) window.shift();
    this.windows.set(key, window);
    return window.length;
  }
}

const UNMATCHED = '(unmatched)';
const ALL = '\u0000all';

// ---------------------------------------------------------------------------------------------
// Helpers for system modules

/**
 * Seeded PRNG (mulberry32): the same seed gives the same sequence, so fault draws and generated
 * populations are repeatable.
 */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers?: Record<string, string>): MockResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** An X-Road REST error answer: `{"type","message","detail"}`. */
export function xroadRestError(status: number, type: string, message: string, detail: string): MockResponse {
  return json(status, { type, message, detail });
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** A SOAP 1.1 fault envelope, as an X-Road security server or provider returns it (HTTP 500). */
export function soapFaultResponse(faultcode: string, faultstring: string, detail = ''): MockResponse {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">' +
    '<SOAP-ENV:Body><SOAP-ENV:Fault>' +
    `<faultcode>${escapeXml(faultcode)}</faultcode>` +
    `<faultstring>${escapeXml(faultstring)}</faultstring>` +
    (detail ? `<detail>${escapeXml(detail)}</detail>` : '') +
    '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>';
  return { status: 500, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}

/** The default `malformed` body: the normal answer cut in half (truncated XML or JSON). */
export function truncate(answer: MockResponse): MockResponse {
  const cut = Math.max(1, Math.floor(answer.body.length / 2));
  return { ...answer, body: answer.body.slice(0, cut) };
}

/**
 * Masks anything shaped like a personal identity code (valid or not) in a path, so the request
 * log never holds one: six digits, a century sign, three characters and a check character.
 */
export function maskHetus(path: string): string {
  return path.replace(/\d{6}(?:[-+A-FU-Ya-fu-y]|%2B|%2b)[0-9A-Za-z]{3}[0-9A-Za-z]?/g, '***');
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
