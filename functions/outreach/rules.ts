/**
 * The outreach rules (docs/DESIGN.md "Outreach rules", normative) for one candidate: is P on
 * municipality M's target list as of D, and if not, under which exclusion code. Pure: no I/O, no
 * clock; D is an argument and every register answer is given.
 *
 * The registers answer with their state today; the rules read it "as of D" through the dates the
 * registers give (start of the home municipality, date of death, benefit periods, first permit,
 * assessment date, plan validity). ISO dates `YYYY-MM-DD` compare as strings.
 *
 * Interpretations (each cites the rule it reads):
 * - Rule 1 "VTJ knows P": VTJ `not-found` (0001, 0006) and `passive` (0002, the code is no longer
 *   in use) are NOT_FOUND_IN_VTJ — VTJ does not know P by the code the list gave; a code now in use
 *   (`activeHetu`) is another candidate, asked about under its own code. `not-disclosable` (0019)
 *   is NOT_FOUND_IN_VTJ too: VTJ gives the hub nothing about P, so no part of rule 1 can be shown.
 * - Rule 1 "home municipality on D is M": VTJ's kotikunta code is M and its start (`since`) is on
 *   or before D; a null `since` means VTJ records no start, and the current home municipality is
 *   taken as the one on D. No kotikunta (or `198`/`199`/`200`, which are never M) is NOT_RESIDENT.
 *   A Kela list that names M for a person who has moved away is therefore NOT_RESIDENT.
 * - Rule 1 "alive on D": no date of death, or one after D. VTJ's `deceased` (0007) with a date
 *   after D is alive on D and decided on its record; 0007 without a record or without a date is
 *   DECEASED (it cannot be shown that P was alive on D). Exclusions apply in the order docs/DESIGN.md lists them,
 *   so a 0007 record is checked for NOT_RESIDENT first.
 * - Rule 1 "not a Finnish citizen": VTJ's explicit citizenship (`citizenship`, read from
 *   `SuomenKansalaisuusTietokoodi` or Finland among the nationalities, whichever the product sends).
 *   `unknown` (the answer carries neither) is not excluded here: a person with no nationality on
 *   record may be stateless, and rule 3 needs a residence record from UMA, which a citizen by
 *   birth never has.
 * - Rule 1 "18 or older on D": the 18th birthday, from the birth date in the candidate's code, is
 *   on or before D (`isAdultOn`; born on 29 February, the birthday in a common year is 1 March).
 * - Rule 2, Kela: the candidate's rows from the run's Kelmu list only (docs/DESIGN.md "Fixture
 *   population": M's list holds the records whose list municipality is M; a record Kela still lists
 *   under another municipality is not seen in M's run). A benefit is active on D when
 *   `from ≤ D` and (`to` is empty or `D ≤ to`). Basic social assistance Kela flags as temporary is
 *   not a reason; the flag does not apply to child home care allowance.
 * - Rule 2, UMA: INTERNATIONAL_PROTECTION when the ground is international protection or P is a
 *   quota refugee; TRAFFICKING_VICTIM when UMA records P as a victim of trafficking. Both read the
 *   record as it stood on D (below).
 * - Rule 3: a first permit dated after D did not exist on D, so as of D UMA had no record: it gives
 *   no reason and, when another reason holds, it is NO_RESIDENCE_RECORD (as is a record without a
 *   first permit date). The window is open while D ≤ `windowEnds` = first permit date + 3 years,
 *   which is "first permit on or after D minus three calendar years". A first permit on 29 February
 *   gives `windowEnds` 28 February (the anniversary is clamped to the month); correspondingly D
 *   minus three years for D = 29 February is 1 March, so no target's `windowEnds` is before D.
 * - Rule 4: an assessment counts when it is completed and dated on or before D (ALREADY_ASSESSED);
 *   a plan of any kind (basic, multi-sectoral, family) counts when `validFrom ≤ D ≤ validUntil`
 *   (HAS_PLAN). ALREADY_ASSESSED comes first when both apply.
 * - The target: `hetu` is the candidate's code, normalised (upper case, trimmed); names come from
 *   VTJ; `language` is VTJ's native language (the canonical person already says `und` when VTJ
 *   does not know it). Turvakielto: `addressProtected: true` and empty street, postal code and post
 *   office, whatever else is known. No address and no turvakielto: empty strings and
 *   `addressProtected: false`. `reasons` are sorted and distinct.
 */
