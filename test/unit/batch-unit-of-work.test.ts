/**
 * A batch end to end through `processBatch` (decode, de-duplicate, handle, settle) and its unit of
 * work `settleBatch`, with small fakes for SQS and the audit table in place of AWS: which records
 * the batch reports as failed, what goes to the DLQ and why, how retries back off, and how the
 * requests are grouped and what a failure of one entry in them does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  type ChangeMessageVisibilityBatchRequestEntry,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import type { ReferralV1 } from '#contracts/messages/referral';
import { AUDIT_KEY_FILE_ENV, dlqUrlEnv, queueNames, queueUrlEnv, tableNameEnv, type QueueName } from '#infra/topology';
import { resetAuditKey } from '#lib/audit/key';
import { hopKey, type AuditRecord } from '#lib/audit/record';
import { ATTR } from '#lib/batch/attributes';
import { decodeRecord } from '#lib/batch/decode';
import { processBatch, type HopApi, type SqsHandlerSpec } from '#lib/batch/sqs-handler';
import { settleBatch, type BatchIo } from '#lib/batch/unit-of-work';
import { PermanentError, TransientError } from '#lib/errors';
import { referral } from '../support/envelopes.ts';
import { expectNoPersonalDataIn } from '../support/personal-data.ts';

const STAGE = 'referral-intake';
const TABLE = 'koto-hub-audit-test';
const urlOf = (queue: QueueName) => `https://sqs.test/000000000000/${queue}`;
const dlqOf = (queue: QueueName) => `https://sqs.test/000000000000/${queue}-dlq`;

// ---------------------------------------------------------------------------------------------
// Fakes

interface SentBatch {
  readonly queueUrl: string;
  readonly entries: readonly SendMessageBatchRequestEntry[];
}

/** SQS as the unit of work uses it: SendMessageBatch and ChangeMessageVisibilityBatch, recorded. */
class FakeSqs {
  readonly sent: SentBatch[] = [];
  readonly visibility: ChangeMessageVisibilityBatchRequestEntry[][] = [];
  /** An entry this says yes to comes back in the answer's `Failed`. */
  failEntry: (queueUrl: string, entry: SendMessageBatchRequestEntry) => boolean = () => false;

  async send(command: unknown): Promise<unknown> {
    if (command instanceof SendMessageBatchCommand) {
      const { QueueUrl = '', Entries = [] } = command.input;
      this.sent.push({ queueUrl: QueueUrl, entries: Entries });
      const failed = Entries.filter((entry) => this.failEntry(QueueUrl, entry));
      return {
        Successful: Entries.filter((entry) => !failed.includes(entry)).map((entry) => ({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: '' })),
        Failed: failed.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'InternalError' })),
      };
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      this.visibility.push(command.input.Entries ?? []);
      return { Successful: [], Failed: [] };
    }
    throw new Error(`unexpected SQS command ${(command as object).constructor.name}`);
  }

  /** Message bodies sent to a queue, as envelopes, in order. */
  envelopesTo(queueUrl: string): Envelope[] {
    return this.sent.filter((b) => b.queueUrl === queueUrl).flatMap((b) => b.entries.map((e) => JSON.parse(e.MessageBody!) as Envelope));
  }
}

/** The audit table: BatchGetItem for the duplicate check, BatchWriteItem for the records. */
class FakeAuditTable {
  readonly records: AuditRecord[] = [];
  /** Number of put requests in each BatchWriteItem. */
  readonly writes: number[] = [];
  readonly gets: number[] = [];
  /** A record this says yes to is left unprocessed, once. */
  leaveUnprocessedOnce: (record: AuditRecord) => boolean = () => false;
  failWrites = false;
  private readonly leftOnce = new Set<string>();

