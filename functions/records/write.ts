/**
 * Writes one accepted municipal record to the national system that keeps it (docs/DESIGN.md
 * "Municipal records"): Koto-AJ or the employment services data store, each behind its own queue,
 * rate limit and circuit breaker, as the lookup adapters are (functions/lib/lookup-adapter.ts).
 *
 * - Once: the write carries the record's `viite`; a store answers a repeat with its first answer.
 * - In order: a record that belongs to a plan is written only after its plan was stored (the plan
 *   item in the correlation table says so, with the store's identifier of it); until then it waits
 *   on its queue, re-sent with a delay, and a plan the store refused refuses it too. A plan whose
 *   write ends as a dead letter marks its item, and a record waiting for it follows it into the
 *   dead-letter queue (a reason that says to redrive the plan first) instead of circling until the
 *   queue's retention.
 * - 409 (the `viite` was written with another document) and 422 (the store's own rules, whose codes
 *   the sender is told) end as a refusal to the sender, never as a retry; 5xx, 429 and timeouts are transient and retried (the
 *   breaker holds the work while the store is down).
 * - The sender's acknowledgement (`record.acknowledged.v1`) goes out when the store has answered:
 *   accepted with the flags the plan rules raised, or refused naming field and rule.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import type { MunicipalRecord, RecordAcknowledgedV1, RecordWriteRequestedV1 } from '#contracts/messages/records';
import { toDatastoreWrite } from '#contracts/datastore/records';
import { datastorePath } from '#contracts/datastore/wire';
import { toKotoAjWrite } from '#contracts/kotoaj/mapper';
import { kotoAjPath } from '#contracts/kotoaj/wire';
import { XRoadFault } from '#contracts/xroad/errors';
import { recordWriteQueues } from '#infra/topology';
import { createSqsHandler, type HopApi } from '#lib/batch/sqs-handler';
import { throughBreaker } from '#lib/breaker/guard';
import { breakerFor } from '#lib/breaker/system';
import { documentClient } from '#lib/clients';
import { classifyError, PermanentError } from '#lib/errors';
import { tableName } from '#lib/config';
import type { XRoadHttpClient } from '#lib/xroad-client';
import { xroadClient } from '#lib/xroad';

export type RecordStoreSystem = keyof typeof recordWriteQueues;

/** Seconds a record waits before it looks again whether its plan was stored. */
export const PLAN_WAIT_SECONDS = 5;

type StoreAnswer = { readonly outcome: 'stored'; readonly id: string } | { readonly outcome: 'changed' } | { readonly outcome: 'refused'; readonly codes: readonly string[] };

interface PlanState {
  readonly storeId?: string;
  readonly storeRefused?: boolean;
  /** The plan's write ended as a dead letter; cleared when a redrive stores it. */
  readonly storeDeadLettered?: boolean;
}

const partition = (municipality: string) => `RECORDS#${municipality}`;

const refusal = (record: MunicipalRecord, code: string, field: string, rule: string, message: string): RecordAcknowledgedV1 => ({
  recordType: record.type,
  recordId: record.payload.recordId,
  outcome: 'refused',
  findings: [{ code, field, rule, message }],
});

/** What the sender is told of a 422: the store's rule codes, one finding each (a code names a rule, never a value). */
const storeRuleRefusal = (record: MunicipalRecord, codes: readonly string[]): RecordAcknowledgedV1 => ({
  recordType: record.type,
  recordId: record.payload.recordId,
  outcome: 'refused',
  findings: (codes.length > 0 ? codes : ['(not named)']).map((code) => ({
    code: 'STORE_RULE',
    field: '(record)',
    rule: `the national system’s rule ${code}`,
    message: 'the national system refused the record by its own rules',
  })),
});

/** The store's answer to one write; a 409 and a 422 are answers, anything else transient or permanent is thrown. */
async function post(system: RecordStoreSystem, client: XRoadHttpClient, write: RecordWriteRequestedV1, record: MunicipalRecord, planId: string | null, deadline: number): Promise<StoreAnswer> {
  const instance = client.config.client.xRoadInstance;
  const { path, body, code } =
    system === 'kotoaj'
      ? (() => {
          const w = toKotoAjWrite(record, { viite: write.viite, planViite: write.planViite });
          return { path: kotoAjPath(instance, w.service), body: w.body, code: `kotoaj-${w.service}` };
        })()
      : (() => {
          const w = toDatastoreWrite(record, { viite: write.viite, planId });
          return { path: datastorePath(instance, w.service), body: w.body, code: `datastore-${w.service}` };
        })();
  try {
    const answer = (await client.rest(code, 'POST', path, body, { deadline })) as { tunniste?: unknown };
    if (typeof answer?.tunniste !== 'string') throw new XRoadFault({ faultCode: 'Server.InvalidAnswer', transient: false, source: 'rest', service: code });
    return { outcome: 'stored', id: answer.tunniste };
  } catch (error) {
    if (error instanceof XRoadFault && error.httpStatus === 409) return { outcome: 'changed' };
    if (error instanceof XRoadFault && error.httpStatus === 422) return { outcome: 'refused', codes: error.detailCodes };
    throw error;
  }
}