import { isAdultOn, parseHetu, type Hetu } from '#contracts/hetu';
import type { PersonV1, VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import type { ResidenceV1 } from '#contracts/canonical/residence';
import type { IntegrationStatus } from '#contracts/datastore/mapper';
import type { KelaBenefit } from '#contracts/kelmu/mapper';
import { isFinnishCitizen } from '#contracts/vtj/mapper';
import type { LookupSystem } from '#contracts/messages/lookup';
import type { ExclusionCode, OutreachTarget, TargetReason } from '#contracts/outreach-result';

/** The codes and reasons of the outreach result; the exclusion codes in the order they apply. */
export { exclusionCodes, targetReasons, type ExclusionCode, type OutreachTarget, type TargetReason } from '#contracts/outreach-result';

/** One candidate of a run, with what is known of it so far. */
export interface OutreachCandidate {
  /** M: the run's three-digit municipality code. */
  readonly municipality: string;
  /** D: the day the rules are applied on, `YYYY-MM-DD`. */
  readonly asOf: string;
  /** The code exactly as the source list gave it; may be malformed. */
  readonly hetu: string;
  /**
   * This person's rows from the run's Kelmu list (none when only Migri's list names P), as far as
   * the rules read them: benefit, temporary flag and period. A whole `KelmuRow` fits too.
   */
  readonly kelaRows: readonly KelaBenefit[];
  readonly vtj?: VtjLookupOutcomeV1;
  readonly residence?: ResidenceV1;
  readonly integration?: IntegrationStatus;
}

export type OutreachDecision =
  | { readonly kind: 'target'; readonly target: OutreachTarget }
  | { readonly kind: 'excluded'; readonly code: ExclusionCode };

/** `decideCandidate` was called before a lookup the decision needs; names the system only. */
export class MissingLookupError extends Error {
  override readonly name = 'MissingLookupError';
  constructor(readonly system: LookupSystem) {
    super(`the candidate cannot be decided without the ${system} lookup; ask lookupsNeeded first`);
  }
}

/** The order the registers are asked in: each one's answer can make the later ones unnecessary. */
const LOOKUP_ORDER: readonly LookupSystem[] = ['vtj', 'uma', 'datastore'];

type Evaluation = { readonly decision: OutreachDecision } | { readonly needs: readonly LookupSystem[] };

const excluded = (code: ExclusionCode): Evaluation => ({ decision: { kind: 'excluded', code } });

/** The systems from `from` on that the candidate has no answer from yet. */
const stillToAsk = (candidate: OutreachCandidate, from: LookupSystem): Evaluation => {
  const known: Record<LookupSystem, boolean> = {
    vtj: candidate.vtj !== undefined,
    uma: candidate.residence !== undefined,
    datastore: candidate.integration !== undefined,
  };
  return { needs: LOOKUP_ORDER.slice(LOOKUP_ORDER.indexOf(from)).filter((system) => !known[system]) };
};

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The same date `years` later; 29 February becomes 28 February in a common year. */
export function addCalendarYears(isoDate: string, years: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const day = m === 2 && d === 29 && !isLeapYear(year) ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Last day of the three-year outreach window that opens with the first permit (rule 3). */
export const windowEndsOf = (firstPermitDate: string): string => addCalendarYears(firstPermitDate, 3);

const assertIsoDate = (value: string): void => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) throw new RangeError('asOf must be an existing date written YYYY-MM-DD');
};

/** A benefit is active on D when from ≤ D and (to is empty or D ≤ to) (rule 2). */
const activeOn = (row: Pick<KelaBenefit, 'from' | 'to'>, date: string): boolean => row.from <= date && (row.to === null || date <= row.to);

/** Rule 1 on VTJ's answer: the person when every clause holds, otherwise the first code that applies. */
function rule1(vtj: VtjLookupOutcomeV1, hetu: Hetu, municipality: string, asOf: string): { person: PersonV1 } | { code: ExclusionCode } {
  let person: PersonV1;
  let diedByD: boolean;
  switch (vtj.outcome) {
    case 'not-found':
    case 'passive':
    case 'not-disclosable':
      return { code: 'NOT_FOUND_IN_VTJ' };
    case 'deceased':
      if (vtj.person === null) return { code: 'DECEASED' };
      person = vtj.person;
      diedByD = person.dateOfDeath === null || person.dateOfDeath <= asOf;
      break;
    case 'found':
      person = vtj.person;
      diedByD = person.dateOfDeath !== null && person.dateOfDeath <= asOf;
      break;
  }
  const kotikunta = person.kotikunta;
  if (kotikunta === null || kotikunta.code !== municipality || (kotikunta.since !== null && kotikunta.since > asOf)) {
    return { code: 'NOT_RESIDENT' };
  }
  if (diedByD) return { code: 'DECEASED' };
  if (isFinnishCitizen(person)) return { code: 'FINNISH_CITIZEN' };
  if (!isAdultOn(hetu, asOf)) return { code: 'MINOR' };
  return { person };
}

/** The UMA record as it stood on D: none when UMA has none or the first permit came after D. */
const recordOn = (residence: ResidenceV1, asOf: string): ResidenceV1 | null =>
  residence.found && !(residence.firstPermitDate !== null && residence.firstPermitDate > asOf) ? residence : null;

