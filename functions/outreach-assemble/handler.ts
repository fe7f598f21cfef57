/**
 * Delivers a decided run: the result documents to the result store, and to the municipality a
 * `outreach.list.ready.v1` with the counts (no personal data). A later decided event (a dead
 * letter redriven and decided after all) delivers the run again, complete.
 */
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';
import { runIdOf, runStore } from '#functions/outreach/deps';
import { resultStoreFromEnv } from '#functions/outreach/result-store';
import { assembleResult, deliverResult } from '#functions/outreach-assemble/assemble';

export const handler = createSqsHandler({
  name: 'outreach-assemble',
  accepts: ['outreach.run.decided.v1'],
  handle: async (decided, hop) => {
    const store = runStore();
    const run = await store.getRun(runIdOf(decided));
    if (!run) throw new PermanentError('unknown-run', 'the decided run has no state');
    const result = await assembleResult(store, run);
    const location = await deliverResult(resultStoreFromEnv(), result);
    await store.advance(run.runId, 'delivered', { location, delivered: { targets: result.targets.length, unresolved: result.unresolved ?? 0 } });
    await store.closeRun(run.runId);
    hop.emit(
      'municipality-outbox',
      'outreach.list.ready.v1',
      { asOf: run.asOf, location, targets: result.targets.length, exclusions: result.exclusions, unresolved: result.unresolved ?? 0 },
      { target: `municipality:${run.municipality}`, key: `ready-${decided.messageId}` },
    );
    hop.setOutcome('delivered');
  },
});
