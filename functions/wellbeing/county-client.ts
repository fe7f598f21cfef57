/**
 * The hub's calls to a county's FHIR server: send a request's transaction, read back the Tasks of a
 * request. A county publishes its FHIR base either as a REST service over X-Road, called through
 * the X-Road client (functions/lib/xroad-client.ts) and the municipality's security server, or
 * directly as an https URL, called with mutual TLS by the direct client
 * (functions/lib/direct-client.ts): the hub's client certificate, and trust in that county's CA
 * only (functions/wellbeing/county-tls.ts). Both share the way there (functions/lib/https-exchange.ts),
 * so the calls are typed failures (transient or permanent) and free of personal data either way.
 *
 * No FHIR client library is used: the hub makes two interactions, and a library (Medplum's client
 * among them) would bring its own transport, which can neither go through the security server with
 * the X-Road headers nor present the hub's certificate with one county's CA.
 */
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import type { Json } from '#contracts/wellbeing/fhir/common';
import { NAMING_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import type { DirectHttpClient } from '#lib/direct-client';
import { PermanentError } from '#lib/errors';
import type { CallOptions, XRoadHttpClient } from '#lib/xroad-client';

/** The most Tasks of one request (a consultation names at most 50 people), asked for in one page. */
const TASKS_PER_PAGE = 100;

/** FHIR's JSON media type, what a FHIR server takes and answers (R4 3.1.0.1.8). */
const FHIR_JSON = 'application/fhir+json';

/** The path below the security server of `relative` (e.g. `/Task?…`) on an X-Road county's FHIR base. */
export function countyFhirPath(endpoint: CountyEndpointV1, relative: string): string {
  const { transport } = endpoint;
  if (transport.kind !== 'x-road') throw new PermanentError('wellbeing-direct-transport', `the county '${endpoint.county}' is reached directly, not over X-Road`);
  const { xRoadInstance, memberClass, memberCode, subsystemCode, serviceCode } = transport.service;
  const service = [xRoadInstance, memberClass, memberCode, subsystemCode, serviceCode].map(encodeURIComponent).join('/');
  return `/r1/${service}${transport.fhirBasePath}${relative}`;
}

/** The URL of `relative` on a directly reached county's FHIR base (its `fhirBaseUrl`, a trailing slash or not). */
export function countyFhirUrl(endpoint: CountyEndpointV1, relative: string): string {
  const { transport } = endpoint;
  if (transport.kind !== 'direct') throw new PermanentError('wellbeing-xroad-transport', `the county '${endpoint.county}' is reached over X-Road, not directly`);
  return `${transport.fhirBaseUrl.replace(/\/+$/, '')}${relative}`;
}

const bundleOf = (answer: unknown, type: string, what: string): { entry?: { resource?: unknown; response?: { status?: string } }[] } => {
  const bundle = answer as { resourceType?: unknown; type?: unknown } | null;
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== type) {
    throw new PermanentError('wellbeing-county-answer', `the county's answer to ${what} is not a ${type} Bundle`);
  }
  return bundle as { entry?: { resource?: unknown; response?: { status?: string } }[] };
};

export interface CountyFhirClient {
  /** Posts the transaction; every entry must come back created or found (201 or 200). */
  sendTransaction(endpoint: CountyEndpointV1, transaction: Json, options?: CallOptions): Promise<void>;
  /** The Tasks of a request (its `groupIdentifier`), as the county holds them now; not yet validated. */
  tasksOf(endpoint: CountyEndpointV1, requestId: string, options?: CallOptions): Promise<unknown[]>;
}

/**
 * The X-Road client toward one county: each county is its own FHIR server with its own rate limit,
 * so each is paced apart (functions/lib/xroad.ts), though all go through the one security server.
 */
export type XRoadClients = (endpoint: CountyEndpointV1) => XRoadHttpClient;

/** The direct client toward one county (each county its own CA and its own pacing, so its own connections). */
export type DirectClients = (endpoint: CountyEndpointV1) => DirectHttpClient;

const noDirect: DirectClients = (endpoint) => {
  throw new PermanentError('wellbeing-direct-transport', `the county '${endpoint.county}' is reached directly, and this client was given no direct transport`);
};

export function countyFhirClient(xroad: XRoadClients, direct: DirectClients = noDirect): CountyFhirClient {
  /** One call to `relative` on the county's FHIR base, whichever way the county is reached. */
  const call = (endpoint: CountyEndpointV1, method: 'GET' | 'POST', relative: string, body: unknown, options?: CallOptions): Promise<unknown> => {
    if (endpoint.transport.kind === 'direct') return direct(endpoint).json(method, countyFhirUrl(endpoint, relative), body, FHIR_JSON, options);
    return xroad(endpoint).rest(endpoint.transport.service.serviceCode, method, countyFhirPath(endpoint, relative), body, options);
  };
  return {
    async sendTransaction(endpoint, transaction, options) {
      const bundle = bundleOf(await call(endpoint, 'POST', '', transaction, options), 'transaction-response', 'the transaction');
      const sent = (transaction.entry as unknown[] | undefined)?.length ?? 0;
      const statuses = (bundle.entry ?? []).map((e) => e.response?.status ?? '');
      if (statuses.length !== sent || !statuses.every((status) => /^20[01]\b/.test(status))) {
        throw new PermanentError('wellbeing-county-answer', `the county did not create every resource of the transaction (${statuses.length} of ${sent} answered)`);
      }
    },

    async tasksOf(endpoint, requestId, options) {
      const query = new URLSearchParams({ 'group-identifier': `${NAMING_SYSTEMS.request}|${requestId}`, _count: String(TASKS_PER_PAGE) });
      const answer = await call(endpoint, 'GET', `/Task?${query.toString()}`, undefined, options);
      return (bundleOf(answer, 'searchset', 'the Task search').entry ?? []).map((e) => e.resource);
    },
  };
}
