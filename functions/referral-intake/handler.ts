import { auditKey } from '#lib/audit/key';
import { subjectHash } from '#lib/audit/record';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { recordReferralCandidate } from '#functions/referral-intake/record-candidate';

export const handler = createSqsHandler({
  name: 'referral-intake',
  accepts: ['outreach.referral.v1'],
  handle: async (referral, hop) => {
    const outcome = await recordReferralCandidate(referral, {
      db: documentClient(),
      table: tableName('correlation'),
      hashHetu: async (hetu) => subjectHash(await auditKey(), hetu),
    });
    hop.setOutcome(outcome);
  },
});
