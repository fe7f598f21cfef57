/**
 * The YA adapter: one stored claim per message sent to YA behind its own queue, rate limit and
 * breaker (functions/claims/send.ts); while YA's breaker is open the message waits on its queue,
 * re-sent with a delay. A claim YA has a receipt of is not sent again.
 */
import { throughBreaker } from '#lib/breaker/guard';
import { breakerFor } from '#lib/breaker/system';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { xroadClient } from '#lib/xroad';
import { postClaim, readClaim, recordReceipt } from '#functions/claims/send';

export const handler = createSqsHandler({
  name: 'ya-adapter',
  accepts: ['claims.claim.send.requested.v1'],
  handle: async (message, hop) => {
    const db = documentClient();
    const table = tableName('correlation');
    const { claimNumber } = message.payload;
    const stored = await readClaim(db, table, message.municipality, claimNumber);
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
