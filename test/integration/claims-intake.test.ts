/**
 * Cost rows through the embedded runtime (issue 13, Acceptance): Vaasa's finance system posts a
 * batch over mutual TLS (and a finance officer imports a CSV with `koto-hub claims import`),
 * `claims-intake` asks UMA's mock about each row's person through the security-server stand-in,
 * judges every row by the compensation rules, groups the accepted ones into claims, and answers
 * each row once in Vaasa's inbox. The population is built here, around the hub's own today: the
 * rules read the day the claim is made, so the fixture's dates count back from this year.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import type { Envelope } from '#contracts/envelope';
import type { ClaimV1 } from '#contracts/claims/claim';
import type { ClaimDecisionDeliveredV1, ClaimPaymentDeliveredV1, ClaimsDeadlineNearV1, ClaimsRowDecidedV1 } from '#contracts/messages/claims';
import { buildClaimXml } from '#contracts/ya/mapper';
import { DEMO_CLIENT } from '#infra/local/local-clients';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { inboxEnvelopes } from '../support/inbox.ts';
import { koto } from '../support/outreach-runs.ts';
import type { DeadLetterSummary } from '#cli/dead-letters';
import type { ClaimsStatus } from '#ops/claims-status';
import { validateAgainstXsd } from '../support/xsd-subset.ts';
import { claimPerson, costRow, costsEnvelope, VAASA_BUSINESS_ID } from '../support/claims.ts';

const Y = new Date().getUTCFullYear();
/** A day of a year counted back from this one. */
const day = (yearsBack: number, monthDay: string) => `${Y - yearsBack}-${monthDay}`;

const A = makeHetu('1990-02-11', 402); // international protection from 4 years back, Vaasa since
const B = makeHetu('1991-03-12', 403); // UMA knows nothing of B
const C = makeHetu('1992-04-13', 404); // a work permit: not within compensation
const D = makeHetu('1993-05-14', 405); // a Finnish citizen since two years back
const E = makeHetu('1994-06-15', 406); // a family permit, linked to A
const HETUS = [A, B, C, D, E];

const population = {
  persons: [
    claimPerson(A, day(4, '01-15'), { family: [{ hetu: E, relation: 'spouse' }] }),
    claimPerson(B, day(4, '01-15'), null),
    claimPerson(C, day(4, '01-15'), { ground: 'work' }),
    claimPerson(D, day(4, '01-15'), { finnishCitizenSince: day(2, '01-01') }),
    claimPerson(E, day(3, '02-01'), { ground: 'family', family: [{ hetu: A, relation: 'spouse' }] }),
  ],
};

let hub: TestHub;
beforeAll(async () => {
  // A year less a day: a row of two years back (deadline 31 December this year) is near, one of last year is not.
  process.env.KOTO_CLAIMS_DEADLINE_WARNING_DAYS = '364';
  hub = await startTestHub({ population, municipalities: ['905', '091'], scheduleSeconds: 0 });
});
afterAll(async () => {
  await hub?.stop();
  delete process.env.KOTO_CLAIMS_DEADLINE_WARNING_DAYS;
});

const lastYear = { from: day(1, '03-01'), to: day(1, '03-31') };

const inboxOf = async <T>(type: string, batchId: string): Promise<T[]> =>
  (await inboxEnvelopes(hub, '905')).filter((e): e is Envelope<T> => e.type === type && (e.payload as { batchId?: string }).batchId === batchId).map((e) => e.payload);
const decisionsOf = (batchId: string) => inboxOf<ClaimsRowDecidedV1>('claims.row.decided.v1', batchId);
const settledDecisions = (batchId: string, rows: number) =>
  eventually(async () => {
    const decisions = await decisionsOf(batchId);
    return decisions.length >= rows ? decisions : undefined;
  }, `the ${rows} verdicts of ${batchId}`);
const hopOfStage = (correlationId: string, stage: string) =>
  eventually(async () => (await hub.auditOf(correlationId)).find((r) => r.stage === stage), `the ${stage} hop`);