  async send(command: unknown): Promise<unknown> {
    if (command instanceof BatchGetCommand) {
      const keys = (command.input.RequestItems?.[TABLE]?.Keys ?? []) as { correlationId: string; hop: string }[];
      this.gets.push(keys.length);
      const found = keys.filter((key) => this.records.some((r) => r.correlationId === key.correlationId && r.hop === key.hop));
      return { Responses: { [TABLE]: found }, UnprocessedKeys: {} };
    }
    if (command instanceof BatchWriteCommand) {
      if (this.failWrites) throw Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' });
      const requests = (command.input.RequestItems?.[TABLE] ?? []) as { PutRequest: { Item: AuditRecord } }[];
      this.writes.push(requests.length);
      const unprocessed = requests.filter(({ PutRequest: { Item } }) => {
        if (this.leftOnce.has(Item.hop) || !this.leaveUnprocessedOnce(Item)) return false;
        this.leftOnce.add(Item.hop);
        return true;
      });
      for (const { PutRequest } of requests) if (!unprocessed.some((u) => u.PutRequest === PutRequest)) this.records.push(PutRequest.Item);
      return { UnprocessedItems: unprocessed.length ? { [TABLE]: unprocessed } : {} };
    }
    throw new Error(`unexpected DynamoDB command ${(command as object).constructor.name}`);
  }

  of(messageId: string): AuditRecord[] {
    return this.records.filter((r) => r.messageId === messageId);
  }
}

let sqs: FakeSqs;
let table: FakeAuditTable;
let io: BatchIo;
let dir: string;

beforeEach(() => {
  sqs = new FakeSqs();
  table = new FakeAuditTable();
  io = { sqs: () => sqs as unknown as SQSClient, documents: () => table as unknown as DynamoDBDocumentClient };
  dir = mkdtempSync(join(tmpdir(), 'koto-hub-batch-'));
  writeFileSync(join(dir, 'audit.key'), 'ab'.repeat(32));
  vi.stubEnv(AUDIT_KEY_FILE_ENV, join(dir, 'audit.key'));
  vi.stubEnv('KOTO_LOG_FILE', join(dir, 'hub.log'));
  vi.stubEnv(tableNameEnv('audit'), TABLE);
  vi.stubEnv('KOTO_RETRY_BASE_SECONDS', '2');
  for (const queue of queueNames) {
    vi.stubEnv(queueUrlEnv(queue), urlOf(queue));
    vi.stubEnv(dlqUrlEnv(queue), dlqOf(queue));
  }
  resetAuditKey();
});
afterEach(() => {
  vi.unstubAllEnvs();
  resetAuditKey();
  rmSync(dir, { recursive: true, force: true });
});

