/**
 * One X-Road client per external system and process, and one direct client per part of a system
 * reached directly (a county: functions/lib/direct-client.ts), all paced at their system's rate
 * limit, one limiter per system. The limit is the system's in all: in AWS every instance of every
 * function that calls the system takes its slots from one shared pacing record (the `pacing`
 * table); on the embedded runtime every invocation shares one process, so
 * `KOTO_RATE_LIMIT_SCOPE=process` paces in memory.
 */
import { externalSystems, type ExternalSystem } from '#infra/topology';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { DEFAULT_MAX_XML_BYTES } from '#contracts/xroad/xml';
import { DEFAULT_MARGIN_MS, RateLimiter, SharedRateLimiter, type OutboundLimiter } from '#lib/rate-limit';
import { DirectHttpClient } from '#lib/direct-client';
import type { TlsMaterial } from '#lib/https-exchange';
import { xroadConfigFromEnv, XRoadHttpClient } from '#lib/xroad-client';

const clients = new Map<ExternalSystem, XRoadHttpClient>();
const directClients = new Map<string, DirectHttpClient>();
/** One limiter per system: its X-Road and direct clients share the system's limit. */
const limiters = new Map<ExternalSystem, OutboundLimiter>();

/** The longest a request waits for the one before it to leave (a handshake on a loaded machine) before it is paced from its grant. */
const DEPARTURE_WAIT_MS = 1000;

/** Requests per second toward a system in all: the topology's figure, or KOTO_RATE_LIMIT_<SYSTEM>. */
export const systemRate = (system: ExternalSystem): number =>
  Number(process.env[`KOTO_RATE_LIMIT_${system.toUpperCase()}`] ?? externalSystems[system].ratePerSecond);

/** The spread of start-to-arrival time the pacing allows for (KOTO_RATE_MARGIN_MS). */
export const pacingMarginMs = (): number => Number(process.env.KOTO_RATE_MARGIN_MS ?? DEFAULT_MARGIN_MS);

const limiterFor = (system: ExternalSystem): OutboundLimiter => {
  let limiter = limiters.get(system);
  if (!limiter) {
    limiter = newLimiter(system);
    limiters.set(system, limiter);
  }
  return limiter;
};

const newLimiter = (system: ExternalSystem): OutboundLimiter => {
  const perSecond = systemRate(system);
  const marginMs = pacingMarginMs();
  // The X-Road client reports each request's departure: the process paces from those.
  if (process.env.KOTO_RATE_LIMIT_SCOPE === 'process') return new RateLimiter(perSecond, undefined, marginMs, DEPARTURE_WAIT_MS);
  return new SharedRateLimiter({ documents: documentClient(), tableName: tableName('pacing'), system, perSecond, marginMs });
};

export const xroadClient = (system: ExternalSystem): XRoadHttpClient => {
  let client = clients.get(system);
  if (!client) {
    client = new XRoadHttpClient(xroadConfigFromEnv(), limiterFor(system), system);
    clients.set(system, client);
  }
  return client;
};

/**
 * The client toward one `part` of `system` reached directly over mutual TLS (a county's own FHIR
 * server), with that part's TLS material: the same timeout and answer limit as X-Road calls.
 */
export const directClient = (system: ExternalSystem, part: string, tls: () => Promise<TlsMaterial>): DirectHttpClient => {
  const name = `${system}:${part}`;
  let client = directClients.get(name);
  if (!client) {
    client = new DirectHttpClient(
      { name, tls, timeoutMs: Number(process.env.KOTO_XROAD_TIMEOUT_MS ?? 8000), maxResponseBytes: Number(process.env.KOTO_XROAD_MAX_RESPONSE_BYTES ?? DEFAULT_MAX_XML_BYTES) },
      limiterFor(system),
      system,
    );
    directClients.set(name, client);
  }
  return client;
};

/** The X-Road instance (`FI`, `FI-TEST`) the hub is a member of, from its client identifier. */
export const xroadInstance = (system: ExternalSystem): string => xroadClient(system).config.client.xRoadInstance;

/** Forget the clients and close their connections (the embedded runtime calls this when it restarts). */
export const resetXRoadClients = (): void => {
  for (const client of [...clients.values(), ...directClients.values()]) client.close();
  clients.clear();
  directClients.clear();
  limiters.clear();
};
