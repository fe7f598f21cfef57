/**
 * A municipal record posted to ingress: judged by the plan rules once per `viite`, and answered in
 * the sender municipality's inbox with `record.acknowledged.v1` (functions/records/intake.ts). The
 * door has checked the sender acts for the envelope's municipality, and the registry the schema and
 * the identity code.
 */
import type { MunicipalRecord } from '#contracts/messages/records';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { intakeStore } from '#functions/records/intake';

export const handler = createSqsHandler({
  name: 'records-intake',
  accepts: ['record.assessment.v1', 'record.plan.v1', 'record.plan-review.v1', 'record.service-completion.v1'],
  handle: async (message, hop) => {
    const record = { type: message.type, municipality: message.municipality, payload: message.payload } as MunicipalRecord;
    const { outcome, acks } = await intakeStore({ db: documentClient(), table: tableName('correlation'), now: () => new Date() }).take(record, message.messageId);
    for (const ack of acks) {
      hop.emit('municipality-outbox', 'record.acknowledged.v1', ack, { target: `municipality:${message.municipality}`, key: `ack-${ack.recordType}-${ack.recordId}` });
    }
    hop.setOutcome(`record-${outcome}`);
  },
});
