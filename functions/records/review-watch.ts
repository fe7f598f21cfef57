/**
 * `plan.review.overdue.v1` (docs/DESIGN.md "Plan rules" 2): each day the schedule looks at every
 * plan the hub accepted for a municipality and raises the event for a plan whose next review fell
 * due before that day, once per plan and due day. Once: the event's message id is derived from the
 * plan's `viite` and the due day, so a second raise (a retried schedule, a crash before the plan
 * was marked) is the same message and the inbox keeps it once; the plan is marked afterwards so
 * that later days raise nothing. A review that comes moves the due day, and a new one may follow.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import { buildEnvelope } from '#contracts/messages/registry';
import type { PlanReviewOverdueV1, RecordAcknowledgedV1 } from '#contracts/messages/records';
import { deterministicUuid } from '#lib/ids';
import { acknowledgement, historyOf, partition, type PlanItem, type WaitingItem } from '#functions/records/intake';
import { judgeRecord, reviewOverdue } from '#functions/records/plan-rules';
import { allItems, queryItems } from '#lib/dynamo-pages';

export const REVIEW_WATCH_STAGE = 'records-review-watch';

/** A message of the schedule's own to a municipality: its id (also the correlation id) derived, so a second raise makes the same one; dated `day`. */
const toMunicipality = <T extends 'plan.review.overdue.v1' | 'record.acknowledged.v1'>(
  id: string,
  municipality: string,
  day: string,
  type: T,
  payload: Parameters<typeof buildEnvelope<T>>[1],
) =>
  buildEnvelope(type, payload, {
    messageId: id,
    correlationId: id,
    causationId: null,
    source: 'hub',
    target: `municipality:${municipality}`,
    municipality,
    occurredAt: `${day}T00:00:00.000Z`,
  });

export interface ReviewWatchDeps {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
  /** Sends the events (with their root audit records) to the municipality's outbox. */
  readonly raise: (events: readonly Envelope<PlanReviewOverdueV1 | RecordAcknowledgedV1>[]) => Promise<void>;
}

type StoredPlan = PlanItem & { readonly sk: string; readonly overdueRaisedFor?: string };

async function itemsOf<T>(municipality: string, prefix: string, deps: ReviewWatchDeps): Promise<T[]> {
  const items = queryItems(deps.db, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':p': partition(municipality), ':s': prefix },
  });
  return (await allItems(items)) as T[];
}

/** Raises the overdue reviews of `municipalities` as of `today` (YYYY-MM-DD); returns how many were raised. */
export async function raiseOverdueReviews(municipalities: readonly string[], today: string, deps: ReviewWatchDeps): Promise<number> {
  let raised = 0;
  for (const municipality of municipalities) {
    const due = (await itemsOf<StoredPlan>(municipality, 'PLAN#', deps))
      .map((plan) => ({ plan, overdue: reviewOverdue(historyOf(plan), today) }))
      .filter((p): p is { plan: StoredPlan; overdue: NonNullable<typeof p.overdue> } => p.overdue !== null && p.plan.overdueRaisedFor !== p.overdue.dueBy);
    if (due.length === 0) continue;
    const events = due.map(({ plan, overdue }) => {
      const id = deterministicUuid(REVIEW_WATCH_STAGE, plan.sk, overdue.dueBy);
      // Of the due day, not of the run: a second raise makes the same envelope.
      return toMunicipality(id, municipality, overdue.overdueFrom, 'plan.review.overdue.v1', { planRecordId: plan.recordId, dueBy: overdue.dueBy });
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

/**
 * Plan rules 3: a record that waited for its plan past the seventh day after it arrived is refused
 * `UNKNOWN_PLAN` to its sender, once (the waiting item is marked released by the watch under a
 * condition, so a plan that comes at the same moment and the watch cannot both answer it). The
 * marker that leads the watch to it goes only once the refusal is raised: a run that failed after
 * marking raises the kept refusal again, as the same message, which the inbox keeps once.
 */
export async function refuseExpiredWaits(municipalities: readonly string[], today: string, deps: ReviewWatchDeps): Promise<number> {
  let refused = 0;
  for (const municipality of municipalities) {
    for (const marker of await itemsOf<{ sk: string; waitingKey: { pk: string; sk: string } }>(municipality, 'WAITS#', deps)) {
      const refusal = await refusalOf(marker.waitingKey, today, deps);
      if (refusal === 'waits') continue;
      if (refusal) {
        const id = deterministicUuid(REVIEW_WATCH_STAGE, marker.sk, 'unknown-plan');
        await deps.raise([toMunicipality(id, municipality, refusal.day, 'record.acknowledged.v1', refusal.ack)]);
        await deps.db.send(
          new UpdateCommand({
            TableName: deps.table,
            Key: { pk: partition(municipality), sk: marker.sk.replace(/^WAITS#/, 'RECORD#') },
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': 'refused' },
          }),
        );
        refused += 1;
      }
      await deps.db.send(new DeleteCommand({ TableName: deps.table, Key: { pk: partition(municipality), sk: marker.sk } }));
    }
  }
  return refused;
}

/** The day the watch marked a waiting record refused, or undefined when it was not the watch. */
const markedOn = (released: string): string | undefined => (released.startsWith(`${REVIEW_WATCH_STAGE}:`) ? released.slice(REVIEW_WATCH_STAGE.length + 1) : undefined);

/**
 * What the watch says of a waiting record: `waits` (its seven days are not over), the refusal to
 * raise and the day it was marked (now, or by a run that failed before it raised it: the same
 * message again), or nothing (gone, or released by its plan, whose message answered it).
 */
async function refusalOf(key: { pk: string; sk: string }, today: string, deps: ReviewWatchDeps): Promise<{ ack: RecordAcknowledgedV1; day: string } | 'waits' | undefined> {
  const waiting = (await deps.db.send(new GetCommand({ TableName: deps.table, Key: key, ConsistentRead: true }))).Item as WaitingItem | undefined;
  if (!waiting) return undefined;
  if (waiting.released !== undefined) {
    const day = markedOn(waiting.released);
    return day !== undefined && waiting.ack ? { ack: waiting.ack, day } : undefined;
  }
  const verdict = judgeRecord(waiting.record, null, { today, receivedOn: waiting.receivedOn });
  if (verdict.outcome === 'wait') return 'waits';
  const ack = acknowledgement(waiting.record, verdict);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: key,
        UpdateExpression: 'SET released = :m, ack = :a',
        ConditionExpression: 'attribute_not_exists(released)',
        ExpressionAttributeValues: { ':m': `${REVIEW_WATCH_STAGE}:${today}`, ':a': ack },
      }),
    );
    return { ack, day: today };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return undefined;
  }
}
