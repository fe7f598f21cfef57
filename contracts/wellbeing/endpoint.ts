/**
 * Where a county's FHIR server is: configuration, not code. Each county publishes its own FHIR R4
 * base URL and says whether it is reached over X-Road (Suomi.fi Data Exchange Layer, a REST service
 * of the county's member and subsystem) or directly over HTTPS with a client certificate. The hub
 * reads one such entry per county it serves (deployment parameters in AWS, a file locally); this
 * is the shape every entry is checked against before a request leaves.
 */
import * as z from '#contracts/zod';
import { xRoadServiceId } from '#contracts/xroad/soap';
import { isCountyId, type CountyId } from '#contracts/wellbeing/counties';

const httpsUrl = () =>
  z.string().check(
    z.refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' && !url.search && !url.hash;
      } catch {
        return false;
      }
    }, 'must be an https URL without query or fragment (mutual TLS)'),
  );

export const countyEndpointV1 = z.lazy(() =>
  z.object({
    county: z.string().check(z.refine(isCountyId, 'must be a wellbeing services county id, e.g. pohjanmaa')),
    /**
     * The FHIR base the county publishes (`[base]/ServiceRequest`, `[base]/Task/…`). Over X-Road it is
     * the path below the REST service (often `/fhir` or empty); directly, the full URL.
     */
    transport: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('x-road'),
        /** The county's REST service, e.g. `FI/GOV/<business id>/<subsystem>/fhir`. */
        service: xRoadServiceId,
        fhirBasePath: z.string().check(z.regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path like /fhir/R4')),
      }),
      z.object({
        kind: z.literal('direct'),
        fhirBaseUrl: httpsUrl(),
        /** Mutual TLS with the hub's client certificate; the county names the CA it trusts. */
        authentication: z.literal('mutual-tls'),
      }),
    ]),
    /**
     * Requests a second the county's FHIR server takes from the hub, when the county names its own
     * limit; the topology's `wellbeing` figure applies when absent. Each county is its own server:
     * the hub paces each county apart, so a slow one takes no other's slots.
     */
    ratePerSecond: z.optional(z.number().check(z.positive('must be more than zero requests a second'), z.lte(1000, 'must be at most 1000 requests a second'))),
    /** Days the county has to answer, per kind of request; the hub's defaults apply when absent. */
    answerWithinDays: z.optional(
      z.object({
        consultation: z.optional(z.int().check(z.positive('must be at least 1 day'))),
        cooperation: z.optional(z.int().check(z.positive('must be at least 1 day'))),
      }),
    ),
  }),
);

export type CountyEndpointV1 = z.infer<typeof countyEndpointV1> & { readonly county: CountyId };

/** Every county's endpoint, each county at most once. */
export const countyEndpointsV1 = z.lazy(() =>
  z.array(countyEndpointV1).check(
    z.refine((entries) => new Set(entries.map((e) => e.county)).size === entries.length, 'must name each county at most once'),
  ),
);

/**
 * Days a county has to answer when its endpoint names none: the hub's defaults, settings to agree
 * with each county, not statutory time limits.
 */
export const DEFAULT_ANSWER_WITHIN_DAYS: Readonly<Record<'consultation' | 'cooperation', number>> = Object.freeze({
  consultation: 28,
  cooperation: 14,
});

/** The deadline of a request asked at `requestedAt`: whole days later, to the millisecond, in UTC. */
export function answerDueAt(kind: 'consultation' | 'cooperation', requestedAt: string, endpoint?: Pick<CountyEndpointV1, 'answerWithinDays'>): string {
  const days = endpoint?.answerWithinDays?.[kind] ?? DEFAULT_ANSWER_WITHIN_DAYS[kind];
  const asked = Date.parse(requestedAt);
  if (Number.isNaN(asked)) throw new Error('requestedAt must be an ISO-8601 timestamp');
  return new Date(asked + days * 86_400_000).toISOString();
}
