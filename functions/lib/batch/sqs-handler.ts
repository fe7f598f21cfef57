/**
 * The doorway of every queue-fed function: middy with Powertools' logger and metrics around a
 * batch that is decoded, de-duplicated, handled record by record through small steps, and settled
 * in one go. A handler module is one call:
 *
 *   export const handler = createSqsHandler({ name: 'referral-intake', accepts: ['outreach.referral.v1'], handle });
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Envelope } from '#contracts/envelope';
import { buildEnvelope, type MessageType, type PayloadOf } from '#contracts/messages/registry';
import { functionSpec, hubMetrics, queueSpec, type FunctionName, type QueueName } from '#infra/topology';
import { existingHops } from '#lib/audit/store';
import { hopKey } from '#lib/audit/record';
import { deterministicUuid } from '#lib/ids';
import { classifyError, PermanentError, type Failure } from '#lib/errors';
import { logger } from '#lib/logger';
import { metrics, MetricUnit } from '#lib/metrics';
import { compose, type HopState } from '#lib/batch/hop';
import { decodeRecord } from '#lib/batch/decode';
import { processClients, sendEarly, settleBatch, type BatchIo } from '#lib/batch/unit-of-work';
import { auditHop } from '#lib/batch/steps/audit-hop';
import { classifyErrors } from '#lib/batch/steps/classify-errors';
import { contextOf, correlationContext } from '#lib/batch/steps/correlation-context';
import { withContext } from '#lib/context';
import { ATTR, readAttribute } from '#lib/batch/attributes';
import { scrubText } from '#lib/pii';
import { dedupe, dedupeKey } from '#lib/batch/steps/dedupe';

export interface EmitFields {
  readonly target?: string;
  readonly municipality?: string;
  /** Distinguishes several outputs of one type (e.g. one per person), for their deterministic ids. */
  readonly key?: string;
  /** Seconds before the message can be received (SQS DelaySeconds, at most 900). */
  readonly delaySeconds?: number;
  /** String attributes of its own, sent beside the audit chain link. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface HopApi {
  readonly receiveCount: number;
  /** This is the queue's last receive: a transient failure now ends as a dead letter. */
  readonly lastReceive: boolean;
  /** Epoch milliseconds by which outbound calls must end, so the batch settles before the invocation's timeout. */
  readonly deadline: number;
  /** Stages an output message; it is sent when the batch settles, only if this hop succeeded. */
  emit<T extends MessageType>(queue: QueueName, type: T, payload: PayloadOf<T>, fields?: EmitFields): Envelope<PayloadOf<T>>;
  /**
   * Stages a dead letter of its own beside a hop that succeeds: a part of the input that cannot be
   * taken (one bad answer among good ones), set aside on the DLQ of the function's queue with its
   * reason (`koto.failureCode`, `koto.failureReason`, scrubbed as every reason), where the operators
   * see it, and where a redrive puts it on the queue as `type`: so `type` must be one the function
   * handles. Sent when the batch settles, only if this hop succeeded.
   */
  deadLetter<T extends MessageType>(type: T, payload: PayloadOf<T>, failure: { readonly code: string; readonly reason: string }, fields?: Pick<EmitFields, 'key'>): Envelope<PayloadOf<T>>;
  /** Names the outcome recorded in the audit log (default `processed`). */
  setOutcome(outcome: string): void;
  /** A string attribute of the message as it arrived. */
  attribute(name: string): string | undefined;
}

export type HopHandler<T extends MessageType, C> = (envelope: Envelope<PayloadOf<T>>, hop: HopApi, batch: C) => Promise<void>;

export interface SqsHandlerSpec<T extends MessageType, C = undefined> {
  readonly name: FunctionName;
  readonly accepts: readonly T[];
  /**
   * Once per batch, before its records: what they share (one BatchGetItem for all of them, say).
   * Its result is passed to `handle` and `complete`.
   */
  readonly prepare?: (envelopes: readonly Envelope<PayloadOf<T>>[]) => Promise<C>;
  readonly handle: HopHandler<T, C>;
  /**
   * Once per batch, after its records succeeded, before it settles: one write for all of them (a
   * counter, say). `emitFor(correlationId)` emits as the batch's last successful record of that
   * correlation (undefined when it has none). If it throws, every record of the batch is retried.
   */
  readonly complete?: (batch: C, emitFor: (correlationId: string) => HopApi['emit'] | undefined) => Promise<void>;
  /**
   * For a message that will end as a dead letter (a permanent failure, or the last receive before
   * SQS moves it): the outputs that tell whoever waits for it, sent beside the dead letter.
   */
  readonly onDeadLetter?: (envelope: Envelope<PayloadOf<T>>, failure: Failure, emit: HopApi['emit']) => void;
  /**
   * A record's outputs are sent once it is handled (those done within `windowMs` of each other
   * together), not when the whole batch is, while `when` says so (always without it): for handlers
   * whose records end far apart. A paced lookup's batch of ten takes ten intervals of its register,
   * times the instances in turn; its first answer would wait all that long for its next step. Not
   * with `complete`, which may still fail the records whose outputs are gone.
   */
  readonly sendEarly?: { readonly windowMs: number; readonly when?: () => boolean };
}

