/**
 * A consultation or cooperation request posted to ingress (functions/wellbeing/intake.ts): routed
 * to its county and handed to the county adapter, or refused to the sender's inbox with the rule.
 * The door has checked the sender acts for the envelope's municipality, the registry the schema.
 */
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { countyEndpoints, pseudonymKey } from '#functions/wellbeing/config';
import { takeWellbeingRequest } from '#functions/wellbeing/intake';
import type { WellbeingRequest } from '#functions/wellbeing/prepare';
import { dynamoWellbeingStore } from '#functions/wellbeing/store';

export const handler = createSqsHandler({
  name: 'wellbeing-intake',
  accepts: ['wellbeing.consultation.requested.v1', 'wellbeing.cooperation.requested.v1'],
  handle: async (message, hop) => {
    const request = message as WellbeingRequest;
    const taken = await takeWellbeingRequest(request, {
      store: dynamoWellbeingStore(documentClient(), tableName('correlation')),
      endpoints: countyEndpoints(),
      key: await pseudonymKey(),
      now: () => new Date(),
    });
    if (taken.outcome === 'refused') {
      hop.emit('municipality-outbox', 'wellbeing.request.refused.v1', taken.refusal, { target: `municipality:${message.municipality}`, key: 'refused' });
      return hop.setOutcome(`refused-${taken.refusal.code}`);
    }
    // The request itself goes on: the adapter builds the same transaction from it and the process.
    hop.emit('county-requests', request.type, request.payload as never, { target: `wellbeing:${taken.prepared.process.county}`, key: 'send' });
    hop.setOutcome(taken.outcome === 'started' ? `routed-${taken.prepared.process.county}` : 'already-routed');
  },
});
