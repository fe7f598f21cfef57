/**
 * One record of an SQS batch on its way through a function: what the steps (small per-record
 * middlewares) know about it and what they decided. The batch's unit of work then sends the
 * outputs, dead-letters permanent failures and writes the audit records of all of them at once.
 */
import type { SQSRecord } from 'aws-lambda';
import type { Envelope } from '#contracts/envelope';
import type { QueueName } from '#infra/topology';
import type { Failure } from '#lib/errors';
import type { AuditRecord, HopOutcome } from '#lib/audit/record';

export interface ParentRef {
  readonly hop: string;
  readonly digest: string;
}

export interface Outgoing {
  readonly queue: QueueName;
  readonly envelope: Envelope;
  readonly delaySeconds?: number;
  readonly attributes?: Readonly<Record<string, string>>;
  /** Sent to the DLQ of `queue` rather than to it: a part of the input set aside for the operators. */
  readonly deadLetter?: true;
}

export interface HopState {
  readonly record: SQSRecord;
  readonly stage: string;
  readonly receiveCount: number;
  readonly startedAt: number;
  /** The validated envelope; absent when the body could not be read as one. */
  readonly envelope: Envelope | undefined;
  readonly parent: ParentRef | null;
  /** The HETU the message concerns, hashed into the audit record (never logged). */
  readonly subject: string | undefined;
  duplicate: boolean;
  outcome: HopOutcome;
  failure: Failure | undefined;
  outputs: Outgoing[];
  /** Sent only if the message ends as a dead letter: telling its requester it will not be answered. */
  deadLetterOutputs: Outgoing[];
  audit: AuditRecord | undefined;
}

/** A per-record middleware: does its one thing around `next`. */
export type RecordStep = (hop: HopState, next: () => Promise<void>) => Promise<void>;

export const compose =
  (steps: readonly RecordStep[], last: (hop: HopState) => Promise<void>) =>
  (hop: HopState): Promise<void> => {
    const run = (index: number): Promise<void> => {
      const step = steps[index];
      return step ? step(hop, () => run(index + 1)) : last(hop);
    };
    return run(0);
  };
