/** Small factories for the wellbeing requests a municipal system posts (contracts/messages/wellbeing.ts). */
import { randomUUID } from 'node:crypto';
import { makeHetu } from '#contracts/hetu';
import { addClient } from '#infra/local/local-clients';
import type { Runtime } from '#infra/local/runtime';
import type { ConsultationPersonV1, ConsultationRequestedV1, CooperationRequestedV1 } from '#contracts/messages/wellbeing';

/** The identity codes the factories give, so a test can look for them where they must not be. */
export const WELLBEING_HETUS = [makeHetu('1988-03-14', 412), makeHetu('2019-07-02', 413), makeHetu('1961-12-30', 414), makeHetu('1991-11-23', 415)] as const;

let serial = 0;
/** A personRef of its own per call, so tests sharing a hub never share a person. */
export const personRef = (): string => `asiakas-${process.pid}-${(serial += 1)}`;

export const consultationPerson = (fields: Partial<ConsultationPersonV1> = {}): ConsultationPersonV1 => ({
  personRef: personRef(),
  hetu: WELLBEING_HETUS[0],
  birthDate: '1988-03-14',
  gender: 'female',
  languages: ['ar'],
  interpreterRequired: true,
  needs: ['mental-health'],
  turvakielto: false,
  ...fields,
});

/** Three people of one family, one of them under turvakielto. */
export const familyOfThree = (): ConsultationPersonV1[] => [
  consultationPerson(),
  consultationPerson({ hetu: WELLBEING_HETUS[1], birthDate: '2019-07-02', gender: 'male', languages: ['ar', 'fi'], interpreterRequired: false, needs: ['child-welfare'] }),
  consultationPerson({ hetu: WELLBEING_HETUS[2], birthDate: '1961-12-30', gender: 'male', languages: ['ar'], needs: ['health-care', 'elderly-care'], turvakielto: true }),
];

export const consultation = (people: ConsultationPersonV1[] = familyOfThree()): ConsultationRequestedV1 => ({ people, plannedArrival: '2027-01' });

export const cooperation = (fields: Partial<CooperationRequestedV1> = {}): CooperationRequestedV1 => ({
  purpose: 'service-needs-assessment',
  person: { personRef: personRef(), hetu: WELLBEING_HETUS[3], lastName: 'Hassan', firstNames: 'Amina', turvakielto: false },
  contact: { name: 'Liisa Kotoutuja', title: 'maahanmuuttokoordinaattori', phone: '+358 6 325 1111', email: 'liisa.kotoutuja@vaasa.example' },
  ...fields,
});

/** A request as the envelope a municipality's system posts (a fresh message and request id each call). */
export const wellbeingEnvelope = (
  type: 'wellbeing.consultation.requested.v1' | 'wellbeing.cooperation.requested.v1',
  payload: ConsultationRequestedV1 | CooperationRequestedV1,
  municipality = '905',
) => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type,
  source: `municipality:${municipality}`,
  target: 'hub',
  municipality,
  occurredAt: new Date().toISOString(),
  payload,
});

const WELLBEING_REQUESTS = ['wellbeing.consultation.requested.v1', 'wellbeing.cooperation.requested.v1'];

/** Registers a municipality's own system at the door: it serves one municipality, sends the wellbeing requests (or `sends`) and receives `receives`. */
export const addMunicipalSystem = (
  hub: Runtime,
  client: { readonly clientId: string; readonly municipality: string; readonly name: string; readonly sends?: string[]; readonly receives: string[] },
) =>
  addClient(hub.clients, hub.pki, {
    clientId: client.clientId,
    name: `${client.name} (${client.municipality}), test municipal system`,
    system: `municipality:${client.municipality}`,
    municipalities: [client.municipality],
    sends: client.sends ?? WELLBEING_REQUESTS,
    receives: client.receives,
  });
