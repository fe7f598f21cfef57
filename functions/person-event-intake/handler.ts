/**
 * Person events from VTJ's change interface: a person who moved into a municipality becomes its
 * pending outreach candidate (once) and is looked up for a decision; other events change no
 * outreach (a move out or a change is seen again when the person's next decision is made).
 */
import type { Envelope } from '#contracts/envelope';
import type { PersonMovedInV1 } from '#contracts/canonical/person';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { candidateDeps, dayOf } from '#functions/single-candidates/deps';
import { recordPendingCandidate } from '#functions/single-candidates/pending-candidate';

export const handler = createSqsHandler({
  name: 'person-event-intake',
  accepts: ['person.moved-in.v1', 'person.moved-out.v1', 'person.changed.v1'],
  handle: async (event, hop) => {
    if (event.type !== 'person.moved-in.v1') return hop.setOutcome('no-outreach-change');
    const moved = (event as Envelope<PersonMovedInV1>).payload;
    const { outcome, key } = await recordPendingCandidate(
      {
        municipality: event.municipality,
        hetu: moved.hetu,
        origin: 'moved-in',
        correlationId: event.correlationId,
        messageId: event.messageId,
        asOf: dayOf(event.occurredAt),
        details: { movedOn: moved.movedOn },
      },
      candidateDeps(),
    );
    hop.setOutcome(outcome);
    if (outcome === 'candidate-already-pending') return;
    hop.emit(
      'vtj-lookups',
      'lookup.requested.v1',
      {
        hetu: moved.hetu,
        asOf: dayOf(event.occurredAt),
        steps: ['vtj'],
        results: {},
        replyTo: 'single-decisions',
        rules: { municipality: event.municipality, kelaRows: [] },
        context: { origin: 'moved-in', candidate: key },
      },
      { target: 'vtj', key: 'lookup' },
    );
  },
});
