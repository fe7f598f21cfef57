/**
 * Error classes of the hub. A permanent error (schema violation, malformed HETU, a `Client.*` fault)
 * will fail the same way on every retry, so its message goes to the DLQ at once with the reason; a
 * transient one (timeout, 5xx, throttling) is retried with backoff until SQS gives up.
 *
 * Reasons are recorded in the audit log and on the dead letter, so they never carry personal data:
 * they are built from codes and field paths, and scrubbed once more on the way out.
 */
import * as z from '#contracts/zod';
import { SchemaViolation } from '#contracts/messages/registry';
import { scrubText } from '#lib/pii';

export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
  constructor(
    /** Short machine-readable code, e.g. `schema-violation`, `invalid-hetu`, `Client.InvalidSoap`. */
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class TransientError extends Error {
  override readonly name: string = 'TransientError';
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface Failure {
  readonly kind: 'permanent' | 'transient';
  readonly code: string;
  /** One line an operator can act on; never personal data. */
  readonly reason: string;
}

const MAX_REASON = 500;
/** A reason as the audit log and a dead letter keep it: scrubbed, on one line, at most 500 characters. */
export const oneLine = (text: string): string => scrubText(text).replace(/\s+/g, ' ').slice(0, MAX_REASON);

/** Whether an AWS SDK or network error is worth retrying. */
const isRetryableAwsError = (error: Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number } }): boolean =>
  Boolean(error.$retryable) || (error.$metadata?.httpStatusCode ?? 0) >= 500 || /Throttl|Timeout|ECONN|EPIPE|socket/i.test(error.name + error.message);

/**
 * Errors of the contracts (X-Road faults, rejected XML, a refused Paluukoodi, …) say themselves
 * whether a retry can help: a boolean `transient`, and a `faultCode`, `code` or `reason`.
 */
type SelfClassified = Error & { transient: boolean; faultCode?: unknown; code?: unknown; reason?: unknown };

const isSelfClassified = (error: unknown): error is SelfClassified =>
  error instanceof Error && typeof (error as { transient?: unknown }).transient === 'boolean';

const codeOf = (error: SelfClassified): string => {
  const detail = [error.faultCode, error.code, error.reason].find((v): v is string => typeof v === 'string');
  return detail ? `${error.name}:${detail}` : error.name;
};

export const classifyError = (error: unknown): Failure => {
  if (error instanceof SchemaViolation) {
    return { kind: 'permanent', code: 'schema-violation', reason: oneLine(error.message) };
  }
  if (error instanceof PermanentError) return { kind: 'permanent', code: error.code, reason: oneLine(error.message) };
  if (error instanceof TransientError) return { kind: 'transient', code: error.code, reason: oneLine(error.message) };
  if (error instanceof z.ZodError) {
    // A mapper's own schema refused what a system answered: the answer breaks its contract.
    const paths = error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    return { kind: 'permanent', code: 'contract-violation', reason: oneLine(`an answer does not match its contract at ${paths}`) };
  }
  if (isSelfClassified(error)) {
    return { kind: error.transient ? 'transient' : 'permanent', code: codeOf(error), reason: oneLine(error.message) };
  }
  if (error instanceof Error) {
    // Unknown errors are retried: a bug fixed and redeployed lets the message through, and SQS
    // still moves it to the DLQ after maxReceiveCount receives.
    const retryable = isRetryableAwsError(error);
    return { kind: 'transient', code: retryable ? error.name : `unexpected:${error.name}`, reason: oneLine(`${error.name}: ${error.message}`) };
  }
  return { kind: 'transient', code: 'unexpected', reason: 'a non-Error value was thrown' };
};
