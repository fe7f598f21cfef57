/**
 * What a mock server counts and remembers of its traffic: a request log (method, masked path,
 * status, times and the faults applied, never a body or a query string: both carry personal data)
 * and counters per route, with the largest number of requests that arrived within any one second.
 */
import type { ActiveFaultRule } from '#mocks/framework/faults';

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

const UNMATCHED = '(unmatched)';
const ALL = '\u0000all';

/** The request log and counters of one server: `arrive` when a request comes, `record` when it ends. */
export class RecordingRequestLog implements RequestLog {
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

/**
 * Masks anything shaped like a personal identity code (valid or not) in a path, so the request
 * log never holds one: six digits, a century sign, three characters and a check character.
 */
export function maskHetus(path: string): string {
  return path.replace(/\d{6}(?:[-+A-FU-Ya-fu-y]|%2B|%2b)[0-9A-Za-z]{3}[0-9A-Za-z]?/g, '***');
}