export const createRecordWriter = (system: RecordStoreSystem) =>
  createSqsHandler({
    name: `${system}-writer`,
    accepts: ['record.write.requested.v1'],
    handle: async (message, hop) => {
      const db: DynamoDBDocumentClient = documentClient();
      const table = tableName('correlation');
      const write = message.payload;
      const record = { ...write.record, municipality: message.municipality } as MunicipalRecord;
      const ack = (payload: RecordAcknowledgedV1) =>
        hop.emit('municipality-outbox', 'record.acknowledged.v1', payload, { target: `municipality:${message.municipality}`, key: 'ack' });

      let planId: string | null = null;
      if (write.planViite !== null) {
        const { Item } = await db.send(new GetCommand({ TableName: table, Key: { pk: partition(message.municipality), sk: `PLAN#${write.planViite}` }, ConsistentRead: true }));
        const plan = Item as PlanState | undefined;
        if (plan?.storeRefused) {
          // Refused, so that the record sent again after its corrected plan is judged anew.
          await recordEnded(db, table, message.municipality, write.viite, 'refused');
          ack(refusal(record, 'PLAN_NOT_STORED', 'planRecordId', 'plan rule 3', 'the plan this record belongs to was refused by the national system'));
          return hop.setOutcome('refused-plan-not-stored');
        }
        if (plan?.storeDeadLettered && plan.storeId === undefined) {
          // Waiting on would circle until the queue's retention and lose the record: it joins its plan.
          throw new PermanentError(
            'plan-dead-lettered',
            `the write of this record's plan is in the dead-letter queue ${recordWriteQueues[system]}-dlq: redrive the plan first, then this record`,
          );
        }
        if (plan?.storeId === undefined) {
          waitForPlan(hop, system, message);
          return hop.setOutcome('waits-for-plan');
        }
        planId = plan.storeId;
      }

      const passage = await throughBreaker(
        breakerFor(system),
        hop,
        () => post(system, xroadClient(system), write, record, planId, hop.deadline),
        (wait) => hop.emit(recordWriteQueues[system], 'record.write.requested.v1', write, { key: 'deferred', ...wait }),
      ).catch(async (error: unknown) => {
        // A plan whose write ends as a dead letter says so, for the records that wait for it.
        if (record.type === 'record.plan.v1' && (classifyError(error).kind === 'permanent' || hop.lastReceive)) {
          await db.send(
            new UpdateCommand({ TableName: table, Key: { pk: partition(message.municipality), sk: `PLAN#${write.viite}` }, UpdateExpression: 'SET storeDeadLettered = :t', ExpressionAttributeValues: { ':t': true } }),
          );
        }
        throw error;
      });
      if (!passage.answered) return;
      const answer = passage.value;
      if (record.type === 'record.plan.v1') {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: partition(message.municipality), sk: `PLAN#${write.viite}` },
            UpdateExpression: answer.outcome === 'stored' ? 'SET storeId = :v REMOVE storeDeadLettered' : 'SET storeRefused = :v REMOVE storeDeadLettered',
            ExpressionAttributeValues: { ':v': answer.outcome === 'stored' ? answer.id : true },
          }),
        );
      }
      await recordEnded(db, table, message.municipality, write.viite, answer.outcome === 'stored' ? 'stored' : 'refused');
      if (answer.outcome === 'stored') {
        ack({ recordType: record.type, recordId: record.payload.recordId, outcome: 'accepted', findings: write.flags });
      } else if (answer.outcome === 'changed') {
        ack(refusal(record, 'RECORD_CHANGED', 'recordId', 'record identity', 'the national system holds another record under this identifier; a correction is a new record'));
      } else {
        ack(storeRuleRefusal(record, answer.codes));
      }
      hop.setOutcome(answer.outcome === 'stored' ? 'stored' : `refused-${answer.outcome}`);
    },
  });

/** The record's own item says where it ended (what `koto-hub report` counts), and on which day. */
const recordEnded = (db: DynamoDBDocumentClient, table: string, municipality: string, viite: string, status: 'stored' | 'refused') =>
  db.send(
    new UpdateCommand({
      TableName: table,
      Key: { pk: partition(municipality), sk: `RECORD#${viite}` },
      UpdateExpression: 'SET #s = :s, storedOn = :d',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status, ':d': new Date().toISOString().slice(0, 10) },
    }),
  );

const waitForPlan = (hop: HopApi, system: RecordStoreSystem, message: Envelope<RecordWriteRequestedV1>): void => {
  hop.emit(recordWriteQueues[system], 'record.write.requested.v1', message.payload, { key: 'waits-for-plan', delaySeconds: PLAN_WAIT_SECONDS });
};
