/** `koto-hub report`'s rows from the correlation table's items: counts per municipality and month, and nothing personal. */
import { describe, expect, it } from 'vitest';
import { reportCsv, reportRows } from '#ops/report';
import { containsHetuShape } from '#contracts/hetu';
import { RECORD_HETU } from '../support/records.ts';

const RUN = 'RUN#7f0c2a34-1b2c-4d5e-8f90-123456789abc';
const items = [
  { pk: RUN, sk: 'RUN', runId: 'x', municipality: '905', asOf: '2026-11-01', phase: 'delivered' },
  { pk: RUN, sk: 'CAND#a1', hetu: RECORD_HETU, outcome: 'target' },
  { pk: RUN, sk: 'CAND#a2', hetu: '010190-123A', outcome: 'target' },
  { pk: RUN, sk: 'CAND#a3', hetu: '010190-124B', outcome: 'ALREADY_ASSESSED' },
  { pk: 'MUNICIPALITY#905#PENDING', sk: 'CANDIDATE#h1', hetu: RECORD_HETU, municipality: '905', status: 'decided', outcome: 'target', decidedAt: '2026-12-02T08:00:00Z' },
  { pk: 'MUNICIPALITY#905#PENDING', sk: 'CANDIDATE#h2', hetu: RECORD_HETU, municipality: '905', status: 'pending' },
  { pk: 'RECORDS#905', sk: 'RECORD#v1', type: 'record.plan.v1', payload: { hetu: RECORD_HETU }, status: 'stored', storedOn: '2026-11-20' },
  { pk: 'RECORDS#905', sk: 'RECORD#v2', type: 'record.plan-review.v1', payload: { hetu: RECORD_HETU }, status: 'stored', storedOn: '2026-12-01' },
  { pk: 'RECORDS#905', sk: 'RECORD#v3', type: 'record.assessment.v1', payload: { hetu: RECORD_HETU }, status: 'refused', storedOn: '2026-12-01' },
  { pk: 'RECORDS#905', sk: 'RECORD#v4', type: 'record.service-completion.v1', payload: { hetu: RECORD_HETU }, status: 'accepted' },
  { pk: 'RECORDS#091', sk: 'RECORD#v5', type: 'record.assessment.v1', payload: { hetu: RECORD_HETU }, status: 'stored', storedOn: '2026-12-03' },
  { pk: 'RECORDS#905', sk: 'PLAN#v1', recordId: 'SUU-1', validFrom: '2026-03-02', validUntil: '2027-03-01' },
];

describe('koto-hub report', () => {
  it('counts targets and stored records per municipality and month, leaving out the refused, the waiting and the undecided', () => {
    expect(reportRows(items)).toEqual([
      { municipality: '091', month: '2026-12', outreachTargets: 0, assessments: 1, plans: 0, reviews: 0, completions: 0 },
      { municipality: '905', month: '2026-11', outreachTargets: 2, assessments: 0, plans: 1, reviews: 0, completions: 0 },
      { municipality: '905', month: '2026-12', outreachTargets: 1, assessments: 0, plans: 0, reviews: 1, completions: 0 },
    ]);
  });

  it('writes CSV with a header and carries no identity code in CSV or JSON', () => {
    const csv = reportCsv(reportRows(items));
    expect(csv.split('\r\n')[0]).toBe('municipality,month,outreachTargets,assessments,plans,reviews,completions');
    expect(csv.split('\r\n')[2]).toBe('905,2026-11,2,0,1,0,0');
    for (const text of [csv, JSON.stringify(reportRows(items))]) {
      expect(containsHetuShape(text)).toBe(false);
      expect(text).not.toContain(RECORD_HETU);
    }
  });

  it('gives only the header when nothing passed through', () => {
    expect(reportCsv(reportRows([]))).toBe('municipality,month,outreachTargets,assessments,plans,reviews,completions\r\n');
  });
});
