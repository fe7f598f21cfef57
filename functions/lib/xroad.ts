/**
 * One X-Road client per external system and process, and one direct client per part of a system
 * reached directly (a county: functions/lib/direct-client.ts), all paced at their system's rate
 * limit. The limit is the system's in all: in AWS every instance of every function that calls the
 * system takes its slots from one shared pacing record (the `pacing` table); on the embedded
 * runtime every invocation shares one process, so `KOTO_RATE_LIMIT_SCOPE=process` paces in memory.
 *
 * A system of many servers (the wellbeing services counties, each its own FHIR server with its own
 * limit) is paced per server instead: a client of one `part` of the system takes its slots from
 * that part's own limiter (its own pacing record, `<system>:<part>`) at the part's own rate where
 * it has one, else the system's. So a county that answers slowly holds only its own requests.
 */
import { externalSystems, XROAD_PACING_MARGIN_ENV, type ExternalSystem } from '#infra/topology';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { DEFAULT_MAX_XML_BYTES } from '#contracts/xroad/xml';
import { DEFAULT_MARGIN_MS, RateLimiter, SharedRateLimiter, type OutboundLimiter } from '#lib/rate-limit';
import { DirectHttpClient } from '#lib/direct-client';
import type { TlsMaterial } from '#lib/https-exchange';
import { xroadConfigFromEnv, XRoadHttpClient } from '#lib/xroad-client';

/** One server of a system paced on its own: its name (a county) and, when it has one, its own limit. */
export interface PacedPart {
  readonly name: string;
  /** Requests a second the part takes; the system's rate when absent. */
  readonly ratePerSecond?: number;
}

interface Paced<T> {
  readonly perSecond: number;
  readonly value: T;
}

const clients = new Map<string, Paced<XRoadHttpClient>>();
const directClients = new Map<string, Paced<DirectHttpClient>>();
/** One limiter per pacing key (a system, or `<system>:<part>`): its X-Road and direct clients share it. */
const limiters = new Map<string, Paced<OutboundLimiter>>();

/** The longest a request waits for the one before it to leave (a handshake on a loaded machine) before it is paced from that one's slot. */
const DEPARTURE_WAIT_MS = 1000;

/** Requests per second toward a system in all: the topology's figure, or KOTO_RATE_LIMIT_<SYSTEM>. */
export const systemRate = (system: ExternalSystem): number =>
  Number(process.env[`KOTO_RATE_LIMIT_${system.toUpperCase()}`] ?? externalSystems[system].ratePerSecond);

/** The spread of start-to-arrival time the pacing allows for (KOTO_RATE_MARGIN_MS). */
export const pacingMarginMs = (): number => Number(process.env[XROAD_PACING_MARGIN_ENV] ?? DEFAULT_MARGIN_MS);

/** Where the calls toward `system` (or one part of it) are counted, and at what rate. */
export const pacingOf = (system: ExternalSystem, part?: PacedPart): { readonly key: string; readonly perSecond: number } => ({
  key: part ? `${system}:${part.name}` : system,
  perSecond: part?.ratePerSecond ?? systemRate(system),
});

/** The cached value of `key` while its rate stays the same; made anew (by `make`) when the rate changed or there is none. */
const pacedValue = <T>(cache: Map<string, Paced<T>>, key: string, perSecond: number, make: () => T, retire?: (old: T) => void): T => {
  const known = cache.get(key);
  if (known?.perSecond === perSecond) return known.value;
  if (known && retire) retire(known.value);
  const value = make();
  cache.set(key, { perSecond, value });
  return value;
};

const limiterFor = (system: ExternalSystem, part?: PacedPart): OutboundLimiter => {
  const { key, perSecond } = pacingOf(system, part);
  return pacedValue(limiters, key, perSecond, () => newLimiter(key, perSecond));
};

const newLimiter = (key: string, perSecond: number): OutboundLimiter => {
  const marginMs = pacingMarginMs();
  // The X-Road client reports each request's departure: the process paces from those.
  if (process.env.KOTO_RATE_LIMIT_SCOPE === 'process') return new RateLimiter(perSecond, undefined, marginMs, DEPARTURE_WAIT_MS);
  return new SharedRateLimiter({ documents: documentClient(), tableName: tableName('pacing'), system: key, perSecond, marginMs });
};

/**
 * Whether this process's requests to `system` are being held back to its rate now
 * (`OutboundLimiter.holdingBack`); not when none has been made yet.
 */
export const pacedNow = (system: ExternalSystem): boolean => limiters.get(pacingOf(system).key)?.value.holdingBack?.() ?? false;

/** The X-Road client toward `system`, or toward one `part` of it paced on its own (a county behind X-Road). */
export const xroadClient = (system: ExternalSystem, part?: PacedPart): XRoadHttpClient => {
  const { key, perSecond } = pacingOf(system, part);
  return pacedValue(clients, key, perSecond, () => new XRoadHttpClient(xroadConfigFromEnv(), limiterFor(system, part), system), (old) => old.close());
};

/**
 * The client toward one `part` of `system` reached directly over mutual TLS (a county's own FHIR
 * server), with that part's TLS material and its own pacing: the same timeout and answer limit as
 * X-Road calls.
 */
export const directClient = (system: ExternalSystem, part: PacedPart, tls: () => Promise<TlsMaterial>): DirectHttpClient => {
  const { key, perSecond } = pacingOf(system, part);
  return pacedValue(
    directClients,
    key,
    perSecond,
    () =>
      new DirectHttpClient(
        { name: key, tls, timeoutMs: Number(process.env.KOTO_XROAD_TIMEOUT_MS ?? 8000), maxResponseBytes: Number(process.env.KOTO_XROAD_MAX_RESPONSE_BYTES ?? DEFAULT_MAX_XML_BYTES) },
        limiterFor(system, part),
        system,
      ),
    (old) => old.close(),
  );
};

/** The X-Road instance (`FI`, `FI-TEST`) the hub is a member of, from its client identifier. */
export const xroadInstance = (system: ExternalSystem): string => xroadClient(system).config.client.xRoadInstance;

/** Forget the clients and close their connections (the embedded runtime calls this when it restarts). */
export const resetXRoadClients = (): void => {
  for (const { value } of [...clients.values(), ...directClients.values()]) value.close();
  clients.clear();
  directClients.clear();
  limiters.clear();
};
