/**
 * The YA adapter: one stored claim per message sent to YA behind its own queue, rate limit and
 * breaker (functions/claims/send.ts); while YA's breaker is open the message waits on its queue,
 * re-sent with a delay. A claim YA has a receipt of is not sent again. A municipality's answer to
 * a supplement request (from ingress) goes to YA on the claim it names, once.
 */
import { throughBreaker } from '#lib/breaker/guard';
import { breakerFor } from '#lib/breaker/system';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { xroadClient } from '#lib/xroad';
import type { SupplementAnsweredV1 } from '#contracts/messages/claims';
import { postClaim, postSupplementAnswer, readClaim, recordReceipt, recordSupplementAnswered } from '#functions/claims/send';

export const handler = createSqsHandler({
  name: 'ya-adapter',
  accepts: ['claims.claim.send.requested.v1', 'claims.supplement.answered.v1'],
  handle: async (message, hop) => {
    const db = documentClient();
    const table = tableName('correlation');
    const { claimNumber } = message.payload;
    // The claim is looked up under the envelope's municipality: a municipality answers only its own claims.
    const stored = await readClaim(db, table, message.municipality, claimNumber);
    if (message.type === 'claims.supplement.answered.v1') {
      const answer = message.payload as SupplementAnsweredV1;
      if (stored.supplementAnsweredOn) return hop.setOutcome('supplement-already-sent');
      const today = new Date().toISOString().slice(0, 10);
      const sent = await throughBreaker(
        breakerFor('ya'),
        hop,
        () => postSupplementAnswer(xroadClient('ya'), stored, answer, today, hop.deadline),
        (wait) => hop.emit('ya-claims', 'claims.supplement.answered.v1', answer, { target: 'ya', key: 'deferred', ...wait }),
      );
      if (!sent.answered) return;
      await recordSupplementAnswered(db, table, message.municipality, claimNumber, today);
      return hop.setOutcome('supplement-sent');
    }
    if (stored.caseId) return hop.setOutcome('claim-already-received');
    const passage = await throughBreaker(
      breakerFor('ya'),
      hop,
      () => postClaim(xroadClient('ya'), stored, hop.deadline),
      (wait) => hop.emit('ya-claims', 'claims.claim.send.requested.v1', message.payload, { target: 'ya', key: 'deferred', ...wait }),
    );
    if (!passage.answered) return;
    await recordReceipt(db, table, message.municipality, claimNumber, passage.value);
    hop.setOutcome('claim-received');
  },
});
