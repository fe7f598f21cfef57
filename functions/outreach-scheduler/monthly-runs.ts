/**
 * The monthly outreach runs (docs/DESIGN.md "Outreach run": monthly, per municipality): one
 * `outreach.run.requested.v1` per municipality the hub serves, for the month the schedule fired in.
 *
 * Everything is a function of (municipality, month), so a second trigger in the same month — a
 * retry of the schedule, a manual one — makes the very same envelopes: the same run id (the
 * correlation id), the same message id and `occurredAt`, and so the same root audit record. The
 * run store then knows the run, and nothing is requested again; a request sent twice before the run
 * was recorded is a duplicate the next hop drops.
 *
 * No I/O here: functions/outreach-scheduler/handler.ts looks the runs up and sends.
 */
import type { Envelope } from '#contracts/envelope';
import { buildEnvelope, type PayloadOf } from '#contracts/messages/registry';
import { finnishMonth } from '#lib/finnish-time';
import { deterministicUuid } from '#lib/ids';

/** The stage name in the audit log and in the ids of the requests. */
export const SCHEDULER_STAGE = 'outreach-scheduler';

/** Rows per page when a scheduled run fetches its source lists. */
export const SCHEDULED_LIST_PAGE_SIZE = 200;

export type RunRequestEnvelope = Envelope<PayloadOf<'outreach.run.requested.v1'>>;

/** The municipalities are Finnish: a month begins and ends in Finnish time. */
export { finnishMonth };

/** The run id of a municipality's scheduled run of a month. */
export const monthlyRunId = (municipality: string, month: string): string => deterministicUuid(SCHEDULER_STAGE, 'run', municipality, month);

/** The request of a municipality's run for the month, on the first day of the month. */
export const monthlyRunRequest = (municipality: string, month: string): RunRequestEnvelope => {
  const runId = monthlyRunId(municipality, month);
  const asOf = `${month}-01`;
  return buildEnvelope(
    'outreach.run.requested.v1',
    { asOf, requestedBy: 'schedule', listPageSize: SCHEDULED_LIST_PAGE_SIZE },
    {
      messageId: deterministicUuid(runId, SCHEDULER_STAGE, 'requested'),
      correlationId: runId,
      causationId: null,
      source: 'hub',
      target: 'hub',
      municipality,
      // Of the month, not of the trigger: a second trigger must make the same envelope.
      occurredAt: `${asOf}T00:00:00.000Z`,
    },
  );
};

/** The requests of every municipality's run for the month it is in Finland at `when`, in the order given. */
export const monthlyRunRequests = (municipalities: readonly string[], when: Date): RunRequestEnvelope[] => {
  const month = finnishMonth(when);
  return municipalities.map((municipality) => monthlyRunRequest(municipality, month));
};