const hopOf = (correlationId: string) =>
  eventually(async () => (await hub.auditOf(correlationId)).find((r) => r.stage === 'claims-intake'), 'the claims-intake hop');
const storedClaims = async (): Promise<(ClaimV1 & { batchId: string })[]> =>
  (await hub.scan('correlation')).filter((i) => String(i.pk) === 'CLAIMS#905' && String(i.sk).startsWith('CLAIM#')).map((i) => ({ ...(i.claim as ClaimV1), batchId: i.batchId as string }));

/** The inbox holds messages in the order they were delivered, which the outbox's parallel sends do not fix. */
const byText = (pairs: readonly (readonly string[])[]) => [...pairs].sort((a, b) => a.join().localeCompare(b.join()));

const post = async (envelope: ReturnType<typeof costsEnvelope>) => {
  const response = await hub.post(envelope, DEMO_CLIENT);
  expect(response.status).toBe(202);
  return envelope;
};

describe('cost rows into claims-intake', () => {
  const batch = {
    batchId: 'unit4-it-1',
    rows: [
      costRow('R1', A, lastYear),
      costRow('R2', A, { ...lastYear, compensationType: 'SPECIAL_COSTS', amountCents: 128_450 }),
      costRow('R3', B, lastYear),
      costRow('R4', C, lastYear),
      costRow('R5', D, lastYear),
      costRow('R6', A, { ...lastYear, compensationType: 'SOCIAL_ASSISTANCE' }),
      costRow('R7', A, { from: day(3, '03-01'), to: day(3, '03-31') }),
      costRow('R1', A, { ...lastYear, amountCents: 777 }),
      costRow('R9', '131052-308U', lastYear),
      costRow('R10', E, { ...lastYear, amountCents: 4_321 }),
      costRow('R11', A, { from: day(2, '05-01'), to: day(2, '05-31'), amountCents: 5_005 }),
      costRow('R12', null, { ...lastYear, amountCents: 2_500_000 }),
    ],
  };

  it('ends every row accepted into a claim or refused with the right reason, once in the inbox, with no identity code', async () => {
    const envelope = await post(costsEnvelope(batch));
    const decisions = await settledDecisions(batch.batchId, batch.rows.length);
    expect(byText(decisions.map((d) => [d.voucher, d.reason ?? d.outcome]))).toEqual(byText([
      ['R1', 'accepted'],
      ['R2', 'accepted'],
      ['R3', 'NOT_IN_UMA'],
      ['R4', 'NOT_WITHIN_COMPENSATION'],
      ['R5', 'FINNISH_CITIZEN'],
      ['R6', 'PERIOD_ENDED'],
      ['R7', 'DEADLINE_PASSED'],
      ['R1', 'DUPLICATE_ROW'],
      ['R9', 'INVALID_HETU'],
      ['R10', 'accepted'],
      ['R11', 'accepted'],
      ['R12', 'accepted'],
    ]));
    expect(decisions.every((d) => d.businessId === VAASA_BUSINESS_ID)).toBe(true);
    expect((await hopOf(envelope.correlationId)).outcome).toBe('batch-taken');

    // Rows in = accepted + refused, in cents; the accepted are exactly the claims' rows and totals.
    const cents = (ds: readonly ClaimsRowDecidedV1[]) => ds.reduce((sum, d) => sum + d.amountCents, 0);
    const accepted = decisions.filter((d) => d.outcome === 'accepted');
    expect(cents(decisions)).toBe(batch.rows.reduce((sum, r) => sum + r.amountCents, 0));
    const claims = (await storedClaims()).filter((c) => c.batchId === batch.batchId);
    expect(claims.map((c) => [c.compensationType, c.period, c.rows.map((r) => r.voucher)]).sort()).toEqual(
      [
        ['INTERPRETATION', `${Y - 1}H1`, ['R1', 'R10']],
        ['INTERPRETATION', `${Y - 2}H1`, ['R11']],
        ['PREPAREDNESS', `${Y - 1}H1`, ['R12']],
        ['SPECIAL_COSTS', `${Y - 1}H1`, ['R2']],
      ].sort(),
    );
    expect(claims.reduce((sum, c) => sum + c.totalCents, 0)).toBe(cents(accepted));
    for (const d of accepted) expect(claims.find((c) => c.claimNumber === d.claimNumber)?.rows.map((r) => r.voucher)).toContain(d.voucher);

    // Each claim as YA's document validates against the schema.
    const xsd = readFileSync(join(import.meta.dirname, '..', '..', 'contracts', 'ya', 'ya.xsd'), 'utf8');
    for (const claim of claims) {
      const { batchId: _, ...plain } = claim;
      expect(validateAgainstXsd(xsd, buildClaimXml(plain))).toEqual([]);
    }

    // Nothing personal left the hub's tables: not in the inbox, not in the log.
    const seen = JSON.stringify(await inboxEnvelopes(hub, '905')) + hub.logLines().join('\n');
    for (const hetu of HETUS) expect(seen).not.toContain(hetu);
  });

  it('warns once of a row whose claim deadline is near', async () => {
    const warnings = await eventually(async () => {
      const found = await inboxOf<ClaimsDeadlineNearV1>('claims.deadline.near.v1', batch.batchId);
      return found.length > 0 ? found : undefined;
    }, 'the deadline warning');
    const decisions = await decisionsOf(batch.batchId);
    expect(warnings).toEqual([
      expect.objectContaining({ voucher: 'R11', deadline: `${Y}-12-31`, businessId: VAASA_BUSINESS_ID, claimNumber: decisions.find((d) => d.voucher === 'R11')!.claimNumber }),
    ]);
  });

  it('changes nothing for the same batch posted again, and refuses a voucher already claimed in a later batch', async () => {
    const before = (await inboxEnvelopes(hub, '905')).length;
    const claimsBefore = await storedClaims();
    const again = await post(costsEnvelope(batch));
    expect((await hopOf(again.correlationId)).outcome).toBe('batch-duplicate');
    expect((await inboxEnvelopes(hub, '905')).length).toBe(before);
    expect(await storedClaims()).toEqual(claimsBefore);

    const later = { batchId: 'unit4-it-2', rows: [costRow('R1', A, lastYear), costRow('R20', A, { from: day(1, '08-01'), to: day(1, '08-31') })] };
    await post(costsEnvelope(later));
    const decisions = await settledDecisions(later.batchId, 2);
    expect(byText(decisions.map((d) => [d.voucher, d.reason ?? d.outcome]))).toEqual(byText([
      ['R1', 'DUPLICATE_ROW'],
      ['R20', 'accepted'],
    ]));
  });
});

