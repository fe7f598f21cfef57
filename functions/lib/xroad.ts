/**
 * One X-Road client per external system and process, with that system's rate limit. In AWS each
 * of a binding's concurrent instances takes its share of the limit; on the embedded runtime every
 * invocation shares one process, so `KOTO_RATE_LIMIT_SCOPE=process` gives it the whole limit.
 */
import { externalSystems, functionNames, functionSpec, type ExternalSystem } from '#infra/topology';
import { instanceShare, RateLimiter } from '#lib/rate-limit';
import { xroadConfigFromEnv, XRoadHttpClient } from '#lib/xroad-client';

const clients = new Map<ExternalSystem, XRoadHttpClient>();

/** Requests per second toward a system in all: the topology's figure, or KOTO_RATE_LIMIT_<SYSTEM>. */
export const systemRate = (system: ExternalSystem): number =>
  Number(process.env[`KOTO_RATE_LIMIT_${system.toUpperCase()}`] ?? externalSystems[system].ratePerSecond);

/** How many instances may call a system at once: the summed max concurrency of the functions that call it. */
const concurrentCallers = (system: ExternalSystem): number =>
  functionNames
    .map(functionSpec)
    .filter((spec) => spec.calls?.includes(system))
    .reduce((sum, spec) => sum + (spec.consumes?.maxConcurrency ?? 1), 0);

export const xroadClient = (system: ExternalSystem): XRoadHttpClient => {
  let client = clients.get(system);
  if (!client) {
    const rate = systemRate(system);
    const share = process.env.KOTO_RATE_LIMIT_SCOPE === 'process' ? rate : instanceShare(rate, concurrentCallers(system));
    client = new XRoadHttpClient(xroadConfigFromEnv(), new RateLimiter(share), system);
    clients.set(system, client);
  }
  return client;
};

/** The X-Road instance (`FI`, `FI-TEST`) the hub is a member of, from its client identifier. */
export const xroadInstance = (system: ExternalSystem): string => xroadClient(system).config.client.xRoadInstance;

/** Forget the clients (the embedded runtime calls this when it restarts). */
export const resetXRoadClients = (): void => clients.clear();
