/**
 * Idempotent processing: a message whose hop through this function already has its audit record
 * was handled before (SQS delivers at least once), so it is acknowledged without a second effect.
 * The batch looks all its hops up at once (`existingHops`) and hands the answer to this step.
 */
import { hopKey } from '#lib/audit/record';
import type { RecordStep } from '#lib/batch/hop';

export const dedupeKey = (correlationId: string, hop: string): string => `${correlationId}|${hop}`;

export const dedupe =
  (alreadyHandled: ReadonlySet<string>): RecordStep =>
  async (hop, next) => {
    const envelope = hop.envelope;
    if (envelope && alreadyHandled.has(dedupeKey(envelope.correlationId, hopKey(envelope.messageId, hop.stage)))) {
      hop.duplicate = true;
      hop.outcome = 'duplicate';
      return;
    }
    await next();
  };
