/**
 * Takes one municipal record in (docs/DESIGN.md "Municipal records"): once per `viite`, judged by
 * the plan rules against what the hub knows of the person's plan, and answered to the sender with
 * one `record.acknowledged.v1` (accepted, with its flags; or refused, with its refusals). A review,
 * or a completion naming a plan, whose plan the hub does not know waits for it (Plan rules 3) and
 * is judged, in store order, when the plan is accepted.
 *
 * What the hub keeps, in the correlation table (encrypted at rest; no personal data in any key):
 * - `RECORD#<viite>` under `RECORDS#<municipality>`: the record as it first came, its status and
 *   the acknowledgements its message produced, so a redelivery of that message answers the same and
 *   a second post of the record answers nothing (or `RECORD_CHANGED` when its content differs) —
 *   unless it was refused, by anyone: then the record sent again is judged anew;
 * - `PLAN#<viite>`: what Plan rules 1 and 2 need of an accepted plan, its reviews by their `viite`
 *   (setting a map key is idempotent, so a retried review is counted once);
 * - under `RECORDS#<municipality>#WAITING#<plan viite>`: the records waiting for that plan.
 *
 * The table has no transactions on the embedded runtime (dynalite), so the writes are ordered to
 * be safe to repeat: the plan item first, the released records next, the record item last; a
 * crash in between re-runs the same steps on redelivery. Two reviews of one plan judged at the same
 * moment (the flow's queue has a concurrency of two) must not each be judged without the other: a
 * review is added to its plan under a condition on the plan's `version`, the one it was judged
 * against, and a review that loses the race is judged again against the plan with the other in it.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MunicipalRecord, RecordAcknowledgedV1, RecordWriteRequestedV1 } from '#contracts/messages/records';
import { judgeRecord, withReview, type Finding, type PlanHistory, type Verdict } from '#functions/records/plan-rules';
import { storeOf, type RecordStore } from '#functions/records/routing';
import { TransientError } from '#lib/errors';
import { finnishDay } from '#lib/finnish-time';
import { storeOrder } from '#functions/records/store-order';
import { planViiteOf, recordViite } from '#functions/records/viite';

/** Years the hub keeps what it knows of a record and a plan: a plan runs two years, more with an exception. */
export const RECORD_KEEP_YEARS = 4;

export interface IntakeDeps {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
  readonly now: () => Date;
}

export type IntakeOutcome = 'accepted' | 'refused' | 'waiting' | 'duplicate' | 'changed';

/** An accepted record for its store's writer (`functions/records/write.ts`), which acknowledges it once stored. */
export interface WriteRequest {
  readonly store: RecordStore;
  readonly payload: RecordWriteRequestedV1;
}

export interface IntakeResult {
  readonly outcome: IntakeOutcome;
  /** The refusals to send the sender now: this record's, and those of records its plan released. */
  readonly acks: readonly RecordAcknowledgedV1[];
  /** The accepted records to write: this one, and those its plan released, in store order. */
  readonly writes: readonly WriteRequest[];
}

interface ReviewEntry {
  readonly date: string;
  readonly extendedUntil: string | null;
  readonly exceptionReason: boolean;
}

export interface PlanItem {
  /** The municipal system's id of the plan (no personal data): what `plan.review.overdue.v1` names. */
  readonly recordId: string;
  /** The system the plan was sent to: its reviews and completions follow it there. */
  readonly store: RecordStore;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly hasExceptionReason: boolean;
  readonly reviews?: Readonly<Record<string, ReviewEntry>>;
  /** How many reviews were added to it: a review is added only to the version it was judged against. */
  readonly version?: number;
}

export interface WaitingItem {
  readonly record: MunicipalRecord;
  readonly receivedOn: string;
  /** The message that began the wait (absent on items from before it was kept). */
  readonly messageId?: string;
  readonly released?: string;
  readonly ack?: RecordAcknowledgedV1;
  readonly write?: WriteRequest;
}

/** A judged record's answer: a refusal to send now, or the write to send. */
interface Answer {
  readonly ack?: RecordAcknowledgedV1;
  readonly write?: WriteRequest;
}

/** Times a review is judged again when another review of its plan was added meanwhile. */
const JUDGE_ATTEMPTS = 5;

/** Another review was added to the plan after this one read it: judge it again. */
class PlanChanged extends Error {}

export const partition = (municipality: string) => `RECORDS#${municipality}`;
export const waitingPartition = (municipality: string, planViite: string) => `RECORDS#${municipality}#WAITING#${planViite}`;

