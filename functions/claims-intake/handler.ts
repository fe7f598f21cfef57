/**
 * A batch of cost rows (`claims.costs.submitted.v1`, from a finance system through ingress or from
 * `koto-hub claims import`): each row's person looked up in UMA, the rows judged and the accepted
 * ones grouped into claims once per batch (functions/claims/intake.ts), and each row's verdict, and
 * each near deadline, delivered to the municipality's inbox; each claim goes to the YA adapter. While UMA's breaker is open the batch
 * waits on its queue, re-sent with a delay, as a lookup does.
 */
import { throughBreaker } from '#lib/breaker/guard';
import { breakerFor } from '#lib/breaker/system';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { xroadClient } from '#lib/xroad';
import { queryResidence } from '#functions/uma-adapter/query-residence';
import { lookUpPersons } from '#functions/claims/facts';
import { claimsIntake, deadlineWarningDays } from '#functions/claims/intake';

export const handler = createSqsHandler({
  name: 'claims-intake',
  accepts: ['claims.costs.submitted.v1'],
  handle: async (message, hop) => {
    const intake = claimsIntake({ db: documentClient(), table: tableName('correlation'), now: () => new Date(), warningDays: deadlineWarningDays() });
    const result = await intake.take(message.municipality, message.payload, message.messageId, message.correlationId, async (hetus, today) => {
      const passage = await throughBreaker(
        breakerFor('uma'),
        hop,
        () => lookUpPersons((hetu) => queryResidence(xroadClient('uma'), hetu, today, { deadline: hop.deadline }), hetus),
        (wait) => hop.emit('claims-intake', 'claims.costs.submitted.v1', message.payload, { key: 'deferred', ...wait }),
      );
      return passage.answered ? passage.value : null;
    });
    if (result.outcome === 'taken' || result.outcome === 'replayed') {
      const target = `municipality:${message.municipality}`;
      for (const [i, decision] of result.decisions.entries()) hop.emit('municipality-outbox', 'claims.row.decided.v1', decision, { target, key: `row-${i}` });
      for (const [i, warning] of result.warnings.entries()) hop.emit('municipality-outbox', 'claims.deadline.near.v1', warning, { target, key: `deadline-${i}` });
      for (const claimNumber of result.claims) hop.emit('ya-claims', 'claims.claim.send.requested.v1', { claimNumber }, { target: 'ya', key: `send-${claimNumber}` });
    }
    hop.setOutcome(`batch-${result.outcome}`);
  },
});
