/**
 * Walks a run's candidates one page at a time: each valid code gets its lookup (VTJ, then UMA, then
 * the data store, delivered to the decision) and is put on the municipality's follow list in VTJ's
 * change interface (a move in or out is news), each malformed one is quarantined as INVALID_HETU at
 * once. After the last page the run knows how many candidates to expect.
 *
 * The first page (`after: null`) writes the run's candidates from its list pages first, once per run
 * (`RunStore.writeCandidatesOnce`; recovery sends the first page again, and then it only walks them).
 *
 * The follows are written here, a hundred at a time, and not when the lists are split: there, about
 * a thousand writes stood between the lists and the run's first lookup.
 */
import { parseHetu } from '#contracts/hetu';
import { functionSpec } from '#infra/topology';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { followListDeps, followPersons } from '#lib/follow-list';
import { logger } from '#lib/logger';
import { runIdOf, runStore } from '#functions/outreach/deps';
import { runComplete } from '#functions/outreach/run-store';
import { decidedEvent } from '#functions/outreach/completion';

/** Candidates per fan-out message: a hundred lookups go out in ten SendMessageBatch calls. */
export const FANOUT_PAGE = 100;

export const handler = createSqsHandler({
  name: 'outreach-fanout',
  accepts: ['outreach.run.fanout.v1'],
  handle: async (fanout, hop) => {
    const store = runStore();
    const runId = runIdOf(fanout);
    const { asOf, after, counted } = fanout.payload;
    if (after === null) {
      const written = await store.writeCandidatesOnce(runId, fanout.messageId, functionSpec('outreach-fanout').timeoutSeconds * 1000);
      // The pages hold the codes as listed, as the candidates do: not kept longer than needed. Should
      // the delete fail, the table's TTL removes them with the run; nothing reads them again.
      if (written) await store.deletePages(runId, written.pages).catch((error: Error) => logger.warn('list pages of the run left to the TTL', { runId, error: error.name }));
    }
    const { items, next } = await store.candidatesPage(runId, after, FANOUT_PAGE);
    let quarantined = 0;
    const followed: string[] = [];
    for (const candidate of items) {
      const parsed = parseHetu(candidate.hetu);
      if (parsed.ok) followed.push(parsed.hetu.code);
      if (candidate.outcome) continue;
      if (!parsed.ok) {
        if ((await store.decide(runId, candidate.key, 'INVALID_HETU')).applied) quarantined++;
        continue;
      }
      hop.emit(
        'vtj-lookups',
        'lookup.requested.v1',
        // VTJ first; after each answer the rules say which register, if any, is still needed.
        {
          hetu: parsed.hetu.code,
          asOf,
          steps: ['vtj'],
          results: {},
          replyTo: 'outreach-decisions',
          context: { runId, candidate: candidate.key },
          rules: { municipality: fanout.municipality, kelaRows: candidate.kelaRows },
        },
        { target: 'vtj', key: candidate.key },
      );
    }
    await followPersons(fanout.municipality, followed, followListDeps());
    if (quarantined > 0) await store.count(runId, { decided: quarantined });
    if (next) {
      hop.emit('outreach-fanout', 'outreach.run.fanout.v1', { asOf, after: next, counted: counted + items.length }, { key: 'next-page' });
      return hop.setOutcome('page-started');
    }
    const run = await store.advance(runId, 'deciding', { expected: counted + items.length });
    hop.setOutcome('last-page-started');
    if (runComplete(run)) hop.emit('outreach-results', 'outreach.run.decided.v1', decidedEvent(run), { key: 'decided' });
  },
});
