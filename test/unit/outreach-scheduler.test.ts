/**
 * The monthly outreach runs (functions/outreach-scheduler/monthly-runs.ts): one request per
 * municipality, for the first day of the month it is in Finland, and the same envelope — run id,
 * message id, occurredAt — whenever the schedule fires again in that month.
 */
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '#contracts/messages/registry';
import { finnishMonth, monthlyRunId, monthlyRunRequests, SCHEDULED_LIST_PAGE_SIZE } from '#functions/outreach-scheduler/monthly-runs';

const SERVED = ['905', '091', '837'];
const FIRST_OF_NOVEMBER = new Date('2026-11-01T05:00:00.000Z');

describe('monthly outreach run requests', () => {
  it('one valid outreach.run.requested.v1 per municipality, for the first day of the month, from the schedule', () => {
    const requests = monthlyRunRequests(SERVED, FIRST_OF_NOVEMBER);
    expect(requests.map((r) => r.municipality)).toEqual(SERVED);
    for (const request of requests) {
      expect(parseEnvelope(JSON.parse(JSON.stringify(request))).ok).toBe(true);
      expect(request).toMatchObject({
        type: 'outreach.run.requested.v1',
        source: 'hub',
        target: 'hub',
        causationId: null,
        payload: { asOf: '2026-11-01', requestedBy: 'schedule', listPageSize: SCHEDULED_LIST_PAGE_SIZE },
      });
      // The run id is the correlation id (functions/outreach/deps.ts runIdOf).
      expect(request.correlationId).toBe(monthlyRunId(request.municipality, '2026-11'));
    }
  });

  it('each municipality gets a run of its own, and every message an id of its own', () => {
    const requests = monthlyRunRequests(SERVED, FIRST_OF_NOVEMBER);
    expect(new Set(requests.map((r) => r.correlationId)).size).toBe(SERVED.length);
    expect(new Set(requests.map((r) => r.messageId)).size).toBe(SERVED.length);
    expect(requests.every((r) => r.messageId !== r.correlationId)).toBe(true);
  });

  it('a second trigger later in the same month makes the very same envelopes', () => {
    const first = monthlyRunRequests(SERVED, FIRST_OF_NOVEMBER);
    const again = monthlyRunRequests(SERVED, new Date('2026-11-17T13:45:00.000Z'));
    expect(again).toEqual(first);
  });

  it('the next month is another run', () => {
    const november = monthlyRunRequests(['905'], FIRST_OF_NOVEMBER)[0]!;
    const december = monthlyRunRequests(['905'], new Date('2026-12-01T05:00:00.000Z'))[0]!;
    expect(december.correlationId).not.toBe(november.correlationId);
    expect(december.messageId).not.toBe(november.messageId);
    expect(december.payload.asOf).toBe('2026-12-01');
  });

  it('the month is the one in Finland: late on the last day in UTC is already the next month in Helsinki', () => {
    // 22:30 UTC on 30 November is 00:30 on 1 December in Helsinki (UTC+2 in winter).
    expect(finnishMonth(new Date('2026-11-30T22:30:00.000Z'))).toBe('2026-12');
    expect(finnishMonth(new Date('2026-11-30T21:59:59.000Z'))).toBe('2026-11');
    // Summer time, UTC+3.
    expect(finnishMonth(new Date('2026-06-30T21:00:00.000Z'))).toBe('2026-07');
    expect(finnishMonth(new Date('2026-06-30T20:59:59.000Z'))).toBe('2026-06');
    // New year.
    expect(monthlyRunRequests(['905'], new Date('2026-12-31T23:00:00.000Z'))[0]!.payload.asOf).toBe('2027-01-01');
  });

  it('no municipalities, no requests', () => {
    expect(monthlyRunRequests([], FIRST_OF_NOVEMBER)).toEqual([]);
  });

  it('an unknown municipality code is refused by the envelope contract', () => {
    expect(() => monthlyRunRequests(['999'], FIRST_OF_NOVEMBER)).toThrow();
  });
});
