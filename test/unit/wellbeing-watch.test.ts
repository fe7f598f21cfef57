/** The reply poller's choice of requests (functions/wellbeing/watch.ts): read until a week after the deadline, then left. */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { LATE_READ_DAYS, pollOpenRequests } from '#functions/wellbeing/watch';

const DAY = 86_400_000;
const open = [
  { requestId: '11111111-1111-4111-8111-111111111111', municipality: '905', dueAt: '2026-11-30T07:00:00.000Z' },
  { requestId: '22222222-2222-4222-8222-222222222222', municipality: '905', dueAt: '2026-11-01T07:00:00.000Z' },
];

describe('the reply poller', () => {
  it(`polls each open request, and closes one whose deadline is more than ${LATE_READ_DAYS} days past`, async () => {
    const closed: string[] = [];
    const sent: Envelope[] = [];
    const now = new Date(Date.parse('2026-11-01T07:00:00.000Z') + LATE_READ_DAYS * DAY + 1);
    const deps = { store: { openRequests: async () => open, close: async (id: string) => void closed.push(id) }, send: async (polls: readonly Envelope[]) => void sent.push(...polls) };
    expect(await pollOpenRequests(now, deps)).toEqual({ polled: 1, closed: 1 });
    expect(closed).toEqual([open[1]!.requestId]);
    expect(sent).toMatchObject([{ type: 'wellbeing.replies.poll.v1', correlationId: open[0]!.requestId, municipality: '905', payload: { polledAt: now.toISOString() } }]);
    // The same schedule tick polls with the same message: a retried invocation sends nothing new.
    const again: Envelope[] = [];
    await pollOpenRequests(now, { ...deps, send: async (polls) => void again.push(...polls) });
    expect(again[0]!.messageId).toBe(sent[0]!.messageId);
  });
});
