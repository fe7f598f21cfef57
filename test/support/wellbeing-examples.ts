/**
 * The FHIR examples of contracts/wellbeing/fhir/examples/, built from the message examples by the
 * mappers: the test that compares them keeps the published examples what the hub really sends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope, type PayloadOf } from '#contracts/messages/registry';
import { anonymiseConsultation } from '#contracts/wellbeing/anonymise';
import { consultationTransaction } from '#contracts/wellbeing/fhir/consultation';
import { cooperationTransaction } from '#contracts/wellbeing/fhir/cooperation';
import type { RequestContext } from '#contracts/wellbeing/fhir/common';
import { CODE_SYSTEMS } from '#contracts/wellbeing/fhir/systems';
import { pseudonymOf } from '#contracts/wellbeing/pseudonym';

const root = join(import.meta.dirname, '..', '..');
export const FHIR_EXAMPLES_DIR = join(root, 'contracts', 'wellbeing', 'fhir', 'examples');

/** The key the examples' pseudonyms are computed with (a real hub's key is a secret). */
export const EXAMPLE_KEY = new Uint8Array(32).fill(0x0b);

const messageExample = <T extends 'wellbeing.consultation.requested.v1' | 'wellbeing.cooperation.requested.v1'>(type: T) => {
  const result = parseEnvelope(JSON.parse(readFileSync(join(root, 'contracts', 'messages', 'examples', `${type}.json`), 'utf8')));
  if (!result.ok) throw new Error(`${type} example is invalid`);
  return { envelope: result.envelope, payload: result.envelope.payload as PayloadOf<T> };
};

const contextOf = (envelope: { correlationId: string; occurredAt: string }, dueAt: string): RequestContext => ({
  requestId: envelope.correlationId,
  municipality: '905',
  county: 'pohjanmaa',
  authoredOn: envelope.occurredAt,
  dueAt,
});

type Resource = { resourceType: string } & Record<string, unknown>;
const resourcesOf = (bundle: unknown): Resource[] => (bundle as { entry: { resource: Resource }[] }).entry.map((e) => e.resource);

export function buildFhirExamples(): Record<string, unknown> {
  const consultation = messageExample('wellbeing.consultation.requested.v1');
  const consultationContext = contextOf(consultation.envelope, '2026-11-30T09:00:00+02:00');
  const consultationBundle = consultationTransaction(anonymiseConsultation(consultation.payload, consultationContext, EXAMPLE_KEY), consultationContext);
  const consultationTask = resourcesOf(consultationBundle).find((r) => r.resourceType === 'Task')!;

  const cooperation = messageExample('wellbeing.cooperation.requested.v1');
  const cooperationContext = contextOf(cooperation.envelope, '2026-11-17T10:00:00+02:00');
  const pseudonym = pseudonymOf(EXAMPLE_KEY, cooperationContext.requestId, cooperation.payload.person.personRef);
  const cooperationBundle = cooperationTransaction(cooperation.payload, pseudonym, cooperationContext);
  const cooperationTask = resourcesOf(cooperationBundle).find((r) => r.resourceType === 'Task')!;
  const countySide = { id: 'b41c9a', meta: { ...(cooperationTask.meta as object), versionId: '2', lastUpdated: '2026-11-05T10:55:00+02:00' }, lastModified: '2026-11-05T10:55:00+02:00' };

  return {
    'consultation-transaction.json': consultationBundle,
    'consultation-task-completed.json': {
      ...consultationTask,
      id: '7f3e21',
      meta: { ...(consultationTask.meta as object), versionId: '2', lastUpdated: '2026-11-16T14:15:00+02:00' },
      status: 'completed',
      lastModified: '2026-11-16T14:15:00+02:00',
      output: [
        {
          type: { coding: [{ system: CODE_SYSTEMS.consultationAnswer, code: 'services-arranged' }] },
          valueString: 'Mielenterveyspalveluiden arvio järjestetään kahden viikon kuluessa saapumisesta.',
        },
      ],
    },
    'cooperation-transaction.json': cooperationBundle,
    'cooperation-task-accepted.json': {
      ...cooperationTask,
      ...countySide,
      status: 'accepted',
      output: [
        {
          type: { coding: [{ system: CODE_SYSTEMS.taskParameter, code: 'responsible-person' }] },
          valueContactDetail: {
            name: 'Mikael Sosiaali',
            telecom: [
              { system: 'phone', value: '+358 6 218 0000' },
              { system: 'email', value: 'mikael.sosiaali@pohjanmaa.example' },
            ],
          },
        },
      ],
    },
    'cooperation-task-declined.json': {
      ...cooperationTask,
      ...countySide,
      status: 'rejected',
      statusReason: { coding: [{ system: CODE_SYSTEMS.cooperationDecline, code: 'not-a-customer' }], text: 'Henkilö ei ole hyvinvointialueen asiakas.' },
    },
  };
}
