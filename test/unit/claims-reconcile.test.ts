/**
 * Reconciliation of the claims flow (issue 13 item 5), property-style over generated cost rows: at
 * every step the sums match exactly in cents — rows in = accepted + refused; the accepted rows are
 * exactly the claims' rows and their totals; YA's decided cents are the sum of its rows; and
 * `koto-hub claims status` shows the same sums, flagging exactly the payments that differ from the
 * decision and the claims without a decision past the configured days.
 */
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { notFoundResidence, type ResidenceV1 } from '#contracts/canonical/residence';
import { compensationTypes } from '#contracts/claims/compensation';
import type { CostRowV1, CostsSubmittedV1 } from '#contracts/claims/cost-rows';
import { decideRows, type PersonFacts } from '#contracts/claims/eligibility';
import { MAX_ROW_CENTS } from '#contracts/claims/money';
import type { ClaimDecidedV1, ClaimPaidV1 } from '#contracts/ya/answers';
import { batchSums, judged } from '#functions/claims/intake';
import { claimsStatus } from '#ops/claims-status';
import { between, seededRandom } from '../support/seeded-random.ts';

const TODAY = '2026-11-16';
const persons = Array.from({ length: 6 }, (_, i) => makeHetu(`198${i}-0${i + 1}-1${i}`, 300 + i));
const residence = (hetu: string, i: number): ResidenceV1 =>
  i === 5
    ? notFoundResidence(hetu)
    : {
        ...notFoundResidence(hetu),
        found: true,
        firstPermitDate: '2021-03-01',
        permitType: 'A',
        ground: i === 4 ? 'work' : 'international-protection',
        permits: [{ permitType: 'A', ground: i === 4 ? 'work' : 'international-protection', grantedOn: '2021-03-01', from: '2021-03-01', until: null }],
        firstHomeMunicipality: { code: '905', since: i === 3 ? '2025-01-01' : '2021-04-01' },
        finnishCitizenSince: i === 2 ? '2025-06-01' : null,
      };
const facts = new Map(persons.map((hetu, i) => [hetu, { residence: residence(hetu, i), family: [] } as PersonFacts]));

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

const generateBatch = (next: () => number, n: number): CostsSubmittedV1 => ({
  batchId: `gen-${n}`,
  businessId: '0209602-6',
  rows: Array.from({ length: between(next, 1, 60) }, (): CostRowV1 => {
    const type = compensationTypes[between(next, 0, compensationTypes.length - 1)]!;
    const year = between(next, 2021, 2026);
    const month = between(next, 1, 12);
    const from = iso(year, month, between(next, 1, 14));
    const to = iso(year, month, between(next, 15, 28));
    // Amounts from one cent to the largest a row may have, often the awkward ones a float would round.
    const amountCents = next() < 0.2 ? MAX_ROW_CENTS - between(next, 0, 99) : next() < 0.5 ? between(next, 1, 99) : between(next, 1, 1_000_000_00);
    return {
      voucher: `V-${between(next, 1, 40)}`,
      hetu: type === 'PREPAREDNESS' ? null : next() < 0.05 ? '010101-0101' : persons[between(next, 0, persons.length - 1)]!,
      compensationType: type,
      from,
      to,
      amountCents,
    };
  }),
});

