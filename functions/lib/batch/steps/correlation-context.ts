/** Runs the rest of the record's handling inside its correlation context (ids on every log line). */
import { withContext, type CorrelationContext } from '#lib/context';
import type { HopState, RecordStep } from '#lib/batch/hop';

export const contextOf = (hop: HopState): CorrelationContext | undefined =>
  hop.envelope && {
    correlationId: hop.envelope.correlationId,
    messageId: hop.envelope.messageId,
    causationId: hop.envelope.causationId,
    messageType: hop.envelope.type,
    function: hop.stage,
  };

export const correlationContext: RecordStep = (hop, next) => {
  const context = contextOf(hop);
  return context ? withContext(context, next) : next();
};
