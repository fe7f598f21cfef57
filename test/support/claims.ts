/**
 * Small factories for the claims flow: persons as UMA's mock holds them (the fixture population's
 * residence with permits, first home municipality, citizenship and family links) and batches of
 * cost rows as a finance system posts them.
 */
import { randomUUID } from 'node:crypto';
import type { CostRowV1, CostsSubmittedV1 } from '#contracts/claims/cost-rows';
import type { FixturePerson, FixtureResidence } from '#contracts/population';

/** Vaasa's business ID (Y-tunnus). */
export const VAASA_BUSINESS_ID = '0209602-6';

/**
 * A person in Vaasa (905). `residence` overrides what UMA holds; null: UMA knows no such person.
 * By default: international protection from `since`, Vaasa their first home municipality from then.
 */
export const claimPerson = (hetu: string, since: string, residence: Partial<FixtureResidence> | null = {}): FixturePerson => ({
  hetu,
  lastName: 'Testinen',
  firstNames: 'Aino',
  dateOfDeath: null,
  nationalities: ['SYR'],
  nativeLanguage: 'ar',
  homeMunicipality: '905',
  homeMunicipalitySince: since,
  address: { street: 'Korvauskatu 1', postalCode: '65100', postOffice: 'Vaasa' },
  nonDisclosure: false,
  residence:
    residence === null
      ? null
      : {
          firstPermitDate: since,
          permitType: 'A',
          ground: 'international-protection',
          quotaRefugee: false,
          traffickingVictim: false,
          firstHomeMunicipality: { code: '905', since },
          ...residence,
        },
  kela: [],
  integration: { assessmentDate: null, planValidFrom: null, planValidUntil: null },
});

export const costRow = (voucher: string, hetu: string | null, overrides: Partial<CostRowV1> = {}): CostRowV1 => ({
  voucher,
  hetu,
  compensationType: hetu === null ? 'PREPAREDNESS' : 'INTERPRETATION',
  from: '2026-03-01',
  to: '2026-03-31',
  amountCents: 10_000,
  ...overrides,
});

/** A batch as Vaasa's finance system posts it (a fresh message and correlation id each call). */
export const costsEnvelope = (batch: Omit<CostsSubmittedV1, 'businessId'> & { businessId?: string }, municipality = '905') => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type: 'claims.costs.submitted.v1',
  source: `municipality:${municipality}`,
  target: 'hub',
  municipality,
  occurredAt: new Date().toISOString(),
  payload: { businessId: VAASA_BUSINESS_ID, ...batch },
});