const logLines = (): string[] => {
  const file = join(dir, 'hub.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
};

// ---------------------------------------------------------------------------------------------
// Records and the function

const attribute = (value: string) => ({ dataType: 'String', stringValue: value });

/** An SQS record as the Lambda event source mapping delivers it. */
const sqsRecord = (envelope: Envelope | string, { receiveCount = 1, messageAttributes = {} as SQSMessageAttributes } = {}): SQSRecord => {
  const id = randomUUID();
  return {
    messageId: id,
    receiptHandle: `receipt-${id}`,
    body: typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1793520000000', SenderId: 'AIDATEST', ApproximateFirstReceiveTimestamp: '1793520000100' },
    messageAttributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-north-1:000000000000:${STAGE}`,
    awsRegion: 'eu-north-1',
  };
};

type Behaviour = 'ok' | 'transient' | 'permanent';

/**
 * referral-intake's binding with a handler of the test's: by the referral's `reason`, it emits
 * `outputs` referrals to `out` and then succeeds, or throws after emitting.
 */
const intake = (behaviour: (envelope: Envelope<ReferralV1>) => Behaviour, { outputs = 1, out = 'vtj-lookups' as QueueName } = {}) => {
  const handled: string[] = [];
  const spec: SqsHandlerSpec<'outreach.referral.v1'> = {
    name: STAGE,
    accepts: ['outreach.referral.v1'],
    handle: async (envelope, hop: HopApi) => {
      handled.push(envelope.messageId);
      for (let i = 0; i < outputs; i++) hop.emit(out, 'outreach.referral.v1', envelope.payload, { key: String(i) });
      const what = behaviour(envelope);
      if (what === 'transient') throw new TransientError('register-busy', 'the register answered 503');
      if (what === 'permanent') throw new PermanentError('invalid-referral', 'the referral names no municipality the hub serves');
      hop.setOutcome('candidate-recorded');
    },
  };
  return { spec, handled };
};

const failures = (result: { batchItemFailures: { itemIdentifier: string }[] }) => result.batchItemFailures.map((f) => f.itemIdentifier).sort();

const attributeOf = (entry: SendMessageBatchRequestEntry, name: string) => entry.MessageAttributes?.[name]?.StringValue;

// ---------------------------------------------------------------------------------------------

describe('processBatch', () => {
  it('reports only the records that are to come back: a transient failure, not the successes nor the dead letter', async () => {
    const ok = referral();
    const busy = referral();
    const bad = referral();
    const records = [sqsRecord(ok), sqsRecord(busy), sqsRecord(bad)];
    const { spec } = intake((e) => (e.messageId === busy.messageId ? 'transient' : e.messageId === bad.messageId ? 'permanent' : 'ok'));

    const result = await processBatch(spec, { Records: records }, 10_000, io);

    expect(failures(result)).toEqual([records[1]!.messageId]);
    expect(table.of(ok.messageId).map((r) => r.outcome)).toEqual(['candidate-recorded']);
    expect(table.of(busy.messageId).map((r) => r.outcome)).toEqual(['retry']);
    expect(table.of(bad.messageId).map((r) => r.outcome)).toEqual(['dead-letter']);
    expectNoPersonalDataIn(logLines(), { hetus: [ok, busy, bad].map((e) => e.payload.hetu) });
  });

  it('sends a permanent failure to the DLQ at once, its body as it came and its reason beside it', async () => {
    const bad = referral();
    const parent = { [ATTR.parentHop]: attribute(`${bad.messageId}#ingress`), [ATTR.parentDigest]: attribute('d'.repeat(64)) };
    const record = sqsRecord(bad, { receiveCount: 1, messageAttributes: parent });
    const { spec } = intake(() => 'permanent');

    const result = await processBatch(spec, { Records: [record] }, 10_000, io);

    expect(failures(result)).toEqual([]);
    const dead = sqs.sent.filter((b) => b.queueUrl === dlqOf(STAGE));
    expect(dead).toHaveLength(1);
    const [entry] = dead[0]!.entries;
    expect(entry!.MessageBody).toBe(record.body);
    expect(attributeOf(entry!, ATTR.failureCode)).toBe('invalid-referral');
    expect(attributeOf(entry!, ATTR.failureReason)).toBe('the referral names no municipality the hub serves');
    expect(attributeOf(entry!, ATTR.failedStage)).toBe(STAGE);
    expect(attributeOf(entry!, ATTR.failedReceiveCount)).toBe('1');
    expect(Number.isNaN(Date.parse(attributeOf(entry!, ATTR.failedAt) ?? ''))).toBe(false);
    // The audit chain link it arrived with goes with it, so a redrive continues the chain.
    expect(attributeOf(entry!, ATTR.parentHop)).toBe(`${bad.messageId}#ingress`);
    // Its output was staged before the handler threw: nothing is sent for a failed hop.
    expect(sqs.envelopesTo(urlOf('vtj-lookups'))).toEqual([]);
    expect(table.of(bad.messageId)).toMatchObject([{ outcome: 'dead-letter', reason: 'invalid-referral: the referral names no municipality the hub serves' }]);
    expect(sqs.visibility).toEqual([]);
  });

  it('dead-letters an unreadable record without calling the handler', async () => {
    const record = sqsRecord('not json');
    const { spec, handled } = intake(() => 'ok');
    const result = await processBatch(spec, { Records: [record] }, 10_000, io);
    expect(failures(result)).toEqual([]);
    expect(handled).toEqual([]);
    expect(attributeOf(sqs.sent[0]!.entries[0]!, ATTR.failureCode)).toBe('unreadable');
  });

  it('returns a transient failure as a batch item failure, its visibility timeout growing with its receives up to the queue’s', async () => {
    vi.stubEnv('KOTO_RETRY_BASE_SECONDS', '5');
    const tries = [1, 2, 3, 5].map((receiveCount) => ({ receiveCount, envelope: referral() }));
    const records = tries.map(({ envelope, receiveCount }) => sqsRecord(envelope, { receiveCount }));
    const { spec } = intake(() => 'transient');

    const result = await processBatch(spec, { Records: records }, 10_000, io);

    expect(failures(result)).toEqual(records.map((r) => r.messageId).sort());
    expect(sqs.sent.filter((b) => b.queueUrl === dlqOf(STAGE))).toEqual([]);
    // 5 s doubling per receive, capped at the referral-intake queue's visibility timeout of 60 s.
    expect(sqs.visibility.flat().map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual(
      records.map((r, i) => [r.receiptHandle, [5, 10, 20, 60][i]]),
    );
    // The last receive before SQS moves it to the DLQ is recorded as a dead letter; SQS moves it.
    expect(tries.map(({ envelope }) => table.of(envelope.messageId)[0]?.outcome)).toEqual(['retry', 'retry', 'retry', 'dead-letter']);
  });

  it('acknowledges a message whose hop is already recorded without a second effect', async () => {
    const again = referral();
    const { spec, handled } = intake(() => 'ok');
    const first = await processBatch(spec, { Records: [sqsRecord(again)] }, 10_000, io);
    expect(failures(first)).toEqual([]);
    const [sentBefore, recordsBefore] = [sqs.sent.length, table.records.length];

    const second = await processBatch(spec, { Records: [sqsRecord(again)] }, 10_000, io);

    expect(failures(second)).toEqual([]);
    expect(handled).toEqual([again.messageId]);
    expect(sqs.sent).toHaveLength(sentBefore);
    expect(table.records).toHaveLength(recordsBefore);
    expect(table.gets).toEqual([1, 1]);
  });

  it('handles a message delivered twice in one batch once, and acknowledges both', async () => {
    const twice = referral();
    const records = [sqsRecord(twice), sqsRecord(twice)];
    const { spec, handled } = intake(() => 'ok');

    const result = await processBatch(spec, { Records: records }, 10_000, io);

    expect(failures(result)).toEqual([]);
    expect(handled).toEqual([twice.messageId]);
    expect(sqs.envelopesTo(urlOf('vtj-lookups'))).toHaveLength(1);
    expect(table.of(twice.messageId)).toHaveLength(1);
  });

  it('sends outputs only for the records that succeeded, each linked to its record’s audit hop', async () => {
    const ok = referral();
    const busy = referral();
    const { spec } = intake((e) => (e.messageId === busy.messageId ? 'transient' : 'ok'), { outputs: 2 });

    await processBatch(spec, { Records: [sqsRecord(ok), sqsRecord(busy)] }, 10_000, io);

    const sent = sqs.sent.filter((b) => b.queueUrl === urlOf('vtj-lookups')).flatMap((b) => b.entries);
    expect(sent.map((e) => (JSON.parse(e.MessageBody!) as Envelope).causationId)).toEqual([ok.messageId, ok.messageId]);
    const [record] = table.of(ok.messageId);
    for (const entry of sent) {
      expect(attributeOf(entry, ATTR.parentHop)).toBe(hopKey(ok.messageId, STAGE));
      expect(attributeOf(entry, ATTR.parentDigest)).toBe(record!.digest);
    }
  });

  it('sends an output with the delay and the attributes it was emitted with, beside the audit link, and lets a hop read what its message carries', async () => {
    const waiting = referral();
    let carried: string | undefined;
    const spec: SqsHandlerSpec<'outreach.referral.v1'> = {
      name: STAGE,
      accepts: ['outreach.referral.v1'],
      handle: async (envelope, hop) => {
        carried = hop.attribute(ATTR.waitingSince);
        hop.emit('referral-intake', 'outreach.referral.v1', envelope.payload, { key: 'deferred', delaySeconds: 30, attributes: { [ATTR.waitingSince]: carried ?? 'now' } });
        hop.setOutcome('deferred');
      },
    };

    await processBatch(spec, { Records: [sqsRecord(waiting, { messageAttributes: { [ATTR.waitingSince]: attribute('1793520000000') } })] }, 10_000, io);

    expect(carried).toBe('1793520000000');
    const [entry, ...more] = sqs.sent.filter((b) => b.queueUrl === urlOf('referral-intake')).flatMap((b) => b.entries);
    expect(more).toEqual([]);
    expect(entry!.DelaySeconds).toBe(30);
    expect(attributeOf(entry!, ATTR.waitingSince)).toBe('1793520000000');
    expect(attributeOf(entry!, ATTR.parentHop)).toBe(hopKey(waiting.messageId, STAGE));
    expect((JSON.parse(entry!.MessageBody!) as Envelope).messageId).not.toBe(waiting.messageId);
    expect(table.of(waiting.messageId)[0]).toMatchObject({ outcome: 'deferred' });
  });

  it('sets a part of a hop’s input aside on its own queue’s DLQ, with its reason scrubbed and the audit link, while the hop succeeds', async () => {
    const mixed = referral();
    const spec: SqsHandlerSpec<'outreach.referral.v1'> = {
      name: STAGE,
      accepts: ['outreach.referral.v1'],
      handle: async (envelope, hop) => {
        hop.emit('vtj-lookups', 'outreach.referral.v1', envelope.payload, { key: 'good' });
        hop.deadLetter('outreach.referral.v1', envelope.payload, { code: 'part-refused', reason: `one part is bad: about ${envelope.payload.hetu}` }, { key: 'bad-part' });
        hop.setOutcome('taken-in-part');
      },
    };

    const result = await processBatch(spec, { Records: [sqsRecord(mixed)] }, 10_000, io);

    expect(failures(result)).toEqual([]);
    expect(sqs.envelopesTo(urlOf('vtj-lookups'))).toHaveLength(1);
    expect(sqs.envelopesTo(urlOf(STAGE))).toEqual([]);
    const [entry, ...more] = sqs.sent.filter((b) => b.queueUrl === dlqOf(STAGE)).flatMap((b) => b.entries);
    expect(more).toEqual([]);
    const letter = JSON.parse(entry!.MessageBody!) as Envelope;
    // A message of its own, caused by the hop's, of a type the function handles: what a redrive puts back.
    expect(letter).toMatchObject({ type: 'outreach.referral.v1', causationId: mixed.messageId, correlationId: mixed.correlationId });
    expect(letter.messageId).not.toBe(mixed.messageId);
    expect(attributeOf(entry!, ATTR.failureCode)).toBe('part-refused');
    expect(attributeOf(entry!, ATTR.failureReason)).toMatch(/^one part is bad: about /);
    expect(attributeOf(entry!, ATTR.failureReason)).not.toContain(mixed.payload.hetu);
    expect(attributeOf(entry!, ATTR.failedStage)).toBe(STAGE);
    expect(attributeOf(entry!, ATTR.parentHop)).toBe(hopKey(mixed.messageId, STAGE));
    expect(table.of(mixed.messageId).map((r) => r.outcome)).toEqual(['taken-in-part']);
  });

  it('groups outputs into SendMessageBatch requests of ten per queue, and the audit records into one BatchWriteItem', async () => {
    const envelopes = Array.from({ length: 9 }, () => referral());
    const { spec } = intake(() => 'ok', { outputs: 3 });

    const result = await processBatch(spec, { Records: envelopes.map((e) => sqsRecord(e)) }, 10_000, io);

    expect(failures(result)).toEqual([]);
    const toLookups = sqs.sent.filter((b) => b.queueUrl === urlOf('vtj-lookups'));
    expect(toLookups.map((b) => b.entries.length)).toEqual([10, 10, 7]);
    // Entry ids are unique within each request.
    for (const b of toLookups) expect(b.entries.map((e) => e.Id)).toEqual(b.entries.map((_, i) => String(i)));
    expect(sqs.envelopesTo(urlOf('vtj-lookups'))).toHaveLength(27);
    expect(table.writes).toEqual([9]);
    expect(table.gets).toEqual([9]);
  });

  it('sends those requests all at once, not each after the one before', async () => {
    const envelopes = Array.from({ length: 9 }, () => referral());
    const { spec } = intake(() => 'ok', { outputs: 3 });
    let inFlight = 0;
    let most = 0;
    const slow = {
      send: async (command: unknown) => {
        most = Math.max(most, ++inFlight);
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return sqs.send(command);
      },
    };

    await processBatch(spec, { Records: envelopes.map((e) => sqsRecord(e)) }, 10_000, { ...io, sqs: () => slow as unknown as SQSClient });

    expect(sqs.sent.map((b) => b.entries.length).sort()).toEqual([10, 10, 7]);
    expect(most).toBe(3);
  });

  it('retries the hop whose output SQS did not take, and only that hop', async () => {
    const envelopes = Array.from({ length: 3 }, () => referral());
    const unlucky = envelopes[1]!;
    const records = envelopes.map((e) => sqsRecord(e));
    sqs.failEntry = (url, entry) => url === urlOf('vtj-lookups') && (JSON.parse(entry.MessageBody!) as Envelope).causationId === unlucky.messageId;
    const { spec } = intake(() => 'ok');

    const result = await processBatch(spec, { Records: records }, 10_000, io);

    expect(failures(result)).toEqual([records[1]!.messageId]);
    expect(table.of(unlucky.messageId)).toMatchObject([{ outcome: 'retry', reason: 'send-failed: could not send to queue vtj-lookups' }]);
    expect(envelopes.filter((e) => e !== unlucky).map((e) => table.of(e.messageId)[0]?.outcome)).toEqual(['candidate-recorded', 'candidate-recorded']);
    expect(sqs.visibility.flat().map((e) => e.ReceiptHandle)).toEqual([records[1]!.receiptHandle]);
  });

  it('leaves a permanent failure on its queue when the DLQ does not take it, for SQS to move later', async () => {
    const bad = referral();
    const record = sqsRecord(bad);
    sqs.failEntry = (url) => url === dlqOf(STAGE);
    const { spec } = intake(() => 'permanent');

    const result = await processBatch(spec, { Records: [record] }, 10_000, io);

    expect(failures(result)).toEqual([record.messageId]);
    expect(table.of(bad.messageId)[0]?.outcome).toBe('retry');
  });
});