/** The plan as its reviews have made it, leaving out the review `except` (the one being judged, if it was counted before a crash). */
export const historyOf = (item: PlanItem, except?: string): PlanHistory =>
  Object.entries(item.reviews ?? {})
    .filter(([viite]) => viite !== except)
    .map(([, review]) => review)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    .reduce(
      (plan, review) => withReview(plan, { date: review.date, extendedUntil: review.extendedUntil, exceptionReason: review.exceptionReason ? 'yes' : null }),
      { validFrom: item.validFrom, validUntil: item.validUntil, hasExceptionReason: item.hasExceptionReason, reviews: [] } as PlanHistory,
    );

export const acknowledgement = (record: MunicipalRecord, verdict: Exclude<Verdict, { outcome: 'wait' }>): RecordAcknowledgedV1 => ({
  recordType: record.type,
  recordId: record.payload.recordId,
  outcome: verdict.outcome === 'accept' ? 'accepted' : 'refused',
  findings: (verdict.outcome === 'accept' ? verdict.flags : verdict.refusals).map(({ code, field, rule, message }: Finding) => ({ code, field, rule, message })),
});

const changedAck = (record: MunicipalRecord): RecordAcknowledgedV1 => ({
  recordType: record.type,
  recordId: record.payload.recordId,
  outcome: 'refused',
  findings: [
    {
      code: 'RECORD_CHANGED',
      field: 'recordId',
      rule: 'record identity',
      message: 'a record with this identifier and other content reached the hub before; a correction is a new record',
    },
  ],
});

