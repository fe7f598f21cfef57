/**
 * Pages of the run's source lists are kept in the run's state, each page as one item of its people
 * (one write, not one per person: a person's candidate is made once both lists are whole, by the
 * fan-out, from every page they are on). When the last page of the second list arrives, the run
 * moves on to starting the lookups (once, whoever sees it first). The candidates are put on the
 * municipality's follow list by the fan-out, page by page: here they would hold up the run's first lookup.
 */
import type { Envelope } from '#contracts/envelope';
import type { KelmuListPageV1, UmaProtectionListPageV1 } from '#contracts/messages/lists';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';
import { candidateKeyOf, runIdOf, runStore } from '#functions/outreach/deps';
import { listsComplete } from '#functions/outreach/run-store';
import { splitKelmuPage, splitUmaPage } from '#functions/outreach-splitter/split-page';

export const handler = createSqsHandler({
  name: 'outreach-splitter',
  accepts: ['kelmu.list.page.v1', 'uma.protection-list.page.v1'],
  handle: async (message, hop) => {
    const runId = runIdOf(message);
    if (message.payload.context.runId !== runId) throw new PermanentError('wrong-run', 'the page names another run than its correlation id');
    const split =
      message.type === 'kelmu.list.page.v1'
        ? splitKelmuPage((message as Envelope<KelmuListPageV1>).payload)
        : splitUmaPage((message as Envelope<UmaProtectionListPageV1>).payload);
    const store = runStore();
    const people = new Map(
      await Promise.all([...split.people].map(async ([hetu, kelaRows]) => [await candidateKeyOf(hetu), { hetu, kelaRows }] as const)),
    );
    await store.putPage(runId, split.source, split.page, people);
    const run = await store.recordPage(runId, split.source, split.page, split.totalPages);
    hop.setOutcome(`${split.source}-page-${split.page}-split`);
    if (!listsComplete(run)) return;
    // Whoever completes the lists starts the fan-out, once; a redelivery of that page starts it again
    // (the same message id) in case the first delivery moved the run and then failed to send.
    const started = (await store.advanceFrom(runId, 'fetching-lists', 'starting-lookups', { fanoutBy: message.messageId })) ?? (await store.getRun(runId));
    if (started?.fanoutBy === message.messageId) {
      hop.emit('outreach-fanout', 'outreach.run.fanout.v1', { asOf: run.asOf, after: null, counted: 0 }, { key: 'fanout' });
    }
  },
});
