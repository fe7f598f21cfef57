/**
 * The first step of the wellbeing flow (#12), as a plain function: a municipality's consultation or
 * cooperation request becomes what goes to the county serving it — the county, the deadline, the
 * FHIR transaction (every resource validated with @medplum/core against R4 and the profile it
 * claims, turvakielto checked, as the contract's mappers do before anything may leave) — and what
 * the hub keeps to match the answer: the process (keyed by the correlation id) and one pseudonym
 * entry per person (the correlation table, with a TTL).
 *
 * A request the hub cannot route is refused with a `PermanentError` whose reason names the
 * municipality's code and the rule, never a person: a municipality of Åland (no wellbeing services
 * county serves it), an unknown municipality, or a county whose endpoint is not configured.
 *
 * No I/O here: the handler that stores the entries and queues the transaction for the county
 * adapter is not built yet (docs/DESIGN.md "Not built yet").
 */
import type { Envelope } from '#contracts/envelope';
import type { ConsultationRequestedV1, CooperationRequestedV1 } from '#contracts/messages/wellbeing';
import { anonymiseConsultation } from '#contracts/wellbeing/anonymise';
import { countyOf, type CountyId } from '#contracts/wellbeing/counties';
import { answerDueAt, type CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import type { Json, RequestKind } from '#contracts/wellbeing/fhir/common';
import { consultationTransaction } from '#contracts/wellbeing/fhir/consultation';
import { cooperationTransaction } from '#contracts/wellbeing/fhir/cooperation';
import { FhirInvalid, validateFhir } from '#contracts/wellbeing/fhir/validate';
import { pseudonymExpiry, pseudonymOf, type PseudonymEntry } from '#contracts/wellbeing/pseudonym';
import { PermanentError } from '#lib/errors';

export type WellbeingRequest =
  | Envelope<ConsultationRequestedV1> & { readonly type: 'wellbeing.consultation.requested.v1' }
  | Envelope<CooperationRequestedV1> & { readonly type: 'wellbeing.cooperation.requested.v1' };

/** The request process: what the reply is matched to and the overdue check reads. No personal data. */
export interface WellbeingProcess {
  /** The envelope's correlation id. */
  readonly requestId: string;
  readonly kind: RequestKind;
  readonly municipality: string;
  readonly county: CountyId;
  readonly requestedAt: string;
  readonly dueAt: string;
  /** One per person, in the order sent. */
  readonly pseudonyms: readonly string[];
  /** Epoch seconds: the process expires with its pseudonym entries. */
  readonly expiresAt: number;
}

export interface PreparedRequest {
  readonly process: WellbeingProcess;
  readonly entries: readonly PseudonymEntry[];
  readonly endpoint: CountyEndpointV1;
  /** The `transaction` Bundle, every resource in it valid. */
  readonly transaction: Json;
}

const kindOf = (request: WellbeingRequest): RequestKind =>
  request.type === 'wellbeing.consultation.requested.v1' ? 'consultation' : 'cooperation';

/** The county serving the asking municipality and its endpoint, or a refusal naming the rule. */
export function routeToCounty(municipality: string, endpoints: readonly CountyEndpointV1[]): CountyEndpointV1 {
  const route = countyOf(municipality);
  if (!route.ok) throw new PermanentError(route.reason === 'aland' ? 'wellbeing-no-county-aland' : 'wellbeing-unknown-municipality', route.message);
  const endpoint = endpoints.find((e) => e.county === route.county.id);
  if (!endpoint) {
    throw new PermanentError(
      'wellbeing-county-not-configured',
      `municipality '${municipality}' is served by the wellbeing services county '${route.county.id}', whose FHIR endpoint is not configured`,
    );
  }
  return endpoint;
}

/**
 * Builds the county's transaction and what the hub keeps. `key` is the pseudonym key (at least 32
 * bytes, a secret of the deployment); `requestedAt` is when the hub took the request (its clock).
 */
export function prepareWellbeingRequest(
  request: WellbeingRequest,
  endpoints: readonly CountyEndpointV1[],
  key: Uint8Array,
  requestedAt: string,
): PreparedRequest {
  const endpoint = routeToCounty(request.municipality, endpoints);
  const kind = kindOf(request);
  const dueAt = answerDueAt(kind, requestedAt, endpoint);
  const context = { requestId: request.correlationId, municipality: request.municipality, county: endpoint.county, authoredOn: requestedAt, dueAt };
  const expiresAt = pseudonymExpiry(dueAt);

  let transaction: Json;
  let entries: PseudonymEntry[];
  try {
    if (request.type === 'wellbeing.consultation.requested.v1') {
      const anonymised = anonymiseConsultation(request.payload, context, key);
      transaction = consultationTransaction(anonymised, context);
      entries = [...anonymised.entries];
    } else {
      const { personRef } = request.payload.person;
      const pseudonym = pseudonymOf(key, request.correlationId, personRef);
      transaction = cooperationTransaction(request.payload, pseudonym, context);
      entries = [{ requestId: request.correlationId, pseudonym, personRef, municipality: request.municipality, expiresAt }];
    }
  } catch (error) {
    // A resource the mapper built breaks its profile: the same request fails the same way on every retry.
    if (error instanceof FhirInvalid) throw new PermanentError('fhir-invalid', error.message);
    throw error;
  }
  // The mappers validated each resource; the Bundle around them is checked too before it may leave.
  const findings = validateFhir(transaction);
  if (findings.length > 0) {
    throw new PermanentError('fhir-invalid', `the ${kind} transaction is not valid FHIR R4: ${findings.map((f) => `${f.path}: ${f.message}`).join('; ')}`);
  }
  return {
    process: {
      requestId: request.correlationId,
      kind,
      municipality: request.municipality,
      county: endpoint.county,
      requestedAt,
      dueAt,
      pseudonyms: entries.map((e) => e.pseudonym),
      expiresAt,
    },
    entries,
    endpoint,
    transaction,
  };
}
