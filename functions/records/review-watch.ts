/**
 * `plan.review.overdue.v1` (docs/DESIGN.md "Plan rules" 2): each day the schedule looks at every
 * plan the hub accepted for a municipality and raises the event for a plan whose next review fell
 * due before that day, once per plan and due day. Once: the event's message id is derived from the
 * plan's `viite` and the due day, so a second raise (a retried schedule, a crash before the plan
 * was marked) is the same message and the inbox keeps it once; the plan is marked afterwards so
 * that later days raise nothing. A review that comes moves the due day, and a new one may follow.
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import { buildEnvelope } from '#contracts/messages/registry';
import type { PlanReviewOverdueV1 } from '#contracts/messages/records';
import { deterministicUuid } from '#lib/ids';
import { historyOf, partition, type PlanItem } from '#functions/records/intake';
import { reviewOverdue } from '#functions/records/plan-rules';

export const REVIEW_WATCH_STAGE = 'records-review-watch';

export interface ReviewWatchDeps {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
  /** Sends the events (with their root audit records) to the municipality's outbox. */
  readonly raise: (events: readonly Envelope<PlanReviewOverdueV1>[]) => Promise<void>;
}

type StoredPlan = PlanItem & { readonly sk: string; readonly overdueRaisedFor?: string };

async function plansOf(municipality: string, deps: ReviewWatchDeps): Promise<StoredPlan[]> {
  const plans: StoredPlan[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(
      new QueryCommand({
        TableName: deps.table,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': partition(municipality), ':s': 'PLAN#' },
        ExclusiveStartKey: start,
      }),
    );
    plans.push(...((page.Items ?? []) as StoredPlan[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return plans;
}

/** Raises the overdue reviews of `municipalities` as of `today` (YYYY-MM-DD); returns how many were raised. */
export async function raiseOverdueReviews(municipalities: readonly string[], today: string, deps: ReviewWatchDeps): Promise<number> {
  let raised = 0;
  for (const municipality of municipalities) {
    const due = (await plansOf(municipality, deps))
      .map((plan) => ({ plan, overdue: reviewOverdue(historyOf(plan), today) }))
      .filter((p): p is { plan: StoredPlan; overdue: NonNullable<typeof p.overdue> } => p.overdue !== null && p.plan.overdueRaisedFor !== p.overdue.dueBy);
    if (due.length === 0) continue;
    const events = due.map(({ plan, overdue }) => {
      const id = deterministicUuid(REVIEW_WATCH_STAGE, plan.sk, overdue.dueBy);
      return buildEnvelope(
        'plan.review.overdue.v1',
        { planRecordId: plan.recordId, dueBy: overdue.dueBy },
        {
          messageId: id,
          correlationId: id,
          causationId: null,
          source: 'hub',
          target: `municipality:${municipality}`,
          municipality,
          // Of the due day, not of the run: a second raise makes the same envelope.
          occurredAt: `${overdue.overdueFrom}T00:00:00.000Z`,
        },
      );
    });
    await deps.raise(events);
    for (const { plan, overdue } of due) {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: { pk: partition(municipality), sk: plan.sk },
          UpdateExpression: 'SET overdueRaisedFor = :d',
          ExpressionAttributeValues: { ':d': overdue.dueBy },
        }),
      );
    }
    raised += events.length;
  }
  return raised;
}
