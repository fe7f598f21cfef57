/** Turns whatever the handler threw into a classified, PII-free failure on the hop. */
import { classifyError } from '#lib/errors';
import type { RecordStep } from '#lib/batch/hop';

export const classifyErrors: RecordStep = async (hop, next) => {
  try {
    await next();
  } catch (error) {
    hop.failure = classifyError(error);
    hop.outputs = [];
  }
};