/**
 * Gathers the hops that are done and sends their outputs together once the first has waited
 * `windowMs`; `settled` waits for the sends under way and leaves the rest to the batch's settling.
 */
const earlySender = ({ windowMs, when = () => true }: NonNullable<SqsHandlerSpec<MessageType>['sendEarly']>, io: BatchIo) => {
  let ready: HopState[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sending = new Set<Promise<void>>();
  const flush = () => {
    timer = undefined;
    const hops = ready;
    ready = [];
    const send = sendEarly(hops, io).finally(() => sending.delete(send));
    sending.add(send);
  };
  return {
    done(hop: HopState) {
      if (hop.failure || hop.duplicate || !hop.audit || hop.outputs.length === 0 || !when()) return;
      ready.push(hop);
      timer ??= setTimeout(flush, windowMs);
    },
    async settled() {
      clearTimeout(timer);
      await Promise.all(sending);
    },
  };
};

const hopApi = (hop: HopState, envelope: Envelope, deadline: number, binding: { readonly queue: QueueName; readonly maxReceiveCount: number }): HopApi => {
  /** Builds an output of this hop and stages it for its queue, or (`deadLetter`) for that queue's DLQ. */
  const stage = <T extends MessageType>(queue: QueueName, type: T, payload: PayloadOf<T>, fields: EmitFields, deadLetter?: true): Envelope<PayloadOf<T>> => {
    const out = buildEnvelope(type, payload, {
      messageId: deterministicUuid(envelope.messageId, hop.stage, type, fields.key ?? String(hop.outputs.length)),
      correlationId: envelope.correlationId,
      causationId: envelope.messageId,
      source: 'hub',
      target: fields.target ?? 'hub',
      municipality: fields.municipality ?? envelope.municipality,
    });
    hop.outputs.push({
      queue,
      envelope: out,
      ...(fields.delaySeconds ? { delaySeconds: fields.delaySeconds } : {}),
      ...(fields.attributes ? { attributes: fields.attributes } : {}),
      ...(deadLetter ? { deadLetter } : {}),
    });
    return out;
  };
  return {
    receiveCount: hop.receiveCount,
    lastReceive: hop.receiveCount >= binding.maxReceiveCount,
    deadline,
    emit: (queue, type, payload, fields = {}) => stage(queue, type, payload, fields),
    deadLetter(type, payload, failure, fields = {}) {
      // The attributes a dead letter of the batch carries (unit-of-work.ts), so `koto-hub dlq` reads it the same way.
      const attributes = {
        [ATTR.failureCode]: failure.code,
        [ATTR.failureReason]: scrubText(failure.reason),
        [ATTR.failedStage]: hop.stage,
        [ATTR.failedAt]: new Date().toISOString(),
      };
      return stage(binding.queue, type, payload, { key: `dead-letter-${fields.key ?? hop.outputs.length}`, attributes }, true);
    },
    setOutcome(outcome) {
      hop.outcome = outcome;
    },
    attribute: (name) => readAttribute(hop.record.messageAttributes, name),
  };
};

/** One line per hop, in its correlation context: the outcome, or the failure and where it goes. */
const logHop = (hop: HopState): void => {
  const line = () =>
    hop.failure
      ? logger.warn('hop failed', { sqsMessageId: hop.record.messageId, outcome: hop.audit?.outcome, failure: hop.failure, receiveCount: hop.receiveCount })
      : logger.info('hop done', { outcome: hop.outcome, durationMs: Date.now() - hop.startedAt });
  const context = contextOf(hop);
  if (context) void withContext(context, async () => line());
  else line();
};

/**
 * The batch's records by how they ended (`hubMetrics.records`): processed, duplicates, failed, and
 * of the failed those coming back for another try and those ending as dead letters.
 */
export const countOutcomes = (hops: readonly HopState[], target = metrics): void => {
  const names = hubMetrics.records;
  const count = (name: string, n: number) => n > 0 && target.addMetric(name, MetricUnit.Count, n);
  count(names.processed, hops.filter((h) => !h.failure && !h.duplicate).length);
  count(names.duplicates, hops.filter((h) => h.duplicate).length);
  count(names.failed, hops.filter((h) => h.failure).length);
  count(names.retried, hops.filter((h) => h.failure && h.audit?.outcome !== 'dead-letter').length);
  count(names.deadLettered, hops.filter((h) => h.audit?.outcome === 'dead-letter').length);
};

const functionSpecTimeoutMs = (name: FunctionName): number => functionSpec(name).timeoutSeconds * 1000;

/** Time kept back from the invocation's remaining time to settle the batch (send, dead-letter, audit). */
const SETTLE_MARGIN_MS = 1500;

export const processBatch = async <T extends MessageType, C>(
  spec: SqsHandlerSpec<T, C>,
  event: SQSEvent,
  remainingMs: number = functionSpecTimeoutMs(spec.name),
  io: BatchIo = processClients,
): Promise<SQSBatchResponse> => {
  const deadline = Date.now() + Math.max(remainingMs - SETTLE_MARGIN_MS, remainingMs / 2);
  const binding = functionSpec(spec.name).consumes;
  if (!binding) throw new Error(`configuration: function ${spec.name} is not bound to a queue`);
  if (spec.sendEarly && spec.complete) throw new Error(`configuration: function ${spec.name} cannot send early and complete its batch`);
  const maxReceiveCount = queueSpec(binding.queue).maxReceiveCount;

  const hops = event.Records.map((record) => decodeRecord(record, spec.name));
  const alreadyHandled = await existingHops(
    hops.flatMap((h) => (h.envelope ? [{ correlationId: h.envelope.correlationId, hop: hopKey(h.envelope.messageId, spec.name) }] : [])),
    io.documents(),
  );
  const seenInBatch = new Set<string>();
  const fresh = hops.flatMap((h) =>
    h.envelope && !h.failure && !alreadyHandled.has(dedupeKey(h.envelope.correlationId, hopKey(h.envelope.messageId, spec.name)))
      ? [h.envelope as Envelope<PayloadOf<T>>]
      : [],
  );
  const batch = (spec.prepare ? await spec.prepare(fresh) : undefined) as C;
  const apis = new Map<HopState, HopApi>();
  const handleOne = compose(
    [correlationContext, auditHop(maxReceiveCount), classifyErrors, dedupe(alreadyHandled)],
    async (hop) => {
      const envelope = hop.envelope;
      if (!envelope || hop.failure) return;
      const key = dedupeKey(envelope.correlationId, envelope.messageId);
      if (seenInBatch.has(key)) {
        hop.duplicate = true;
        hop.outcome = 'duplicate';
        return;
      }
      seenInBatch.add(key);
      if (!(spec.accepts as readonly string[]).includes(envelope.type)) {
        throw new PermanentError('unexpected-type', `${spec.name} does not handle ${envelope.type}`);
      }
      const api = hopApi(hop, envelope, deadline, { queue: binding.queue, maxReceiveCount });
      apis.set(hop, api);
      await spec.handle(envelope as Envelope<PayloadOf<T>>, api, batch);
    },
  );
  const early = spec.sendEarly ? earlySender(spec.sendEarly, io) : undefined;
  await Promise.all(hops.map(async (hop) => (await handleOne(hop), early?.done(hop))));
  await early?.settled();
  if (spec.complete) await completeBatch(spec.complete, batch, hops, apis);
  if (spec.onDeadLetter) stageDeadLetterOutputs(spec, hops, { queue: binding.queue, maxReceiveCount }, deadline);
  const settled = await settleBatch(hops, binding.queue, spec.name, io);
  countOutcomes(hops);
  for (const hop of hops) logHop(hop);
  return settled;
};

const stageDeadLetterOutputs = <T extends MessageType, C>(
  spec: SqsHandlerSpec<T, C>,
  hops: readonly HopState[],
  binding: { readonly queue: QueueName; readonly maxReceiveCount: number },
  deadline: number,
) => {
  const { maxReceiveCount } = binding;
  for (const hop of hops) {
    const { envelope, failure } = hop;
    if (!envelope || !failure || !(spec.accepts as readonly string[]).includes(envelope.type)) continue;
    if (failure.kind === 'transient' && hop.receiveCount < maxReceiveCount) continue;
    const api = hopApi(hop, envelope, deadline, binding);
    spec.onDeadLetter!(envelope as Envelope<PayloadOf<T>>, failure, (queue, type, payload, fields) => {
      const staged = api.emit(queue, type, payload, { ...fields, key: `dead-letter-${fields?.key ?? hop.deadLetterOutputs.length}` });
      hop.deadLetterOutputs.push(hop.outputs.pop()!);
      return staged;
    });
  }
};

/** Runs the batch's `complete`; if it fails, the batch's successful records are retried. */
const completeBatch = async <C>(complete: NonNullable<SqsHandlerSpec<MessageType, C>['complete']>, batch: C, hops: readonly HopState[], apis: ReadonlyMap<HopState, HopApi>) => {
  const succeeded = hops.filter((h) => !h.failure && !h.duplicate && apis.has(h));
  if (succeeded.length === 0) return;
  const lastOf = new Map(succeeded.map((h) => [h.envelope!.correlationId, apis.get(h)!]));
  try {
    await complete(batch, (correlationId) => lastOf.get(correlationId)?.emit);
  } catch (error) {
    const failure = classifyError(error);
    for (const hop of succeeded) {
      hop.failure = { ...failure, kind: 'transient' };
      hop.outputs = [];
    }
  }
};

export const createSqsHandler = <T extends MessageType, C = undefined>(spec: SqsHandlerSpec<T, C>) =>
  middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler((event, context) => processBatch(spec, event, context.getRemainingTimeInMillis()));