/** Rule 2: the target groups P is in on D, sorted and distinct. */
function reasonsOn(kelaRows: readonly KelaBenefit[], record: ResidenceV1 | null, asOf: string): TargetReason[] {
  const reasons = new Set<TargetReason>();
  for (const row of kelaRows) {
    if (!activeOn(row, asOf)) continue;
    if (row.benefit === 'basic-social-assistance' && !row.temporary) reasons.add('KELA_SOCIAL_ASSISTANCE');
    if (row.benefit === 'child-home-care-allowance') reasons.add('KELA_HOME_CARE_ALLOWANCE');
  }
  if (record?.ground === 'international-protection' || record?.quotaRefugee) reasons.add('INTERNATIONAL_PROTECTION');
  if (record?.traffickingVictim) reasons.add('TRAFFICKING_VICTIM');
  return [...reasons].sort();
}

function evaluate(candidate: OutreachCandidate): Evaluation {
  const { asOf, municipality } = candidate;
  assertIsoDate(asOf);

  const parsed = parseHetu(candidate.hetu);
  if (!parsed.ok) return excluded('INVALID_HETU');

  if (!candidate.vtj) return stillToAsk(candidate, 'vtj');
  const vtj = rule1(candidate.vtj, parsed.hetu, municipality, asOf);
  if ('code' in vtj) return excluded(vtj.code);

  // Rules 2 and 3 both need UMA: its ground is a reason, and even a person Kela already names
  // needs the first permit date.
  if (!candidate.residence) return stillToAsk(candidate, 'uma');
  const record = recordOn(candidate.residence, asOf);
  const reasons = reasonsOn(candidate.kelaRows, record, asOf);
  if (reasons.length === 0) return excluded('NOT_IN_TARGET_GROUP');
  if (record === null || record.firstPermitDate === null) return excluded('NO_RESIDENCE_RECORD');
  const windowEnds = windowEndsOf(record.firstPermitDate);
  if (windowEnds < asOf) return excluded('WINDOW_EXPIRED');

  if (!candidate.integration) return stillToAsk(candidate, 'datastore');
  const { assessments, plans } = candidate.integration;
  if (assessments.some((a) => a.completed && a.date <= asOf)) return excluded('ALREADY_ASSESSED');
  if (plans.some((p) => p.validFrom <= asOf && asOf <= p.validUntil)) return excluded('HAS_PLAN');

  const { person } = vtj;
  const address = person.turvakielto ? null : person.address;
  return {
    decision: {
      kind: 'target',
      target: {
        hetu: parsed.hetu.code,
        lastName: person.lastName,
        firstNames: person.firstNames,
        language: person.nativeLanguage,
        street: address?.street ?? '',
        postalCode: address?.postalCode ?? '',
        postOffice: address?.postOffice ?? '',
        addressProtected: person.turvakielto,
        reasons,
        firstPermitDate: record.firstPermitDate,
        windowEnds,
      },
    },
  };
}

/**
 * The lookups the candidate still needs, in the order to ask them; empty when it can be decided
 * now. The first is certainly needed; each later one only if the earlier answers leave the
 * candidate undecided, so ask one, then call this again.
 *
 * What can be decided early (exclusions apply in the order docs/DESIGN.md lists them, so a code is final only when
 * no earlier code can still apply):
 * - a malformed code: INVALID_HETU with no lookup at all;
 * - after VTJ: NOT_FOUND_IN_VTJ, NOT_RESIDENT, DECEASED, FINNISH_CITIZEN and MINOR, without UMA or
 *   the data store (MINOR waits for VTJ, although the code gives the age, because the four
 *   codes before it come first);
 * - after UMA: NOT_IN_TARGET_GROUP, NO_RESIDENCE_RECORD and WINDOW_EXPIRED, without the data store.
 *   UMA is needed by everyone VTJ lets through, even a person with a Kela reason: rule 3 needs the
 *   first permit date;
 * - the data store is asked only for those who would otherwise be targets (ALREADY_ASSESSED,
 *   HAS_PLAN, or the target).
 * Answers given out of order are used: a system already answered is never listed.
 */
export function lookupsNeeded(candidate: OutreachCandidate): LookupSystem[] {
  const evaluation = evaluate(candidate);
  return 'needs' in evaluation ? [...evaluation.needs] : [];
}

/**
 * The decision on one candidate: a target, or the first exclusion code that applies. Throws
 * `MissingLookupError` when a lookup the decision depends on is missing (`lookupsNeeded` is then
 * not empty), and a `RangeError` for an `asOf` that is not a date.
 */
export function decideCandidate(candidate: OutreachCandidate): OutreachDecision {
  const evaluation = evaluate(candidate);
  if ('decision' in evaluation) return evaluation.decision;
  throw new MissingLookupError(evaluation.needs[0] ?? 'vtj');
}
