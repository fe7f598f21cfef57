import { createSqsHandler } from '#lib/batch/sqs-handler';
import { runStore } from '#functions/outreach/deps';
import { completeDecisions, decideOne, prepareDecisions } from '#functions/outreach-decide/decide';

export const handler = createSqsHandler({
  name: 'outreach-decide',
  accepts: ['lookup.completed.v1', 'lookup.failed.v1'],
  prepare: (messages) => prepareDecisions(runStore(), messages),
  handle: decideOne,
  complete: completeDecisions,
});
