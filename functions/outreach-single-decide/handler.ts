/**
 * Decides a single candidate (a referral, a person who moved in) by the outreach rules as soon as
 * its lookup completes, and delivers the decision to the municipality. Kela's list is not part of a
 * single decision: its reasons come with the monthly run, so a single candidate is a target by
 * UMA's reasons (international protection, trafficking) only.
 */
import type { Envelope } from '#contracts/envelope';
import type { LookupCompletedV1, LookupFailedV1 } from '#contracts/messages/lookup';
import type { OutreachDecisionV1 } from '#contracts/messages/outreach';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { PermanentError } from '#lib/errors';
import { askNext, judgeSlip } from '#functions/outreach/slip';
import { candidateDeps } from '#functions/single-candidates/deps';
import { recordSingleDecision } from '#functions/single-candidates/pending-candidate';

export const handler = createSqsHandler({
  name: 'outreach-single-decide',
  accepts: ['lookup.completed.v1', 'lookup.failed.v1'],
  handle: async (message, hop) => {
    const { origin, candidate } = message.payload.context;
    if ((origin !== 'referral' && origin !== 'moved-in') || typeof candidate !== 'string') {
      throw new PermanentError('no-candidate', 'the lookup does not name a single candidate');
    }
    let decision: OutreachDecisionV1['decision'];
    if (message.type === 'lookup.failed.v1') {
      decision = { kind: 'unresolved', reason: (message as Envelope<LookupFailedV1>).payload.reason };
    } else {
      // One register at a time, only while the rules still need one (personal data stays minimal).
      const verdict = judgeSlip(message as Envelope<LookupCompletedV1>);
      if ('next' in verdict) {
        askNext(hop, message as Envelope<LookupCompletedV1>, verdict.next);
        return hop.setOutcome(`needs-${verdict.next}`);
      }
      const decided = verdict.decision;
      decision = decided.kind === 'target' ? { kind: 'target', target: decided.target } : { kind: 'excluded', code: decided.code };
    }
    const outcome = decision.kind === 'target' ? 'target' : decision.kind === 'excluded' ? decision.code : 'UNRESOLVED';
    await recordSingleDecision(message.municipality, candidate, { outcome }, candidateDeps());
    hop.emit(
      'municipality-outbox',
      'outreach.decision.v1',
      { asOf: message.payload.asOf, origin, hetu: message.payload.hetu, decision },
      { target: `municipality:${message.municipality}`, key: 'decision' },
    );
    hop.setOutcome(`decided-${outcome}`);
  },
});
