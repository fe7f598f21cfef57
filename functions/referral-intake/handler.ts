/**
 * A referral from another authority: the person becomes a pending candidate of the municipality
 * (once), the municipality follows them in VTJ's change interface, and their lookup starts; the
 * decision is made and delivered by `outreach-single-decide`.
 */
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { followListDeps, followPersons } from '#lib/follow-list';
import { candidateDeps, dayOf } from '#functions/single-candidates/deps';
import { recordPendingCandidate } from '#functions/single-candidates/pending-candidate';

export const handler = createSqsHandler({
  name: 'referral-intake',
  accepts: ['outreach.referral.v1'],
  handle: async (referral, hop) => {
    const { referrer, reason, referredOn, hetu } = referral.payload;
    const { outcome, key } = await recordPendingCandidate(
      {
        municipality: referral.municipality,
        hetu,
        origin: 'referral',
        correlationId: referral.correlationId,
        messageId: referral.messageId,
        asOf: dayOf(referral.occurredAt),
        details: { referrer, reason, referredOn },
      },
      candidateDeps(),
    );
    hop.setOutcome(outcome);
    if (outcome === 'candidate-already-pending') return;
    await followPersons(referral.municipality, [hetu], followListDeps());
    hop.emit(
      'vtj-lookups',
      'lookup.requested.v1',
      {
        hetu,
        asOf: dayOf(referral.occurredAt),
        steps: ['vtj'],
        results: {},
        replyTo: 'single-decisions',
        rules: { municipality: referral.municipality, kelaRows: [] },
        context: { origin: 'referral', candidate: key },
      },
      { target: 'vtj', key: 'lookup' },
    );
  },
});
