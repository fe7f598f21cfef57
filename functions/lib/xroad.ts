/**
 * One X-Road client per external system and process, paced at that system's rate limit. The limit
 * is the system's in all: in AWS every instance of every function that calls the system takes its
 * slots from one shared pacing record (the `pacing` table); on the embedded runtime every
 * invocation shares one process, so `KOTO_RATE_LIMIT_SCOPE=process` paces in memory.
 */
import { externalSystems, type ExternalSystem } from '#infra/topology';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { DEFAULT_MARGIN_MS, RateLimiter, SharedRateLimiter, type OutboundLimiter } from '#lib/rate-limit';
import { xroadConfigFromEnv, XRoadHttpClient } from '#lib/xroad-client';

const clients = new Map<ExternalSystem, XRoadHttpClient>();

/** The longest a request waits for the one before it to leave (a handshake on a loaded machine) before it is paced from its grant. */
const DEPARTURE_WAIT_MS = 1000;

/** Requests per second toward a system in all: the topology's figure, or KOTO_RATE_LIMIT_<SYSTEM>. */
export const systemRate = (system: ExternalSystem): number =>
  Number(process.env[`KOTO_RATE_LIMIT_${system.toUpperCase()}`] ?? externalSystems[system].ratePerSecond);

/** The spread of start-to-arrival time the pacing allows for (KOTO_RATE_MARGIN_MS). */
export const pacingMarginMs = (): number => Number(process.env.KOTO_RATE_MARGIN_MS ?? DEFAULT_MARGIN_MS);

const limiterFor = (system: ExternalSystem): OutboundLimiter => {
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

/** The X-Road instance (`FI`, `FI-TEST`) the hub is a member of, from its client identifier. */
export const xroadInstance = (system: ExternalSystem): string => xroadClient(system).config.client.xRoadInstance;

/** Forget the clients and close their connections (the embedded runtime calls this when it restarts). */
export const resetXRoadClients = (): void => {
  for (const client of clients.values()) client.close();
  clients.clear();
};
