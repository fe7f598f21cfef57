/**
 * A municipality's consultation or cooperation request taken by the hub (docs/DESIGN.md "Wellbeing
 * services counties"): routed to the county serving the envelope's municipality, its process and
 * pseudonym entries kept in the correlation table, and handed on to the county adapter, which
 * sends the transaction, over X-Road or directly as the county's endpoint says. A request no county
 * can take — a municipality of Åland, an unknown one, a county with no endpoint — is answered to
 * the sender with `wellbeing.request.refused.v1`, naming the rule.
 *
 * Once: a redelivered request finds its process and changes nothing; the hand-over is the same
 * message (deterministic id) and the county's conditional creates make nothing twice. A request id
 * is one request: a request whose correlation id another request holds — another municipality's,
 * another kind, other people — fails permanently (`wellbeing-request-id-taken`) and writes nothing.
 */
import type { WellbeingRequestRefusedV1 } from '#contracts/messages/wellbeing';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { PermanentError } from '#lib/errors';
import { prepareWellbeingRequest, routeToCounty, type PreparedRequest, type WellbeingRequest } from '#functions/wellbeing/prepare';
import type { WellbeingStore } from '#functions/wellbeing/store';

export interface IntakeDeps {
  readonly store: Pick<WellbeingStore, 'start'>;
  readonly endpoints: readonly CountyEndpointV1[];
  readonly key: Uint8Array;
  /** The hub's clock: when the request was taken, what its deadline counts from. */
  readonly now: () => Date;
}

export type IntakeResult =
  | { readonly outcome: 'refused'; readonly refusal: WellbeingRequestRefusedV1 }
  | { readonly outcome: 'started' | 'already-started'; readonly prepared: PreparedRequest };

/** The refusal codes of the routing rules (functions/wellbeing/prepare.ts `routeToCounty`). */
const REFUSALS: Readonly<Record<string, WellbeingRequestRefusedV1['code']>> = {
  'wellbeing-no-county-aland': 'NO_COUNTY_ALAND',
  'wellbeing-unknown-municipality': 'UNKNOWN_MUNICIPALITY',
  'wellbeing-county-not-configured': 'COUNTY_NOT_CONFIGURED',
};

const refused = (request: WellbeingRequest, code: WellbeingRequestRefusedV1['code'], message: string): IntakeResult => ({
  outcome: 'refused',
  refusal: { requestType: request.type, code, field: 'municipality', message },
});

export async function takeWellbeingRequest(request: WellbeingRequest, deps: IntakeDeps): Promise<IntakeResult> {
  try {
    routeToCounty(request.municipality, deps.endpoints);
  } catch (error) {
    const code = error instanceof PermanentError ? REFUSALS[error.code] : undefined;
    if (code === undefined) throw error;
    return refused(request, code, (error as Error).message);
  }
  const prepared = prepareWellbeingRequest(request, deps.endpoints, deps.key, deps.now().toISOString());
  const outcome = await deps.store.start(prepared);
  if (outcome === 'taken') {
    // Not the sender's refusal to read (its published codes are the routing rules'): the operators'
    // dead letter, which names no person and not whose request holds the id.
    throw new PermanentError(
      'wellbeing-request-id-taken',
      `the correlation id ${request.correlationId} is another wellbeing request's; a request id is one request, so this one must be posted again with a new correlation id`,
    );
  }
  return { outcome, prepared };
}
