/**
 * Starts an outreach run: records it (once per run id) and asks for page 1 of the Kelmu list and
 * of Migri's list of protection recipients; their pages come back to `outreach-candidates`.
 *
 * The same request delivered again carries on as the first time (so a crash before its list
 * requests were sent is made good); another request of the same run id changes nothing, and one
 * that names another municipality or day is refused: a run id is one run.
 */
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';
import { runIdOf, runStore } from '#functions/outreach/deps';

export const handler = createSqsHandler({
  name: 'outreach-run',
  accepts: ['outreach.run.requested.v1'],
  handle: async (request, hop) => {
    const store = runStore();
    const runId = runIdOf(request);
    const { asOf, listPageSize } = request.payload;
    if (!(await store.createRun(runId, request.municipality, asOf, request.messageId, listPageSize))) {
      const run = await store.getRun(runId);
      if (run && (run.municipality !== request.municipality || run.asOf !== asOf)) {
        throw new PermanentError('run-id-conflict', `run ${runId} is municipality ${run.municipality} as of ${run.asOf}; a run id is one run`);
      }
      if (run?.requestMessageId !== request.messageId) return hop.setOutcome('run-exists');
      // Our own earlier delivery created it: once the lists are in, their requests were sent.
      if (run.phase !== 'fetching-lists') return hop.setOutcome('run-started');
    }
    const page = { municipality: request.municipality, page: 1, pageSize: listPageSize, replyTo: 'outreach-candidates', context: { runId } };
    hop.emit('kelmu-lists', 'kelmu.list.requested.v1', { ...page, date: asOf }, { target: 'kelmu', key: 'kelmu' });
    hop.emit('uma-lists', 'uma.protection-list.requested.v1', page, { target: 'uma', key: 'uma' });
    hop.setOutcome('run-started');
  },
});
