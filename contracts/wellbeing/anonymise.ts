/**
 * Anonymisation of a consultation (docs/DESIGN.md "Wellbeing services counties"): what the county
 * receives about each person is exactly `AnonymisedPerson` — nothing here carries an identity code,
 * a name, an address, a full date of birth or the municipality's own reference, and the FHIR mapper
 * (fhir/consultation.ts) sees only this. contracts/wellbeing/README.md says why each field is needed.
 *
 * The people are put in pseudonym order, so the order of the municipality's list (which may follow
 * its own records) does not travel either.
 */
import type { ConsultationPersonV1, ConsultationRequestedV1, serviceNeeds, genders } from '#contracts/messages/wellbeing';
import { pseudonymOf, pseudonymExpiry, type PseudonymEntry } from '#contracts/wellbeing/pseudonym';

export interface AnonymisedPerson {
  readonly pseudonym: string;
  /** YYYY only. */
  readonly birthYear: string;
  readonly gender: (typeof genders)[number];
  readonly languages: readonly string[];
  readonly interpreterRequired: boolean;
  readonly needs: readonly (typeof serviceNeeds)[number][];
  readonly turvakielto: boolean;
}

export interface AnonymisedConsultation {
  readonly people: readonly AnonymisedPerson[];
  readonly plannedArrival: string;
  /** What the hub keeps to map the answer back; never sent. */
  readonly entries: readonly PseudonymEntry[];
}

export interface ConsultationContext {
  readonly requestId: string;
  readonly municipality: string;
  readonly dueAt: string;
}

const anonymisePerson = (person: ConsultationPersonV1, pseudonym: string): AnonymisedPerson => ({
  pseudonym,
  birthYear: person.birthDate.slice(0, 4),
  gender: person.gender,
  languages: [...person.languages],
  interpreterRequired: person.interpreterRequired,
  needs: [...new Set(person.needs)].sort(),
  turvakielto: person.turvakielto,
});

export function anonymiseConsultation(request: ConsultationRequestedV1, context: ConsultationContext, key: Uint8Array): AnonymisedConsultation {
  const expiresAt = pseudonymExpiry(context.dueAt);
  const withPseudonyms = request.people
    .map((person) => ({ person, pseudonym: pseudonymOf(key, context.requestId, person.personRef) }))
    .sort((a, b) => a.pseudonym.localeCompare(b.pseudonym));
  return {
    people: withPseudonyms.map(({ person, pseudonym }) => anonymisePerson(person, pseudonym)),
    plannedArrival: request.plannedArrival,
    entries: withPseudonyms.map(({ person, pseudonym }) => ({
      requestId: context.requestId,
      pseudonym,
      personRef: person.personRef,
      municipality: context.municipality,
      expiresAt,
    })),
  };
}

/** An answer about one pseudonym, as read from the county's Task. */
export interface PseudonymousAnswer<A> {
  readonly pseudonym: string;
  readonly answer: A;
}

export interface Restored<A> {
  /** Answers with the municipality's person reference in place of the pseudonym. */
  readonly restored: readonly (A & { readonly personRef: string })[];
  /** Pseudonyms the request does not know (another request's, forged, or expired): never delivered. */
  readonly unknown: readonly string[];
}

/** Puts each answer back on the municipality's own reference to the person. */
export function restorePersonRefs<A extends object>(answers: readonly PseudonymousAnswer<A>[], entries: readonly PseudonymEntry[]): Restored<A> {
  const byPseudonym = new Map(entries.map((entry) => [entry.pseudonym, entry.personRef]));
  const restored: (A & { personRef: string })[] = [];
  const unknown: string[] = [];
  for (const { pseudonym, answer } of answers) {
    const personRef = byPseudonym.get(pseudonym);
    if (personRef === undefined) unknown.push(pseudonym);
    else restored.push({ ...answer, personRef });
  }
  return { restored, unknown };
}
