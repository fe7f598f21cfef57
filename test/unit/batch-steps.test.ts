import { randomUUID } from 'node:crypto';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { containsHetuShape, makeHetu } from '#contracts/hetu';
import { MAX_INLINE_ENVELOPE_BYTES, type Envelope } from '#contracts/envelope';
import { hopKey } from '#lib/audit/record';
import { ATTR } from '#lib/batch/attributes';
import { decodeRecord } from '#lib/batch/decode';
import { compose, type HopState, type RecordStep } from '#lib/batch/hop';
import { classifyErrors } from '#lib/batch/steps/classify-errors';
import { contextOf, correlationContext } from '#lib/batch/steps/correlation-context';
import { dedupe, dedupeKey } from '#lib/batch/steps/dedupe';
import { currentContext } from '#lib/context';
import { PermanentError, TransientError } from '#lib/errors';
import { costRow, costsEnvelope } from '../support/claims.ts';
import { referral } from '../support/envelopes.ts';

const STAGE = 'referral-intake';

const attribute = (value: string) => ({ dataType: 'String', stringValue: value });

/** An SQS record as the Lambda event source mapping delivers it. */
const sqsRecord = (
  body: string,
  options: { receiveCount?: number; messageAttributes?: SQSMessageAttributes } = {},
): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: `receipt-${randomUUID()}`,
  body,
  attributes: {
    ApproximateReceiveCount: String(options.receiveCount ?? 1),
    SentTimestamp: '1793520000000',
    SenderId: 'AIDATEST',
    ApproximateFirstReceiveTimestamp: '1793520000100',
  },
  messageAttributes: options.messageAttributes ?? {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-north-1:000000000000:referral-intake',
  awsRegion: 'eu-north-1',
});

/** A hop as the batch hands it to the steps: decoded, nothing decided yet. */
const hopState = (envelope: Envelope = referral(), overrides: Partial<HopState> = {}): HopState => ({
  record: sqsRecord(JSON.stringify(envelope)),
  stage: STAGE,
  receiveCount: 1,
  startedAt: Date.now(),
  envelope,
  parent: null,
  subject: undefined,
  duplicate: false,
  outcome: 'processed',
  failure: undefined,
  outputs: [],
  deadLetterOutputs: [],
  audit: undefined,
  ...overrides,
});

/** A hop whose body could not be read as an envelope. */
const unreadableHop = (): HopState =>
  hopState(referral(), {
    record: sqsRecord('not json'),
    envelope: undefined,
    failure: { kind: 'permanent', code: 'unreadable', reason: 'the message body is not JSON' },
  });

const output = (): HopState['outputs'][number] => ({ queue: 'referral-intake', envelope: referral() });

const stepThatRecords = (name: string, log: string[]): RecordStep => async (_hop, next) => {
  log.push(`${name} before`);
  await next();
  log.push(`${name} after`);
};