const cli = (args: readonly string[]) => koto(hub, args);

describe('claims to YA', () => {
  const stored = async (claimNumber: string) =>
    (await hub.scan('correlation')).find((i) => i.pk === 'CLAIMS#905' && i.sk === `CLAIM#${claimNumber}`) as { state: string; caseId?: string } | undefined;

  it('sends each claim of a batch to YA once, as a document that validates against the XSD, and records YA’s receipt', async () => {
    const claims = await eventually(async () => {
      const found = (await storedClaims()).filter((c) => c.batchId === 'unit4-it-1');
      return found.length === 4 && (await Promise.all(found.map((c) => stored(c.claimNumber)))).every((c) => c?.caseId) ? found : undefined;
    }, 'YA’s receipts of the first batch’s claims');
    const ya = hub.mocks!.ya;
    for (const claim of claims) expect(ya.claims.filter((c) => c.claimNumber === claim.claimNumber)).toHaveLength(1);
    const xsd = readFileSync(join(import.meta.dirname, '..', '..', 'contracts', 'ya', 'ya.xsd'), 'utf8');
    for (const document of ya.documents) expect(validateAgainstXsd(xsd, document)).toEqual([]);
    expect((await stored(claims[0]!.claimNumber))?.state).toBe('received');
  });

  it('retries a YA outage, dead-letters the claim with its reason and no identity code, and a redrive sends it', async () => {
    const ya = hub.mocks!.ya;
    // The breaker would hold the claim through an outage; here the retries are what is under test.
    process.env.KOTO_BREAKER_FAILURES_TO_OPEN = '1000';
    ya.faults.set([{ id: 'down', route: 'ya.claims', effect: { kind: 'status', status: 503 } }]);
    try {
      const outage = { batchId: 'unit4-it-outage', rows: [costRow('R30', A, { from: day(1, '10-01'), to: day(1, '10-31'), amountCents: 3_030 })] };
      await post(costsEnvelope(outage));
      const [decision] = await settledDecisions(outage.batchId, 1);
      expect(decision?.outcome).toBe('accepted');
      const dead = await eventually(async () => (await hub.peekDlq('ya-claims')).find((m) => m.Body?.includes(decision!.claimNumber!)), 'the dead letter of the claim', 60_000);
      const messageId = (JSON.parse(dead.Body!) as { messageId: string }).messageId;
      // As the operator sees it: SQS moved it after its receives, the reason from its last failed hop.
      const show = await cli(['dlq', 'show', 'ya-claims', '--json']);
      const shown = (JSON.parse(show.out) as { messages: DeadLetterSummary[] }).messages.find((m) => m.messageId === messageId);
      expect(shown).toMatchObject({ movedBySqs: true, failedStage: 'ya-adapter', failureCode: expect.stringContaining('503') });
      expect(shown!.receives).toBeGreaterThanOrEqual(5);
      for (const hetu of HETUS) expect(show.out + (dead.Body ?? '')).not.toContain(hetu);
      expect(ya.claims.some((c) => c.claimNumber === decision!.claimNumber)).toBe(false);

      ya.faults.clear();
      const redrive = await cli(['dlq', 'redrive', 'ya-claims', '--all']);
      expect(redrive.code, redrive.err).toBe(0);
      const receipt = await eventually(async () => (await stored(decision!.claimNumber!))?.caseId, 'YA’s receipt after the redrive');
      expect(receipt).toMatch(/^KEHA\//);
      expect(ya.claims.filter((c) => c.claimNumber === decision!.claimNumber)).toHaveLength(1);
    } finally {
      ya.faults.clear();
      delete process.env.KOTO_BREAKER_FAILURES_TO_OPEN;
    }
  });
});

describe('YA’s answers back', () => {
  const inboxFor = async <T>(type: string, claimNumber: string): Promise<T[]> =>
    (await inboxEnvelopes(hub, '905')).filter((e): e is Envelope<T> => e.type === type && (e.payload as { claimNumber?: string }).claimNumber === claimNumber).map((e) => e.payload);
  const answered = async (claimNumber: string) =>
    eventually(async () => {
      await hub.trigger('ya-answer-poller');
      const decided = await inboxFor<ClaimDecisionDeliveredV1>('claims.claim.decided.v1', claimNumber);
      const paid = await inboxFor<ClaimPaymentDeliveredV1>('claims.claim.paid.v1', claimNumber);
      return decided.length > 0 && paid.length > 0 ? { decided, paid } : undefined;
    }, `YA’s decision and payment of ${claimNumber} in the inbox`);

  it('delivers YA’s decision and payment to the inbox once, and a decision YA gives again changes nothing', async () => {
    const claim = await eventually(async () => (await storedClaims()).find((c) => c.batchId === 'unit4-it-1' && c.rows.some((r) => r.voucher === 'R10')), 'the claim of R1 and R10');
    const { decided, paid } = await answered(claim.claimNumber);
    expect(decided).toEqual([
      expect.objectContaining({ claimNumber: claim.claimNumber, businessId: VAASA_BUSINESS_ID, claimedCents: claim.totalCents, acceptedCents: claim.totalCents }),
    ]);
    expect(decided[0]!.rows.map((r) => [r.voucher, r.outcome, r.acceptedCents])).toEqual(claim.rows.map((r) => [r.voucher, 'accepted', r.amountCents]));
    expect(paid).toEqual([expect.objectContaining({ amountCents: claim.totalCents, decidedCents: claim.totalCents, differsFromDecision: false, reference: 'RF25202600127' })]);

    const before = (await hub.scan('correlation')).find((i) => i.sk === `CLAIM#${claim.claimNumber}`);
    hub.mocks!.ya.resend(claim.claimNumber, 'decided');
    await hub.trigger('ya-answer-poller');
    await hub.trigger('ya-answer-poller');
    expect(await inboxFor('claims.claim.decided.v1', claim.claimNumber)).toHaveLength(1);
    expect((await hub.scan('correlation')).find((i) => i.sk === `CLAIM#${claim.claimNumber}`)).toEqual(before);
  });

  it('keeps a partly accepted decision per row and flags a payment that differs from it', async () => {
    const ya = hub.mocks!.ya;
    ya.setDecide((c) => c.rows.map((r) => ({ voucher: r.voucher, outcome: 'partly', claimedCents: r.amountCents, acceptedCents: r.amountCents - 1, reason: 'Ohjeen enimmäismäärä' })));
    ya.setPay((_c, decidedCents) => decidedCents - 100);
    try {
      const partly = { batchId: 'unit4-it-partly', rows: [costRow('R40', A, { from: day(1, '11-01'), to: day(1, '11-30'), amountCents: 40_000 })] };
      await post(costsEnvelope(partly));
      const [row] = await settledDecisions(partly.batchId, 1);
      const { decided, paid } = await answered(row!.claimNumber!);
      expect(decided[0]).toMatchObject({ claimedCents: 40_000, acceptedCents: 39_999, rows: [{ voucher: 'R40', outcome: 'partly', acceptedCents: 39_999 }] });
      expect(paid[0]).toMatchObject({ amountCents: 39_899, decidedCents: 39_999, differsFromDecision: true });
      expect(hub.logLines().join('\n')).not.toContain('Ohjeen enimmäismäärä');

      // koto-hub claims status: the claim's sums and its flag, every batch reconciled.
      const status = await cli(['claims', 'status', '--municipality', '905', '--json']);
      expect(status.code, status.err).toBe(1);
      const shown = JSON.parse(status.out) as ClaimsStatus;
      expect(shown.claims.find((c) => c.claimNumber === row!.claimNumber)).toMatchObject({ claimedCents: 40_000, decidedCents: 39_999, paidCents: 39_899, flags: ['PAYMENT_DIFFERS'] });
      expect(shown.batches.length).toBeGreaterThanOrEqual(4);
      expect(shown.batches.every((b) => b.reconciles)).toBe(true);
      for (const hetu of HETUS) expect(status.out).not.toContain(hetu);
    } finally {
      ya.setDecide(undefined);
      ya.setPay(undefined);
    }
  });
});

describe('a supplement request', () => {
  it('reaches the inbox, and the answer posted through ingress goes back to YA on the same claim, after which YA decides', async () => {
    const ya = hub.mocks!.ya;
    ya.setAskSupplement(() => [{ voucher: 'R50', text: 'Toimittakaa laskun erittely.' }]);
    try {
      const batch = { batchId: 'unit4-it-supplement', rows: [costRow('R50', A, { from: day(1, '12-01'), to: day(1, '12-31'), amountCents: 5_050 })] };
      await post(costsEnvelope(batch));
      const [row] = await settledDecisions(batch.batchId, 1);
      const claimNumber = row!.claimNumber!;
      const request = await eventually(async () => {
        await hub.trigger('ya-answer-poller');
        return (await inboxEnvelopes(hub, '905')).find((e) => e.type === 'claims.supplement.requested.v1' && (e.payload as { claimNumber: string }).claimNumber === claimNumber);
      }, 'the supplement request in the inbox');
      const { requestId, questions } = request.payload as { requestId: string; questions: unknown };
      expect(questions).toEqual([{ voucher: 'R50', text: 'Toimittakaa laskun erittely.' }]);

      const answers = [{ voucher: 'R50', text: 'Erittely: 1 tunti tulkkausta.' }];
      const answer = { ...costsEnvelope({ batchId: 'x', rows: [] }), type: 'claims.supplement.answered.v1', payload: { claimNumber, requestId, businessId: VAASA_BUSINESS_ID, answers } };
      expect((await hub.post(answer, DEMO_CLIENT)).status).toBe(202);
      await eventually(async () => ya.supplements.get(claimNumber), 'YA’s copy of the answer');
      expect(ya.supplements.get(claimNumber)).toEqual({ requestId, answers });

      const decided = await eventually(async () => {
        await hub.trigger('ya-answer-poller');
        return (await inboxEnvelopes(hub, '905')).find((e) => e.type === 'claims.claim.decided.v1' && (e.payload as { claimNumber: string }).claimNumber === claimNumber);
      }, 'the decision after the supplement');
      expect(decided.payload).toMatchObject({ acceptedCents: 5_050 });

      // The same answer again is not sent to YA twice.
      const again = { ...answer, messageId: randomUUID(), correlationId: randomUUID() };
      expect((await hub.post(again, DEMO_CLIENT)).status).toBe(202);
      expect((await hopOfStage(again.correlationId, 'ya-adapter')).outcome).toBe('supplement-already-sent');
      expect(hub.logLines().join('\n')).not.toMatch(/Toimittakaa|Erittely/);
    } finally {
      ya.setAskSupplement(undefined);
    }
  });
});

describe('koto-hub claims import', () => {
  const importCli = (args: readonly string[]) => cli(['claims', 'import', ...args]);
  const fi = (iso: string) => iso.split('-').reverse().map(Number).join('.');
  it('reports every bad line by number and column and imports nothing, then imports the good lines with --skip-bad', async () => {
    const csv = join(hub.dataDir.root, 'costs.csv');
    writeFileSync(
      csv,
      [
        'tosite;henkilotunnus;korvauslaji;alkupvm;loppupvm;summa',
        `CSV-1;${A};INTERPRETATION;${fi(lastYear.from)};${fi(lastYear.to)};120,50`,
        `CSV-2;${D};INTERPRETATION;${fi(lastYear.from)};${fi(lastYear.to)};12.50`,
        `CSV-3;${C};TULKKAUS;${fi(lastYear.from)};31.2.${Y - 1};80,00`,
        `CSV-4;${E};INTERPRETATION;${fi(lastYear.from)};${fi(lastYear.to)};1 000,00`,
      ].join('\n'),
    );
    const strict = await importCli([csv, '--municipality', '905', '--business-id', VAASA_BUSINESS_ID]);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain('line 3, column summa:');
    expect(strict.err).toContain('line 4, column korvauslaji:');
    expect(strict.err).toContain('line 4, column loppupvm:');
    expect(strict.err).toContain('nothing imported: 2 bad lines');
    for (const hetu of HETUS) expect(strict.out + strict.err).not.toContain(hetu);

    const lenient = await importCli([csv, '--municipality', '905', '--business-id', VAASA_BUSINESS_ID, '--skip-bad']);
    expect(lenient.code, lenient.err).toBe(0);
    const batchId = /\((csv-[0-9a-f]{16}-1)\)/.exec(lenient.out)?.[1];
    expect(batchId).toBeDefined();
    const decisions = await settledDecisions(batchId!, 2);
    expect(decisions.map((d) => [d.voucher, d.outcome, d.amountCents]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['CSV-1', 'accepted', 12_050],
      ['CSV-4', 'accepted', 100_000],
    ]);
  });
});