export function intakeStore(deps: IntakeDeps) {
  const expiresAt = () => Math.floor(deps.now().getTime() / 1000) + RECORD_KEEP_YEARS * 366 * 86_400;
  const get = async <T>(pk: string, sk: string): Promise<T | undefined> =>
    (await deps.db.send(new GetCommand({ TableName: deps.table, Key: { pk, sk }, ConsistentRead: true }))).Item as T | undefined;

  const planOf = async (record: MunicipalRecord): Promise<{ viite: string; item: PlanItem | undefined } | null> => {
    const viite = planViiteOf(record);
    return viite === null ? null : { viite, item: await get<PlanItem>(partition(record.municipality), `PLAN#${viite}`) };
  };

  /**
   * Writes what an accepted record changes of the plans: a plan's item, a review in its plan's —
   * only if the plan is still the version the review was judged against (else `PlanChanged`).
   */
  const applyAccepted = async (record: MunicipalRecord, judgedVersion: number): Promise<void> => {
    if (record.type === 'record.plan.v1') {
      try {
        await deps.db.send(
          new PutCommand({
            TableName: deps.table,
            Item: {
              pk: partition(record.municipality),
              sk: `PLAN#${recordViite(record)}`,
              store: storeOf(record),
              recordId: record.payload.recordId,
              validFrom: record.payload.validFrom,
              validUntil: record.payload.validUntil,
              hasExceptionReason: record.payload.exceptionReason !== null,
              reviews: {},
              expiresAt: expiresAt(),
            },
            // A plan its store refused stored nothing there: its corrected copy takes its place.
            ConditionExpression: 'attribute_not_exists(pk) OR storeRefused = :refused',
            ExpressionAttributeValues: { ':refused': true },
          }),
        );
      } catch (error) {
        // Written by this record before a crash: its reviews may be in it already.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    } else if (record.type === 'record.plan-review.v1') {
      const entry: ReviewEntry = { date: record.payload.date, extendedUntil: record.payload.extendedUntil, exceptionReason: record.payload.exceptionReason !== null };
      await deps.db
        .send(
          new UpdateCommand({
            TableName: deps.table,
            Key: { pk: partition(record.municipality), sk: `PLAN#${planViiteOf(record)}` },
            UpdateExpression: 'SET reviews.#v = :r, version = :next',
            ExpressionAttributeNames: { '#v': recordViite(record) },
            // DynamoDB refuses a value the expressions do not use: `:judged` only when compared.
            ...(judgedVersion === 0
              ? { ExpressionAttributeValues: { ':r': entry, ':next': 1 }, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' }
              : { ExpressionAttributeValues: { ':r': entry, ':judged': judgedVersion, ':next': judgedVersion + 1 }, ConditionExpression: 'version = :judged' }),
          }),
        )
        .catch((error: unknown) => {
          throw error instanceof ConditionalCheckFailedException ? new PlanChanged() : error;
        });
    }
  };

  /** What the sender gets for a judged record: a refusal now, or a write whose answer acknowledges it. */
  const answerOf = async (record: MunicipalRecord, verdict: Exclude<Verdict, { outcome: 'wait' }>, plan: PlanItem | undefined): Promise<Answer> => {
    if (verdict.outcome === 'refuse') return { ack: acknowledgement(record, verdict) };
    await applyAccepted(record, plan?.version ?? 0);
    return {
      write: {
        store: storeOf(record, plan?.store),
        payload: {
          record: { type: record.type, payload: record.payload } as RecordWriteRequestedV1['record'],
          viite: recordViite(record),
          planViite: planViiteOf(record),
          flags: acknowledgement(record, verdict).findings,
        },
      },
    };
  };

  /**
   * Judges the records waiting for an accepted plan, in store order, and releases them. Both the plan
   * and a record that began to wait as the plan was accepted call it (each may have missed the
   * other): a record is released once, by whoever marks it first.
   */
  const release = async (planViite: string, municipality: string, messageId: string, today: string): Promise<Answer[]> => {
    const pk = waitingPartition(municipality, planViite);
    const { Items = [] } = await deps.db.send(new QueryCommand({ TableName: deps.table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk }, ConsistentRead: true }));
    const waiting = (Items as (WaitingItem & { sk: string })[]).filter((item) => item.released === undefined || item.released === messageId);
    const byViite = new Map(waiting.map((item) => [item.sk, item]));
    const answers: Answer[] = [];
    for (const record of storeOrder(waiting.map((item) => item.record), new Set([planViite])).send) {
      const item = byViite.get(recordViite(record))!;
      let answer: Answer = item.ack ? { ack: item.ack } : item.write ? { write: item.write } : {};
      if (item.released === undefined) {
        const planItem = (await planOf(record))!.item!;
        const verdict = judgeRecord(record, historyOf(planItem, recordViite(record)), { today, receivedOn: item.receivedOn });
        // The plan is known now, so the rules judge the record (they wait only for an unknown plan).
        if (verdict.outcome === 'wait') throw new Error('a record waited for a plan the hub knows');
        answer = await answerOf(record, verdict, planItem).catch((error: unknown) => {
          // A review posted meanwhile: the plan's message is taken again and judges what is left anew.
          throw error instanceof PlanChanged ? new TransientError('plan-changed', 'a review of the plan was added while its waiting records were judged; retried') : error;
        });
        const marked = await deps.db
          .send(
            new UpdateCommand({
              TableName: deps.table,
              Key: { pk, sk: item.sk },
              UpdateExpression: 'SET released = :m, ack = :a, #w = :w',
              ConditionExpression: 'attribute_not_exists(released) OR released = :m',
              ExpressionAttributeNames: { '#w': 'write' },
              ExpressionAttributeValues: { ':m': messageId, ':a': answer.ack ?? null, ':w': answer.write ?? null },
            }),
          )
          .then(
            () => true,
            (error: unknown) => {
              if (error instanceof ConditionalCheckFailedException) return false;
              throw error;
            },
          );
        // Released by the other side meanwhile: its answer went with that message.
        if (!marked) continue;
        await deps.db.send(new DeleteCommand({ TableName: deps.table, Key: { pk: partition(record.municipality), sk: `WAITS#${recordViite(record)}` } }));
        await deps.db.send(
          new UpdateCommand({
            TableName: deps.table,
            Key: { pk: partition(record.municipality), sk: `RECORD#${recordViite(record)}` },
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': answer.ack ? 'refused' : 'accepted' },
          }),
        );
      }
      answers.push(answer);
    }
    return answers;
  };

  /** The record judged against its plan as it is, and answered; judged again if a review was added to the plan meanwhile. */
  const judged = async (record: MunicipalRecord, viite: string, today: string) => {
    for (let attempt = 1; ; attempt += 1) {
      const plan = await planOf(record);
      const history = plan?.item === undefined ? null : historyOf(plan.item, viite);
      const verdict = judgeRecord(record, history, { today, receivedOn: today });
      if (verdict.outcome === 'wait') return { plan, verdict, answer: undefined };
      try {
        return { plan, verdict, answer: await answerOf(record, verdict, plan?.item) };
      } catch (error) {
        if (!(error instanceof PlanChanged)) throw error;
        if (attempt >= JUDGE_ATTEMPTS) throw new TransientError('plan-changed', `the plan changed under each of ${JUDGE_ATTEMPTS} judgements of a review; retried`);
      }
    }
  };

  const resultOf = (outcome: IntakeOutcome, answers: readonly Answer[]): IntakeResult => ({
    outcome,
    acks: answers.flatMap((a) => (a.ack ? [a.ack] : [])),
    writes: answers.flatMap((a) => (a.write ? [a.write] : [])),
  });

  /**
   * A record waits for its plan (Plan rules 3): its waiting item, the watch's marker, and — the plan
   * may have been accepted meanwhile — its own release. The item replaces one an earlier post of
   * the record left released (refused then; this is its copy sent again), never this message's own.
   */
  const waitFor = async (record: MunicipalRecord, viite: string, planViite: string, messageId: string, today: string): Promise<{ outcome: IntakeOutcome; answers: Answer[] }> => {
    const pk = partition(record.municipality);
    const waitingPk = waitingPartition(record.municipality, planViite);
    await deps.db
      .send(
        new PutCommand({
          TableName: deps.table,
          Item: { pk: waitingPk, sk: viite, record, receivedOn: today, messageId, expiresAt: expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk) OR (attribute_exists(released) AND (attribute_not_exists(messageId) OR messageId <> :m))',
          ExpressionAttributeValues: { ':m': messageId },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    // Where the daily review watch finds it, to refuse it when its plan has not come in time (Plan rules 3).
    await deps.db.send(new PutCommand({ TableName: deps.table, Item: { pk, sk: `WAITS#${viite}`, waitingKey: { pk: waitingPk, sk: viite }, expiresAt: expiresAt() } }));
    // The plan may have been accepted between this record's look and its waiting item: the plan's
    // release did not see it then, so it releases itself (and any other it finds).
    const answers: Answer[] = [];
    if (await get<PlanItem>(pk, `PLAN#${planViite}`)) answers.push(...(await release(planViite, record.municipality, messageId, today)));
    const mine = await get<WaitingItem>(waitingPk, viite);
    // Released by this message, or by another (the plan's, the watch's) that answered it then.
    const outcome: IntakeOutcome = mine?.released === undefined ? 'waiting' : mine.ack ? 'refused' : 'accepted';
    return { outcome, answers };
  };

  /** A record judged now: answered, or waiting for its plan. */
  const judgedAndAnswered = async (record: MunicipalRecord, viite: string, messageId: string, today: string): Promise<{ outcome: IntakeOutcome; answers: Answer[] }> => {
    const { plan, verdict, answer } = await judged(record, viite, today);
    if (verdict.outcome === 'wait') return waitFor(record, viite, plan!.viite, messageId, today);
    const answers = [answer!];
    if (verdict.outcome === 'accept' && record.type === 'record.plan.v1') answers.push(...(await release(viite, record.municipality, messageId, today)));
    return { outcome: verdict.outcome === 'accept' ? 'accepted' : 'refused', answers };
  };

  return {
    async take(record: MunicipalRecord, messageId: string): Promise<IntakeResult> {
      const viite = recordViite(record);
      const pk = partition(record.municipality);
      // An item without a message id is only a status another step set before this record's first
      // message had written its own (that message failed after it began to wait): not a post.
      const seen = await get<{ messageId?: string; type: string; payload: unknown; outcome: IntakeOutcome; status?: string; answers: Answer[] }>(pk, `RECORD#${viite}`);
      const posted = seen?.messageId === undefined ? undefined : seen;
      if (posted) {
        if (posted.messageId === messageId) return resultOf(posted.outcome, posted.answers);
        // A refused record went nowhere — refused by the rules, later by its plan's release or the
        // watch, or by its store: the same or a corrected copy under its identifier is judged anew.
        if (posted.status !== 'refused') {
          const same = posted.type === record.type && isDeepStrictEqual(posted.payload, record.payload);
          return same ? resultOf('duplicate', []) : resultOf('changed', [{ ack: changedAck(record) }]);
        }
      }

      const today = finnishDay(deps.now());
      const planViite = planViiteOf(record);
      // This message began to wait before it failed: it goes on waiting, not judged a second time.
      const began = planViite === null ? undefined : await get<WaitingItem>(waitingPartition(record.municipality, planViite), viite);
      const { outcome, answers } = began?.messageId === messageId ? await waitFor(record, viite, planViite!, messageId, today) : await judgedAndAnswered(record, viite, messageId, today);
      const item = { type: record.type, payload: record.payload, messageId, outcome, answers, receivedOn: today, expiresAt: expiresAt() };
      if (posted) {
        // The copy sent again replaces the refused record, its status with it.
        await deps.db.send(new PutCommand({ TableName: deps.table, Item: { pk, sk: `RECORD#${viite}`, ...item, status: outcome } }));
      } else {
        // A status set meanwhile by a later step (the release that answered it, its store's writer) stands.
        await deps.db.send(
          new UpdateCommand({
            TableName: deps.table,
            Key: { pk, sk: `RECORD#${viite}` },
            UpdateExpression: `SET ${Object.keys(item).map((name) => `#${name} = :${name}`).join(', ')}, #status = if_not_exists(#status, :outcome)`,
            ExpressionAttributeNames: Object.fromEntries([...Object.keys(item), 'status'].map((name) => [`#${name}`, name])),
            ExpressionAttributeValues: Object.fromEntries(Object.entries(item).map(([name, value]) => [`:${name}`, value])),
          }),
        );
      }
      return resultOf(outcome, answers);
    },
  };
}