describe('decodeRecord', () => {
  it('reads a valid body as its envelope, with the HETU it concerns as subject and no failure', () => {
    const hetu = makeHetu('1991-09-09', 321);
    const envelope = referral({ payload: { hetu } });
    const hop = decodeRecord(sqsRecord(JSON.stringify(envelope)), STAGE);
    expect(hop.envelope).toEqual(envelope);
    expect(hop.subject).toBe(hetu);
    expect(hop.failure).toBeUndefined();
    expect(hop).toMatchObject({ stage: STAGE, duplicate: false, outcome: 'processed', outputs: [], audit: undefined, parent: null });
  });

  it('reads the parent link from the koto.parentHop and koto.parentDigest message attributes', () => {
    const parentHop = `${randomUUID()}#ingress`;
    const digest = 'c'.repeat(64);
    const record = sqsRecord(JSON.stringify(referral()), {
      messageAttributes: { [ATTR.parentHop]: attribute(parentHop), [ATTR.parentDigest]: attribute(digest) },
    });
    expect(decodeRecord(record, STAGE).parent).toEqual({ hop: parentHop, digest });
  });

  it('has no parent when only one half of the link is present', () => {
    const record = sqsRecord(JSON.stringify(referral()), { messageAttributes: { [ATTR.parentHop]: attribute('x#ingress') } });
    expect(decodeRecord(record, STAGE).parent).toBeNull();
  });

  it('reads the receive count from the record attributes', () => {
    expect(decodeRecord(sqsRecord(JSON.stringify(referral()), { receiveCount: 4 }), STAGE).receiveCount).toBe(4);
  });

  it('fails a body that is not JSON permanently as unreadable, with no envelope', () => {
    const hop = decodeRecord(sqsRecord('{"messageId": '), STAGE);
    expect(hop.envelope).toBeUndefined();
    expect(hop.subject).toBeUndefined();
    expect(hop.failure).toEqual({ kind: 'permanent', code: 'unreadable', reason: 'the message body is not JSON' });
  });

  it('fails a body that breaks the contract permanently as schema-violation, naming the field paths but not the HETU', () => {
    const envelope = referral();
    const badHetu = `${envelope.payload.hetu.slice(0, 10)}${envelope.payload.hetu.endsWith('0') ? '1' : '0'}`;
    const body = JSON.stringify({ ...envelope, municipality: '12', payload: { ...envelope.payload, hetu: badHetu } });
    const hop = decodeRecord(sqsRecord(body), STAGE);
    expect(hop.envelope).toBeUndefined();
    expect(hop.failure).toMatchObject({ kind: 'permanent', code: 'schema-violation' });
    expect(hop.failure?.reason).toMatch(/^municipality: .+; payload\.hetu: .+$/);
    expect(containsHetuShape(hop.failure?.reason ?? '')).toBe(false);
  });

  it('names how many fields break the contract and the first ten, in one reason of at most 500 characters', () => {
    // 300 rows, each with an amount that is not a whole number of cents and a voucher too long.
    const rows = Array.from({ length: 300 }, (_, i) => costRow(`V-${i}`, makeHetu('1990-03-15', i + 2), { amountCents: 0.5, voucher: 'x'.repeat(500) }));
    const hop = decodeRecord(sqsRecord(JSON.stringify(costsEnvelope({ batchId: 'B-1', rows }))), STAGE);
    expect(hop.failure).toMatchObject({ kind: 'permanent', code: 'schema-violation' });
    const reason = hop.failure?.reason ?? '';
    expect(reason.length).toBe(500);
    expect(reason).toMatch(/^600 fields break the contract, the first 10: payload\.rows\.0\.voucher: .+; payload\.rows\.0\.amountCents: /);
    expect(containsHetuShape(reason)).toBe(false);
  });

  it('fails a body over the inline limit permanently without parsing it, and keeps a body at the limit', () => {
    const envelope = referral();
    const padding = (bytes: number) => ' '.repeat(bytes - Buffer.byteLength(JSON.stringify(envelope), 'utf8'));
    const atLimit = `${JSON.stringify(envelope)}${padding(MAX_INLINE_ENVELOPE_BYTES)}`;
    const overLimit = `${atLimit} `;
    expect(decodeRecord(sqsRecord(atLimit), STAGE).failure).toBeUndefined();
    const hop = decodeRecord(sqsRecord(overLimit), STAGE);
    expect(hop.envelope).toBeUndefined();
    expect(hop.failure).toMatchObject({ kind: 'permanent', code: 'unreadable', reason: expect.stringContaining(String(MAX_INLINE_ENVELOPE_BYTES)) });
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    // 'ä' is two bytes in UTF-8: the body has fewer characters than the limit but more bytes.
    const body = JSON.stringify(referral()).replace(/\}$/, `,"note":"${'ä'.repeat(MAX_INLINE_ENVELOPE_BYTES / 2)}"}`);
    expect(body.length).toBeLessThan(MAX_INLINE_ENVELOPE_BYTES);
    expect(decodeRecord(sqsRecord(body), STAGE).failure).toMatchObject({ kind: 'permanent', code: 'unreadable' });
  });
});

describe('classifyErrors', () => {
  it('turns a throwing handler into a classified failure and drops the outputs it staged', async () => {
    const hop = hopState();
    await classifyErrors(hop, async () => {
      hop.outputs.push(output());
      throw new PermanentError('invalid-hetu', 'the code is malformed');
    });
    expect(hop.failure).toEqual({ kind: 'permanent', code: 'invalid-hetu', reason: 'the code is malformed' });
    expect(hop.outputs).toEqual([]);
  });

  it('classifies a transient error as transient', async () => {
    const hop = hopState();
    await classifyErrors(hop, async () => {
      throw new TransientError('vtj-timeout', 'VTJ did not answer');
    });
    expect(hop.failure).toMatchObject({ kind: 'transient', code: 'vtj-timeout' });
  });

  it('leaves a hop whose handler succeeds without a failure and with its outputs', async () => {
    const hop = hopState();
    const staged = output();
    await classifyErrors(hop, async () => {
      hop.outputs.push(staged);
    });
    expect(hop.failure).toBeUndefined();
    expect(hop.outputs).toEqual([staged]);
  });
});

