/** Which system keeps a record, and the order in which a person's records must reach it. */
import { describe, expect, it } from 'vitest';
import { recordDate, type MunicipalRecord } from '#contracts/messages/records';
import { storeOf } from '#functions/records/routing';
import { storeOrder } from '#functions/records/store-order';
import { planViiteOf, recordViite } from '#functions/records/viite';
import { assessmentRecord, completionRecord, planRecord, reviewRecord } from '../support/records.ts';
import { seededRandom } from '../support/seeded-random.ts';

const ids = (records: readonly MunicipalRecord[]): string[] => records.map((r) => r.payload.recordId);

describe('routing by the customer’s status', () => {
  it('sends a jobseeker’s assessment and plan to the employment services data store, everyone else’s to Koto-AJ', () => {
    expect(storeOf(assessmentRecord({ jobseeker: true }))).toBe('datastore');
    expect(storeOf(planRecord({ jobseeker: true }))).toBe('datastore');
    expect(storeOf(assessmentRecord({ jobseeker: false }))).toBe('kotoaj');
    expect(storeOf(planRecord({ jobseeker: false }))).toBe('kotoaj');
  });

  it('sends a review where its plan was written, whatever the flag says by then', () => {
    expect(storeOf(reviewRecord({ jobseeker: true }), 'kotoaj')).toBe('kotoaj');
    expect(storeOf(reviewRecord({ jobseeker: false }), 'datastore')).toBe('datastore');
    expect(storeOf(reviewRecord({ jobseeker: true }))).toBe('datastore');
  });

  it('sends a completion with its plan when it names one, by its own flag when it names none', () => {
    expect(storeOf(completionRecord({ jobseeker: true }), 'kotoaj')).toBe('kotoaj');
    expect(storeOf(completionRecord({ jobseeker: true, planRecordId: null }), 'kotoaj')).toBe('datastore');
    expect(storeOf(completionRecord({ jobseeker: false, planRecordId: null }))).toBe('kotoaj');
  });
});

describe('store order', () => {
  it('puts a plan before its review and completion, and the rest by date', () => {
    const order = storeOrder(
      [reviewRecord(), completionRecord({ from: '2026-02-20', to: '2026-02-25' }), assessmentRecord(), planRecord()],
      new Set(),
    );
    // The completion ended before the plan started, yet belongs to it: it follows the plan.
    expect(ids(order.send)).toEqual(['ARV-1', 'SUU-1', 'PAL-1', 'TAR-1']);
    expect(order.waiting).toEqual([]);
    expect(order.repeats).toEqual([]);
  });

  it('orders records of one day by the instant they were made, whatever their offsets', () => {
    const early = assessmentRecord({ recordId: 'A-early', date: '2026-03-02', madeAt: '2026-03-02T09:00:00+03:00' });
    const late = assessmentRecord({ recordId: 'A-late', date: '2026-03-02', madeAt: '2026-03-02T06:30:00Z' });
    expect(ids(storeOrder([late, early], new Set()).send)).toEqual(['A-early', 'A-late']);
  });

  it('holds back a review whose plan is neither among the records nor in a store, and nothing else', () => {
    const order = storeOrder([reviewRecord(), assessmentRecord()], new Set());
    expect(ids(order.send)).toEqual(['ARV-1']);
    expect(ids(order.waiting)).toEqual(['TAR-1']);
  });

  it('sends a review at once when the store already holds its plan', () => {
    const order = storeOrder([reviewRecord()], new Set([recordViite(planRecord())]));
    expect(ids(order.send)).toEqual(['TAR-1']);
  });

  it('sends a retried record once and reports a changed copy under the same id', () => {
    const plan = planRecord();
    const changed = planRecord({ validUntil: '2026-12-31' });
    const order = storeOrder([plan, reviewRecord(), { ...plan, payload: { ...plan.payload } }, changed], new Set());
    expect(order.send).toEqual([plan, reviewRecord()]);
    expect(order.repeats).toEqual([
      { record: plan, changed: false },
      { record: changed, changed: true },
    ]);
  });

  it('keeps plans of the same record id in two municipalities apart', () => {
    const order = storeOrder([reviewRecord({}, '091'), planRecord({}, '905')], new Set());
    expect(ids(order.send)).toEqual(['SUU-1']);
    expect(order.waiting).toEqual([reviewRecord({}, '091')]);
  });
});

describe('store order over generated histories (seeded)', () => {
  const day = (offset: number): string => new Date(Date.UTC(2026, 0, 1 + offset)).toISOString().slice(0, 10);

  const history = (next: () => number): MunicipalRecord[] => {
    const records: MunicipalRecord[] = [];
    const plans = 1 + Math.floor(next() * 3);
    for (let p = 0; p < plans; p += 1) {
      const start = Math.floor(next() * 400);
      records.push(planRecord({ recordId: `SUU-${p}`, validFrom: day(start), validUntil: day(start + 360), madeAt: `${day(start)}T10:00:00+02:00` }));
      const reviews = Math.floor(next() * 4);
      for (let r = 0; r < reviews; r += 1) {
        // Some reviews are dated before their plan (rule 2 refuses them; the order still keeps the plan first).
        const date = day(start - 5 + Math.floor(next() * 200));
        records.push(reviewRecord({ recordId: `TAR-${p}-${r}`, planRecordId: `SUU-${p}`, date, madeAt: `${date}T12:00:00+02:00` }));
      }
      if (next() < 0.5) records.push(completionRecord({ recordId: `PAL-${p}`, planRecordId: `SUU-${p}`, from: day(start - 10), to: day(start - 2) }));
    }
    for (let a = 0; a < 2; a += 1) {
      const date = day(Math.floor(next() * 400));
      records.push(assessmentRecord({ recordId: `ARV-${a}`, date, madeAt: `${date}T08:00:00+02:00` }));
    }
    records.push(reviewRecord({ recordId: 'TAR-orphan', planRecordId: 'SUU-none' }));
    return records;
  };

  const arrival = (records: MunicipalRecord[], next: () => number): MunicipalRecord[] => {
    const copies = [...records, ...records.filter(() => next() < 0.3)];
    for (let i = copies.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [copies[i], copies[j]] = [copies[j]!, copies[i]!];
    }
    return copies;
  };

  it.each(Array.from({ length: 40 }, (_, seed) => seed + 1))('seed %i: one order whatever the arrival, plans first, dates otherwise', (seed) => {
    const next = seededRandom(seed);
    const records = history(next);
    const expected = storeOrder(records, new Set());
    for (let shuffle = 0; shuffle < 5; shuffle += 1) {
      const order = storeOrder(arrival(records, next), new Set());
      expect(ids(order.send)).toEqual(ids(expected.send));
      expect(order.repeats.every((r) => !r.changed)).toBe(true);
    }

    expect(ids(expected.waiting)).toEqual(['TAR-orphan']);
    expect(expected.send).toHaveLength(records.length - 1);
    const position = new Map(expected.send.map((r, i) => [recordViite(r), i]));
    for (const [i, record] of expected.send.entries()) {
      const plan = planViiteOf(record);
      if (plan !== null) expect(position.get(plan)).toBeLessThan(i);
    }
    // Records that do not wait for a plan in the batch come in date order.
    const free = expected.send.filter((r) => planViiteOf(r) === null).map(recordDate);
    expect(free).toEqual([...free].sort());
  });
});
