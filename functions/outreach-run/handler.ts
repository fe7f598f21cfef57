/**
 * Starts an outreach run: records it (once per run id) and asks for page 1 of the Kelmu list and
 * of Migri's list of protection recipients; their pages come back to `outreach-candidates`.
 */
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { runIdOf, runStore } from '#functions/outreach/deps';

export const handler = createSqsHandler({
  name: 'outreach-run',
  accepts: ['outreach.run.requested.v1'],
  handle: async (request, hop) => {
    const store = runStore();
    const runId = runIdOf(request);
    const created = await store.createRun(runId, request.municipality, request.payload.asOf);
    const run = created ? undefined : await store.getRun(runId);
    // A run that got past fetching its lists is not started again: re-running it changes nothing.
    if (run && run.phase !== 'fetching-lists') return hop.setOutcome('run-exists');
    const page = { municipality: request.municipality, page: 1, pageSize: request.payload.listPageSize, replyTo: 'outreach-candidates', context: { runId } };
    hop.emit('kelmu-lists', 'kelmu.list.requested.v1', { ...page, date: request.payload.asOf }, { target: 'kelmu', key: 'kelmu' });
    hop.emit('uma-lists', 'uma.protection-list.requested.v1', page, { target: 'uma', key: 'uma' });
    hop.setOutcome(created ? 'run-started' : 'run-restarted');
  },
});
