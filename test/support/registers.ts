/**
 * Small factories for the register tests: request envelopes for the lookup and list adapters,
 * fixture persons picked by what makes them interesting, and the canonical answers the fixture
 * population says each register gives (computed from the fixture, not from the mocks).
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '#contracts/envelope';
import { isValidHetu } from '#contracts/hetu';
import type { FixturePerson } from '#contracts/population';
import type { VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { notFoundResidence, type ResidenceV1 } from '#contracts/canonical/residence';
import type { IntegrationStatus } from '#contracts/datastore/mapper';
import type { LookupRequestedV1, LookupSystem } from '#contracts/messages/lookup';
import type { KelmuListRequestedV1, UmaProtectionListRequestedV1 } from '#contracts/messages/lists';
import type { QueueName } from '#infra/topology';
import type { PopulationIndex } from '#mocks/population-index';
import { defaultCompensation } from '#mocks/uma';

/** The day every register test asks about (the sample population is built around it). */
export const AS_OF = '2026-11-01';

const envelopeFields = (type: string, target: string, municipality: string) => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type,
  source: 'hub',
  target,
  municipality,
  occurredAt: '2026-11-02T09:30:01.000Z',
});

/** A routing slip for `person` through `steps`, delivered to `replyTo` when the last step is done. */
export const lookupRequest = (
  person: Pick<FixturePerson, 'hetu' | 'homeMunicipality'>,
  steps: readonly LookupSystem[],
  replyTo: QueueName = 'outreach-decisions',
): Envelope<LookupRequestedV1> => ({
  ...envelopeFields('lookup.requested.v1', steps[0]!, person.homeMunicipality),
  payload: { hetu: person.hetu, asOf: AS_OF, steps: [...steps], results: {}, replyTo, context: { candidate: 'c-0001' } },
});

export const kelmuListRequest = (municipality: string, pageSize: number): Envelope<KelmuListRequestedV1> => ({
  ...envelopeFields('kelmu.list.requested.v1', 'kelmu', municipality),
  payload: { municipality, date: AS_OF, page: 1, pageSize, replyTo: 'outreach-candidates', context: { runId: 'run-1' } },
});

export const umaListRequest = (municipality: string, pageSize: number): Envelope<UmaProtectionListRequestedV1> => ({
  ...envelopeFields('uma.protection-list.requested.v1', 'uma', municipality),
  payload: { municipality, page: 1, pageSize, replyTo: 'outreach-candidates', context: { runId: 'run-1' } },
});

/** The first person of the population with a valid code for whom `predicate` holds. */
export const personWhere = (population: PopulationIndex, what: string, predicate: (person: FixturePerson) => boolean): FixturePerson => {
  const person = population.persons.find((p) => isValidHetu(p.hetu) && predicate(p));
  if (!person) throw new Error(`the fixture population has no ${what}`);
  return person;
};

/** VTJ's answer about a fixture person, canonical: a protected person never has an address. */
export const expectedVtj = (person: FixturePerson): VtjLookupOutcomeV1 => {
  const canonical = {
    hetu: person.hetu,
    lastName: person.lastName,
    firstNames: person.firstNames,
    kotikunta: { code: person.homeMunicipality, since: person.homeMunicipalitySince },
    address: person.nonDisclosure ? null : person.address,
    turvakielto: person.nonDisclosure,
    dateOfDeath: person.dateOfDeath,
    // The mock states Finnish citizenship only as SuomenKansalaisuusTietokoodi, as PERUSJHHS2 does.
    nationalities: [...new Set(person.nationalities)].filter((n) => n !== 'FIN').sort(),
    citizenship: person.nationalities.includes('FIN') ? ('citizen' as const) : ('not-citizen' as const),
    nativeLanguage: person.nativeLanguage ?? 'und',
  };
  return person.dateOfDeath === null
    ? { outcome: 'found', paluukoodi: '0000', person: canonical }
    : { outcome: 'deceased', paluukoodi: '0007', person: canonical };
};

/** UMA's answer: the residence record, or `found: false` when the person has none. */
export const expectedUma = (person: FixturePerson): ResidenceV1 => {
  const r = person.residence;
  if (!r) return notFoundResidence(person.hetu);
  return {
    hetu: person.hetu,
    found: true,
    firstPermitDate: r.firstPermitDate,
    permitType: r.permitType,
    ground: r.ground,
    quotaRefugee: r.quotaRefugee,
    traffickingVictim: r.traffickingVictim,
    // Compensation is not in the fixture: it is the UMA mock's documented rule.
    compensation: defaultCompensation(person, AS_OF),
    // docs/DESIGN.md "Fixture population": what the UMA mock answers when the fixture leaves these out.
    permits: (r.permits ?? [{ permitType: r.permitType, ground: r.ground, from: r.firstPermitDate, to: null }]).map((p) => ({
      permitType: p.permitType,
      ground: p.ground,
      grantedOn: p.from,
      from: p.from,
      until: p.to,
    })),
    firstHomeMunicipality:
      r.firstHomeMunicipality !== undefined ? r.firstHomeMunicipality : person.homeMunicipalitySince ? { code: person.homeMunicipality, since: person.homeMunicipalitySince } : null,
    finnishCitizenSince: r.finnishCitizenSince ?? null,
    traffickingVictimPeriod: r.traffickingVictim
      ? r.traffickingVictimPeriod === undefined
        ? { from: r.firstPermitDate, until: null }
        : r.traffickingVictimPeriod && { from: r.traffickingVictimPeriod.from, until: r.traffickingVictimPeriod.to }
      : null,
    familyLinks: r.family ?? [],
  };
};

/** The data store's answer: a non-null assessment date is one completed assessment, the plan dates one basic plan. */
export const expectedDatastore = (person: FixturePerson): IntegrationStatus => {
  const { assessmentDate, planValidFrom, planValidUntil } = person.integration;
  return {
    hetu: person.hetu,
    assessments: assessmentDate === null ? [] : [{ date: assessmentDate, completed: true }],
    plans: planValidFrom !== null && planValidUntil !== null ? [{ kind: 'basic', validFrom: planValidFrom, validUntil: planValidUntil }] : [],
  };
};

export const expectedResults = {
  vtj: expectedVtj,
  uma: expectedUma,
  datastore: expectedDatastore,
} as const satisfies Record<LookupSystem, (person: FixturePerson) => unknown>;
