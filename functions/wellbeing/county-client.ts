/**
 * The hub's calls to a county's FHIR server over X-Road: send a request's transaction, read back
 * the Tasks of a request. The core of the county adapter (#12 step 2), which is not built yet as a
 * handler; the X-Road client (functions/lib/xroad-client.ts) carries the calls, so they are typed
 * failures (transient or permanent) and free of personal data like every other X-Road call. No FHIR
 * client library is used: the hub makes two interactions, and a library (Medplum's client among
 * them) would bring its own transport, which cannot go through the security server with the hub's
 * certificate and X-Road headers.
 *
 * A county reached directly (`transport.kind` `direct`) is refused as not supported yet: that
 * transport needs its own mutual-TLS client, which is not built.
 */
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import type { Json } from '#contracts/wellbeing/fhir/common';
import { NAMING_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import { PermanentError } from '#lib/errors';
import type { CallOptions, XRoadHttpClient } from '#lib/xroad-client';

/** The most Tasks of one request (a consultation names at most 50 people), asked for in one page. */
const TASKS_PER_PAGE = 100;

/** The path below the security server of `relative` (e.g. `/Task?…`) on the county's FHIR base. */
export function countyFhirPath(endpoint: CountyEndpointV1, relative: string): string {
  const { transport } = endpoint;
  if (transport.kind !== 'x-road') {
    throw new PermanentError('wellbeing-direct-transport', `the county '${endpoint.county}' is configured to be reached directly, which the hub does not support yet`);
  }
  const { xRoadInstance, memberClass, memberCode, subsystemCode, serviceCode } = transport.service;
  const service = [xRoadInstance, memberClass, memberCode, subsystemCode, serviceCode].map(encodeURIComponent).join('/');
  return `/r1/${service}${transport.fhirBasePath}${relative}`;
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

export function countyFhirClient(xroad: XRoadHttpClient): CountyFhirClient {
  return {
    async sendTransaction(endpoint, transaction, options) {
      const serviceCode = endpoint.transport.kind === 'x-road' ? endpoint.transport.service.serviceCode : 'fhir';
      const answer = await xroad.rest(serviceCode, 'POST', countyFhirPath(endpoint, ''), transaction, options);
      const bundle = bundleOf(answer, 'transaction-response', 'the transaction');
      const sent = (transaction.entry as unknown[] | undefined)?.length ?? 0;
      const statuses = (bundle.entry ?? []).map((e) => e.response?.status ?? '');
      if (statuses.length !== sent || !statuses.every((status) => /^20[01]\b/.test(status))) {
        throw new PermanentError('wellbeing-county-answer', `the county did not create every resource of the transaction (${statuses.length} of ${sent} answered)`);
      }
    },

    async tasksOf(endpoint, requestId, options) {
      const serviceCode = endpoint.transport.kind === 'x-road' ? endpoint.transport.service.serviceCode : 'fhir';
      const query = new URLSearchParams({ 'group-identifier': `${NAMING_SYSTEMS.request}|${requestId}`, _count: String(TASKS_PER_PAGE) });
      const answer = await xroad.rest(serviceCode, 'GET', countyFhirPath(endpoint, `/Task?${query.toString()}`), undefined, options);
      return (bundleOf(answer, 'searchset', 'the Task search').entry ?? []).map((e) => e.resource);
    },
  };
}