describe('processBatch with sendEarly', () => {
  /** referral-intake's binding, sending early: each record waits for its own gate before it succeeds. */
  const gated = (ids: readonly string[], when?: () => boolean) => {
    const gates = new Map(
      ids.map((id) => {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        return [id, { promise, resolve }] as const;
      }),
    );
    const spec: SqsHandlerSpec<'outreach.referral.v1'> = {
      name: STAGE,
      accepts: ['outreach.referral.v1'],
      sendEarly: { windowMs: 0, ...(when ? { when } : {}) },
      handle: async (envelope, hop) => {
        await gates.get(envelope.messageId)!.promise;
        hop.emit('vtj-lookups', 'outreach.referral.v1', envelope.payload, { key: 'next' });
      },
    };
    return { spec, open: (id: string) => gates.get(id)!.resolve() };
  };
  const causes = (queue: QueueName) => sqs.envelopesTo(urlOf(queue)).map((e) => e.causationId);

  it('sends a record’s outputs once it is handled, while a slower record of its batch is not, and each once', async () => {
    const [fast, slow] = [referral(), referral()];
    const { spec, open } = gated([fast.messageId, slow.messageId]);

    open(fast.messageId);
    const batch = processBatch(spec, { Records: [sqsRecord(fast), sqsRecord(slow)] }, 10_000, io);
    await vi.waitFor(() => expect(causes('vtj-lookups')).toEqual([fast.messageId]));
    // The slow one is not done, so the batch is not either: nothing of it has been sent or recorded.
    expect(table.of(slow.messageId)).toEqual([]);
    open(slow.messageId);
    const result = await batch;

    expect(failures(result)).toEqual([]);
    expect(causes('vtj-lookups')).toEqual([fast.messageId, slow.messageId]);
    expect([fast, slow].map((e) => table.of(e.messageId)[0]?.outcome)).toEqual(['processed', 'processed']);
    const link = sqs.sent[0]!.entries[0]!;
    expect(attributeOf(link, ATTR.parentHop)).toBe(hopKey(fast.messageId, STAGE));
  });

  it('sends nothing early while its `when` says no: the batch goes on together when it is done', async () => {
    const [fast, slow] = [referral(), referral()];
    const { spec, open } = gated([fast.messageId, slow.messageId], () => false);

    open(fast.messageId);
    const batch = processBatch(spec, { Records: [sqsRecord(fast), sqsRecord(slow)] }, 10_000, io);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(sqs.sent).toEqual([]);
    open(slow.messageId);
    await batch;

    expect(sqs.sent.filter((b) => b.queueUrl === urlOf('vtj-lookups')).map((b) => b.entries.length)).toEqual([2]);
  });

  it('retries the record whose early output SQS did not take, and only it', async () => {
    const [unlucky, lucky] = [referral(), referral()];
    const records = [sqsRecord(unlucky), sqsRecord(lucky)];
    sqs.failEntry = (url, entry) => url === urlOf('vtj-lookups') && (JSON.parse(entry.MessageBody!) as Envelope).causationId === unlucky.messageId;
    const { spec, open } = gated([unlucky.messageId, lucky.messageId]);
    open(unlucky.messageId);
    open(lucky.messageId);

    const result = await processBatch(spec, { Records: records }, 10_000, io);

    expect(failures(result)).toEqual([records[0]!.messageId]);
    expect(table.of(unlucky.messageId)).toMatchObject([{ outcome: 'retry', reason: 'send-failed: could not send to queue vtj-lookups' }]);
    expect(table.of(lucky.messageId)[0]?.outcome).toBe('processed');
  });

  it('refuses a spec that would both send early and complete its batch', async () => {
    const { spec } = gated([]);
    await expect(processBatch({ ...spec, complete: async () => undefined }, { Records: [] }, 10_000, io)).rejects.toThrow(/cannot send early and complete/);
  });
});

