/**
 * A municipal record posted to ingress: judged by the plan rules once per `viite`
 * (functions/records/intake.ts). A refusal goes back at once to the sender municipality's inbox as
 * `record.acknowledged.v1`; an accepted record (and those its plan released) goes to the writer of
 * the system that keeps it, which acknowledges it once stored. The door has checked the sender acts
 * for the envelope's municipality, and the registry the schema and the identity code.
 */
import type { MunicipalRecord } from '#contracts/messages/records';
import { recordWriteQueues } from '#infra/topology';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { createSqsHandler } from '#lib/batch/sqs-handler';
import { intakeStore } from '#functions/records/intake';

export const handler = createSqsHandler({
  name: 'records-intake',
  accepts: ['record.assessment.v1', 'record.plan.v1', 'record.plan-review.v1', 'record.service-completion.v1'],
  handle: async (message, hop) => {
    const record = { type: message.type, municipality: message.municipality, payload: message.payload } as MunicipalRecord;
    const { outcome, acks, writes } = await intakeStore({ db: documentClient(), table: tableName('correlation'), now: () => new Date() }).take(record, message.messageId);
    for (const ack of acks) {
      hop.emit('municipality-outbox', 'record.acknowledged.v1', ack, { target: `municipality:${message.municipality}`, key: `ack-${ack.recordType}-${ack.recordId}` });
    }
    for (const write of writes) {
      hop.emit(recordWriteQueues[write.store], 'record.write.requested.v1', write.payload, { key: `write-${write.payload.viite}` });
    }
    hop.setOutcome(`record-${outcome}`);
  },
});