describe('the sums reconcile at every step, in cents', () => {
  it.each(Array.from({ length: 40 }, (_, seed) => seed + 1))('for the generated batch of seed %i', (seed) => {
    const next = seededRandom(seed);
    const batch = generateBatch(next, seed);
    const claimedBefore = new Set(Array.from({ length: between(next, 0, 5) }, () => `V-${between(next, 1, 40)}`));
    const verdicts = decideRows(batch.rows, (hetu) => facts.get(hetu) ?? { residence: null, family: [] }, { today: TODAY, claimedVouchers: claimedBefore });
    const { claims, decisions } = judged('905', batch, verdicts);
    const sums = batchSums(batch.rows, decisions);

    // Every row has one answer, in row order; rows in = accepted + refused.
    expect(decisions.map((d) => d.voucher)).toEqual(batch.rows.map((r) => r.voucher));
    const exact = (amounts: readonly number[]) => amounts.reduce((a, b) => a + BigInt(b), 0n);
    expect(BigInt(sums.in.cents)).toBe(exact(batch.rows.map((r) => r.amountCents)));
    expect(sums.in.rows).toBe(sums.accepted.rows + sums.refused.rows);
    expect(sums.in.cents).toBe(sums.accepted.cents + sums.refused.cents);

    // The accepted rows are exactly the claims' rows, each in one claim, and their cents the claims' totals.
    const claimRows = claims.flatMap((c) => c.rows.map((r) => r.voucher)).sort();
    expect(claimRows).toEqual(decisions.filter((d) => d.outcome === 'accepted').map((d) => d.voucher).sort());
    for (const claim of claims) expect(BigInt(claim.totalCents)).toBe(exact(claim.rows.map((r) => r.amountCents)));
    expect(exact(claims.map((c) => c.totalCents))).toBe(BigInt(sums.accepted.cents));

    // YA decides each claim per row and pays, sometimes another sum; the status shows the same sums.
    const items: Record<string, unknown>[] = [
      { pk: 'CLAIMS#905', sk: `BATCH#${batch.batchId}`, sums, claims: claims.map((c) => c.claimNumber), receivedOn: TODAY },
    ];
    let decidedTotal = 0n;
    let paidTotal = 0n;
    const differing = new Set<string>();
    const undecided = new Set<string>();
    for (const claim of claims) {
      const head = { claimNumber: claim.claimNumber, caseId: 'KEHA/1/2026' };
      const rows = claim.rows.map((r) => {
        const roll = next();
        const acceptedCents = roll < 0.6 ? r.amountCents : roll < 0.8 || r.amountCents < 2 ? 0 : between(next, 1, r.amountCents - 1);
        const outcome = acceptedCents === r.amountCents ? ('accepted' as const) : acceptedCents === 0 ? ('rejected' as const) : ('partly' as const);
        return { voucher: r.voucher, outcome, claimedCents: r.amountCents, acceptedCents, reason: null };
      });
      const decided = next() < 0.8;
      const accepted = rows.reduce((a, r) => a + r.acceptedCents, 0);
      const decision: ClaimDecidedV1 = { kind: 'decided', ...head, decidedOn: TODAY, rows, acceptedCents: accepted };
      const paidCents = next() < 0.8 ? accepted : accepted + between(next, 1, 500);
      const payment: ClaimPaidV1 = { kind: 'paid', ...head, paidOn: TODAY, amountCents: paidCents, reference: 'RF25202600127', iban: 'FI2112345600000785' };
      const paid = decided && next() < 0.7;
      if (decided) decidedTotal += BigInt(accepted);
      else undecided.add(claim.claimNumber);
      if (paid) paidTotal += BigInt(paidCents);
      if (paid && paidCents !== accepted) differing.add(claim.claimNumber);
      items.push({
        pk: 'CLAIMS#905',
        sk: `CLAIM#${claim.claimNumber}`,
        claim,
        state: paid ? 'paid' : decided ? 'decided' : 'received',
        createdOn: '2026-01-02',
        ...(decided ? { decision } : {}),
        ...(paid ? { payment } : {}),
      });
    }
    const status = claimsStatus(items, { municipality: '905', today: TODAY, noDecisionDays: 90 });
    expect(BigInt(status.totals.claimedCents)).toBe(BigInt(sums.accepted.cents));
    expect(BigInt(status.totals.decidedCents)).toBe(decidedTotal);
    expect(BigInt(status.totals.paidCents)).toBe(paidTotal);
    expect(status.batches).toEqual([expect.objectContaining({ reconciles: true, claimsCents: sums.accepted.cents })]);
    expect(new Set(status.claims.filter((c) => c.flags.includes('PAYMENT_DIFFERS')).map((c) => c.claimNumber))).toEqual(differing);
    expect(new Set(status.claims.filter((c) => c.flags.includes('NO_DECISION')).map((c) => c.claimNumber))).toEqual(undecided);
  });

  it('generates batches with both accepted and refused rows, so the properties above are not vacuous', () => {
    let accepted = 0;
    let refused = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const batch = generateBatch(seededRandom(seed), seed);
      for (const v of decideRows(batch.rows, (hetu) => facts.get(hetu) ?? { residence: null, family: [] }, { today: TODAY, claimedVouchers: new Set() })) {
        if (v.verdict === 'ACCEPTED') accepted += 1;
        else refused += 1;
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('shows a batch whose claims lost cents as not reconciling', () => {
    const next = seededRandom(99);
    const batch = generateBatch(next, 99);
    const verdicts = decideRows(batch.rows, (hetu) => facts.get(hetu) ?? { residence: null, family: [] }, { today: TODAY, claimedVouchers: new Set() });
    const { claims, decisions } = judged('905', batch, verdicts);
    expect(claims.length).toBeGreaterThan(0);
    const [first, ...rest] = claims;
    const items = [
      { pk: 'CLAIMS#905', sk: `BATCH#${batch.batchId}`, sums: batchSums(batch.rows, decisions), claims: claims.map((c) => c.claimNumber), receivedOn: TODAY },
      { pk: 'CLAIMS#905', sk: `CLAIM#${first!.claimNumber}`, claim: { ...first!, totalCents: first!.totalCents - 1 }, state: 'received', createdOn: TODAY },
      ...rest.map((claim) => ({ pk: 'CLAIMS#905', sk: `CLAIM#${claim.claimNumber}`, claim, state: 'received', createdOn: TODAY })),
    ];
    expect(claimsStatus(items, { municipality: '905', today: TODAY, noDecisionDays: 90 }).batches[0]!.reconciles).toBe(false);
  });

  it('flags no decision only after the configured days, counted from the day the claim was made', () => {
    const batch: CostsSubmittedV1 = {
      batchId: 'fixed',
      businessId: '0209602-6',
      rows: [{ voucher: 'V-1', hetu: persons[0]!, compensationType: 'INTERPRETATION', from: '2026-03-01', to: '2026-03-31', amountCents: 12_345 }],
    };
    const { claims } = judged('905', batch, decideRows(batch.rows, (hetu) => facts.get(hetu) ?? { residence: null, family: [] }, { today: TODAY, claimedVouchers: new Set() }));
    const item = { pk: 'CLAIMS#905', sk: `CLAIM#${claims[0]!.claimNumber}`, claim: claims[0], state: 'received', createdOn: '2026-08-18' };
    const flagsOn = (today: string) => claimsStatus([item], { municipality: '905', today, noDecisionDays: 90 }).claims[0]!.flags;
    expect(flagsOn('2026-11-16')).toEqual([]);
    expect(flagsOn('2026-11-17')).toEqual(['NO_DECISION']);
  });
});
