/**
 * The compensation rules (docs/DESIGN.md "Compensation rules", normative): each cost row ends
 * ACCEPTED or REFUSED with one reason, the first rule that applies. Pure: the rows, what UMA says
 * about their persons and the day the claim is made are arguments; nothing is fetched or stored.
 *
 * What "within compensation" means here (rule 2), for a row of dates `from`–`to`: every day of it
 * lies in a period when the person is within compensation —
 * - a permit on the ground of international (quota refugees included) or humanitarian protection,
 *   from its first to its last day of validity;
 * - a permit on the ground of temporary protection, from the day the person has a home
 *   municipality (the first one) on;
 * - the recorded trafficking status (a status without a recorded period covers every day);
 * - a family member's permit, on the days a linked family member is within compensation by one of
 *   the above.
 * For `TRAFFICKING_VICTIM` only the trafficking status counts. A type whose period counts from the
 * first home municipality also needs that period to have begun by `from`: a person with no home
 * municipality yet is not within compensation for it.
 */
import { parseHetu } from '#contracts/hetu';
import type { PermitV1, ResidenceV1 } from '#contracts/canonical/residence';
import { COMPENSATION_PERIODS, typeConcernsPerson, type RefusalReason } from '#contracts/claims/compensation';
import type { CostRowV1 } from '#contracts/claims/cost-rows';
import { addDays, claimDeadline, lastDayOfYears } from '#contracts/claims/dates';

export type Verdict =
  | { readonly verdict: 'ACCEPTED'; readonly deadline: string }
  | { readonly verdict: 'REFUSED'; readonly reason: RefusalReason; readonly deadline: string };

/** What UMA says about the person of a row, and about the family members it links them to. */
export interface PersonFacts {
  /** UMA's record; null when UMA was not asked (a row with a malformed HETU) or knows nothing. */
  readonly residence: ResidenceV1 | null;
  /** The records of the persons in `residence.familyLinks` that UMA knows (others are left out). */
  readonly family: readonly ResidenceV1[];
}

export interface RuleContext {
  /** The day the claim is made (rule 5): injected, never read from a clock here. */
  readonly today: string;
  /** Voucher references of the municipality already in a claim (rule 6). */
  readonly claimedVouchers: ReadonlySet<string>;
}

/** A stretch of days, both ends included; `until` null: no end. */
interface Days {
  readonly from: string;
  readonly until: string | null;
}

const PROTECTION_GROUNDS = new Set(['international-protection', 'humanitarian-protection']);

/** Does the union of `stretches` hold every day of `from`–`to`? */
export function covers(stretches: readonly Days[], from: string, to: string): boolean {
  let need = from;
  for (const days of [...stretches].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))) {
    if (days.from > need) return false;
    if (days.until === null) return true;
    if (days.until >= need) need = addDays(days.until, 1);
    if (need > to) return true;
  }
  return false;
}

const overlap = (a: Days, b: Days): Days | null => {
  const from = a.from > b.from ? a.from : b.from;
  const until = a.until === null ? b.until : b.until === null ? a.until : a.until < b.until ? a.until : b.until;
  return until === null || from <= until ? { from, until } : null;
};

/** The permits, or for a record read before UMA listed them, one from the first permit date. */
const permitsOf = (r: ResidenceV1): readonly Pick<PermitV1, 'ground' | 'from' | 'until'>[] =>
  r.permits.length > 0 ? r.permits : r.ground && r.firstPermitDate ? [{ ground: r.ground, from: r.firstPermitDate, until: null }] : [];

const traffickingDays = (r: ResidenceV1): Days[] =>
  !r.traffickingVictim ? [] : [r.traffickingVictimPeriod ?? { from: '0001-01-01', until: null }];

/** The days a person is within compensation on their own ground (not through family). */
function ownDays(r: ResidenceV1): Days[] {
  const days: Days[] = [];
  for (const permit of permitsOf(r)) {
    if (PROTECTION_GROUNDS.has(permit.ground)) days.push({ from: permit.from, until: permit.until });
    if (permit.ground === 'temporary-protection' && r.firstHomeMunicipality) {
      const withHome = overlap({ from: permit.from, until: permit.until }, { from: r.firstHomeMunicipality.since, until: null });
      if (withHome) days.push(withHome);
    }
  }
  return [...days, ...traffickingDays(r)];
}