describe('dedupe', () => {
  it('marks a hop already recorded for this stage as a duplicate and does not call next', async () => {
    const envelope = referral();
    const hop = hopState(envelope);
    const seen = new Set([dedupeKey(envelope.correlationId, hopKey(envelope.messageId, STAGE))]);
    let called = false;
    await dedupe(seen)(hop, async () => {
      called = true;
    });
    expect(called).toBe(false);
    expect(hop).toMatchObject({ duplicate: true, outcome: 'duplicate' });
  });

  it('calls next for a hop recorded only at another stage or under another correlation', async () => {
    const envelope = referral();
    const seen = new Set([
      dedupeKey(envelope.correlationId, hopKey(envelope.messageId, 'ingress')),
      dedupeKey(randomUUID(), hopKey(envelope.messageId, STAGE)),
    ]);
    const hop = hopState(envelope);
    let called = false;
    await dedupe(seen)(hop, async () => {
      called = true;
    });
    expect(called).toBe(true);
    expect(hop).toMatchObject({ duplicate: false, outcome: 'processed' });
  });

  it('calls next for a hop without an envelope', async () => {
    const hop = unreadableHop();
    const seen = new Set([dedupeKey('unreadable', hopKey(hop.record.messageId, STAGE))]);
    let called = false;
    await dedupe(seen)(hop, async () => {
      called = true;
    });
    expect(called).toBe(true);
  });
});

describe('correlationContext', () => {
  it("runs next inside the hop's correlation context, and leaves none behind", async () => {
    const envelope = referral({ causationId: randomUUID() });
    const hop = hopState(envelope);
    let inside: ReturnType<typeof currentContext>;
    await correlationContext(hop, async () => {
      await Promise.resolve();
      inside = currentContext();
    });
    expect(inside).toEqual({
      correlationId: envelope.correlationId,
      messageId: envelope.messageId,
      causationId: envelope.causationId,
      messageType: envelope.type,
      function: STAGE,
    });
    expect(currentContext()).toBeUndefined();
  });

  it('keeps the contexts of hops handled concurrently apart', async () => {
    const hops = [hopState(), hopState(), hopState()];
    const seen = new Map<HopState, string | undefined>();
    await Promise.all(
      hops.map((hop, i) =>
        correlationContext(hop, async () => {
          await new Promise((resolve) => setTimeout(resolve, (3 - i) * 3));
          seen.set(hop, currentContext()?.messageId);
        }),
      ),
    );
    for (const hop of hops) expect(seen.get(hop)).toBe(hop.envelope?.messageId);
  });

  it('runs next without a context for a hop without an envelope', async () => {
    const hop = unreadableHop();
    let called = false;
    await correlationContext(hop, async () => {
      called = true;
      expect(currentContext()).toBeUndefined();
    });
    expect(called).toBe(true);
    expect(contextOf(hop)).toBeUndefined();
  });
});

describe('compose', () => {
  it('runs the steps outside-in around the last function', async () => {
    const log: string[] = [];
    const run = compose([stepThatRecords('a', log), stepThatRecords('b', log), stepThatRecords('c', log)], async () => {
      log.push('last');
    });
    await run(hopState());
    expect(log).toEqual(['a before', 'b before', 'c before', 'last', 'c after', 'b after', 'a after']);
  });

  it('calls only the last function when there are no steps', async () => {
    const hop = hopState();
    let got: HopState | undefined;
    await compose([], async (h) => {
      got = h;
    })(hop);
    expect(got).toBe(hop);
  });

  it('stops at a step that does not call next', async () => {
    const log: string[] = [];
    const stop: RecordStep = async () => {
      log.push('stop');
    };
    await compose([stepThatRecords('a', log), stop, stepThatRecords('b', log)], async () => {
      log.push('last');
    })(hopState());
    expect(log).toEqual(['a before', 'stop', 'a after']);
  });

  it('lets an outer classifyErrors catch what the last function throws past an inner dedupe', async () => {
    const hop = hopState();
    await compose([classifyErrors, dedupe(new Set())], async () => {
      throw new TransientError('down', 'the register is down');
    })(hop);
    expect(hop.failure).toMatchObject({ kind: 'transient', code: 'down' });
  });
});