describe('settleBatch', () => {
  /** Hops as the steps leave them: decoded, and failed transiently (each then gets a retry record). */
  const failedHops = (n: number) =>
    Array.from({ length: n }, () => {
      const hop = decodeRecord(sqsRecord(referral()), STAGE);
      hop.failure = { kind: 'transient', code: 'register-busy', reason: 'the register answered 503' };
      return hop;
    });

  it('writes the audit records in BatchWriteItem requests of 25, and the visibility changes in tens', async () => {
    const hops = failedHops(30);
    const result = await settleBatch(hops, STAGE, STAGE, io);
    expect(result.batchItemFailures).toHaveLength(30);
    expect(table.writes).toEqual([25, 5]);
    expect(sqs.visibility.map((entries) => entries.length)).toEqual([10, 10, 10]);
  });

  it('writes again just the record a BatchWriteItem left unprocessed, and the batch succeeds', async () => {
    const hops = failedHops(3);
    const unlucky = hops[1]!.record.messageId;
    table.leaveUnprocessedOnce = (record) => record.hop.includes(unlucky.slice(0, 8));

    const result = await settleBatch(hops, STAGE, STAGE, io);

    expect(table.writes).toEqual([3, 1]);
    expect(table.records).toHaveLength(3);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(hops.map((h) => h.record.messageId));
  });

  it('returns every record of the batch when the audit records cannot be written: without its record a hop has not happened', async () => {
    const ok = decodeRecord(sqsRecord(referral()), STAGE);
    const hops = [ok, ...failedHops(1)];
    table.failWrites = true;

    const result = await settleBatch(hops, STAGE, STAGE, io);

    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(hops.map((h) => h.record.messageId));
    // No visibility backoff either: the batch failed as a whole.
    expect(sqs.visibility).toEqual([]);
  });
});
