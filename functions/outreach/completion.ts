/** The event that closes a run's deciding: every candidate has an outcome. */
import type { OutreachRunDecidedV1 } from '#contracts/messages/outreach';
import type { RunItem } from '#functions/outreach/run-store';

export const decidedEvent = (run: RunItem): OutreachRunDecidedV1 => ({
  asOf: run.asOf,
  expected: run.expected ?? 0,
  decided: run.decided,
  unresolved: run.unresolved,
});