/** Own days, and the days of a family permit on which a linked family member has days of their own. */
function compensatedDays(r: ResidenceV1, family: readonly ResidenceV1[]): Days[] {
  const linked = new Set(r.familyLinks.map((link) => link.hetu));
  const sponsors = family.filter((member) => member.found && linked.has(member.hetu)).flatMap(ownDays);
  const throughFamily = permitsOf(r)
    .filter((permit) => permit.ground === 'family')
    .flatMap((permit) => sponsors.map((days) => overlap({ from: permit.from, until: permit.until }, days)))
    .filter((days): days is Days => days !== null);
  return [...ownDays(r), ...throughFamily];
}

/** The last compensated day of the row's type for this person, or null when the type has no period. */
function periodEnd(row: CostRowV1, r: ResidenceV1, birthDate: string): string | null {
  const period = COMPENSATION_PERIODS[row.compensationType];
  if (period.kind === 'none') return null;
  if (period.kind === 'until-age') return lastDayOfYears(birthDate, period.age);
  const since = r.firstHomeMunicipality?.since;
  // Rule 2 refused a row of a person with no first home municipality before this is asked.
  if (!since) return null;
  return lastDayOfYears(since, r.quotaRefugee && period.quotaRefugeeYears ? period.quotaRefugeeYears : period.years);
}

/** Rules 1–5 for one row. */
function decidePerson(row: CostRowV1, facts: PersonFacts): RefusalReason | null {
  if (!typeConcernsPerson(row.compensationType)) return null;
  const hetu = row.hetu === null ? null : parseHetu(row.hetu);
  if (!hetu?.ok) return 'INVALID_HETU';
  const r = facts.residence;
  if (!r?.found) return 'NOT_IN_UMA';

  // Rule 2: within compensation on every day of the row.
  const trafficking = row.compensationType === 'TRAFFICKING_VICTIM';
  if (!covers(trafficking ? traffickingDays(r) : compensatedDays(r, facts.family), row.from, row.to)) return 'NOT_WITHIN_COMPENSATION';
  if (COMPENSATION_PERIODS[row.compensationType].kind === 'years-from-first-home-municipality') {
    if (!r.firstHomeMunicipality || r.firstHomeMunicipality.since > row.from) return 'NOT_WITHIN_COMPENSATION';
  }

  // Rule 3: a Finnish citizen on `from`, for every type but § 68.
  if (!trafficking && r.finnishCitizenSince !== null && r.finnishCitizenSince <= row.from) return 'FINNISH_CITIZEN';

  // Rule 4: the type's period has not run out by `to`.
  const end = periodEnd(row, r, hetu.hetu.birthDate);
  if (end !== null && row.to > end) return 'PERIOD_ENDED';
  return null;
}

/** The verdict of one row, rules 1–6; `claimedVouchers` holds the vouchers already in a claim. */
export function decideRow(row: CostRowV1, facts: PersonFacts, context: RuleContext): Verdict {
  const deadline = claimDeadline(row.to);
  const refuse = (reason: RefusalReason): Verdict => ({ verdict: 'REFUSED', reason, deadline });
  const person = decidePerson(row, facts);
  if (person) return refuse(person);
  if (context.today > deadline) return refuse('DEADLINE_PASSED');
  if (context.claimedVouchers.has(row.voucher)) return refuse('DUPLICATE_ROW');
  return { verdict: 'ACCEPTED', deadline };
}

/**
 * The verdicts of a batch, in row order. A row whose voucher an earlier row of the batch brought
 * into the claim is a `DUPLICATE_ROW`, as one already in a claim before is.
 */
export function decideRows(rows: readonly CostRowV1[], factsOf: (hetu: string) => PersonFacts, context: RuleContext): Verdict[] {
  const claimed = new Set(context.claimedVouchers);
  const none: PersonFacts = { residence: null, family: [] };
  return rows.map((row) => {
    const verdict = decideRow(row, row.hetu === null ? none : factsOf(row.hetu), { ...context, claimedVouchers: claimed });
    if (verdict.verdict === 'ACCEPTED') claimed.add(row.voucher);
    return verdict;
  });
}
