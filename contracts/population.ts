/**
 * The fixture population (docs/DESIGN.md "Fixture population", normative): one JSON shape that drives
 * every mock at once, so a population written by anyone can seed VTJ, UMA, Kelmu and the data store.
 *
 * `hetu` is deliberately a plain string here: a source list may carry a malformed code on purpose.
 */
import * as z from '#contracts/zod';

const isoDate = z.lazy(() => z.iso.date());
const nullableDate = z.lazy(() => z.nullable(isoDate));

export const residenceGrounds = [
  'international-protection',
  'humanitarian-protection',
  'temporary-protection',
  'family',
  'work',
  'study',
  'eu-registration',
  'other',
] as const;
export const permitTypes = ['A', 'B', 'P', 'P-EU', 'EU'] as const;
export const kelaBenefits = ['basic-social-assistance', 'child-home-care-allowance'] as const;

export const fixtureAddress = z.lazy(() =>
  z.object({
    street: z.string().check(z.minLength(1)),
    postalCode: z.string().check(z.regex(/^\d{5}$/)),
    postOffice: z.string().check(z.minLength(1)),
  }),
);

/** Family links as the fixture writes them (the UMA mock answers them; the compensation rules read them). */
export const fixtureFamilyRelations = ['spouse', 'child', 'parent'] as const;

export const fixtureResidence = z.lazy(() =>
  z.object({
    firstPermitDate: isoDate,
    permitType: z.enum(permitTypes),
    ground: z.enum(residenceGrounds),
    quotaRefugee: z.boolean(),
    traffickingVictim: z.boolean(),
    // Optional, for the compensation rules (docs/DESIGN.md "Fixture population" says the defaults).
    /** The permit history, oldest first; by default one permit of `permitType` and `ground` from `firstPermitDate`. */
    permits: z.optional(
      z.array(z.object({ permitType: z.enum(permitTypes), ground: z.enum(residenceGrounds), from: isoDate, to: nullableDate })),
    ),
    /** By default the home municipality and its start, when VTJ records a start. */
    firstHomeMunicipality: z.optional(z.nullable(z.object({ code: z.string().check(z.regex(/^\d{3}$/)), since: isoDate }))),
    finnishCitizenSince: z.optional(nullableDate),
    /** By default, for a victim of trafficking, from `firstPermitDate` with no end. */
    traffickingVictimPeriod: z.optional(z.nullable(z.object({ from: isoDate, to: nullableDate }))),
    family: z.optional(z.array(z.object({ hetu: z.string(), relation: z.enum(fixtureFamilyRelations) }))),
  }),
);

export const fixtureKelaRecord = z.lazy(() =>
  z.object({
    benefit: z.enum(kelaBenefits),
    temporary: z.boolean(),
    from: isoDate,
    to: nullableDate,
    /** Municipality whose Kelmu list carries the person; absent means the home municipality. */
    municipality: z.optional(z.string().check(z.regex(/^\d{3}$/))),
  }),
);

export const fixtureIntegration = z.lazy(() =>
  z.object({
    assessmentDate: nullableDate,
    planValidFrom: nullableDate,
    planValidUntil: nullableDate,
  }),
);

export const fixturePerson = z.lazy(() =>
  z.object({
    hetu: z.string(),
    lastName: z.string().check(z.minLength(1)),
    firstNames: z.string().check(z.minLength(1)),
    dateOfDeath: nullableDate,
    nationalities: z.array(z.string().check(z.regex(/^[A-Z]{3}$/))),
    nativeLanguage: z.nullable(z.string().check(z.regex(/^[a-z]{2,3}$/))),
    homeMunicipality: z.string().check(z.regex(/^\d{3}$/)),
    homeMunicipalitySince: nullableDate,
    address: z.nullable(fixtureAddress),
    nonDisclosure: z.boolean(),
    residence: z.nullable(fixtureResidence),
    kela: z.array(fixtureKelaRecord),
    integration: fixtureIntegration,
  }),
);

export const fixturePopulation = z.lazy(() => z.object({ persons: z.array(fixturePerson) }));

export type FixtureAddress = z.infer<typeof fixtureAddress>;
export type FixtureResidence = z.infer<typeof fixtureResidence>;
export type FixtureKelaRecord = z.infer<typeof fixtureKelaRecord>;
export type FixturePerson = z.infer<typeof fixturePerson>;
export type FixturePopulation = z.infer<typeof fixturePopulation>;

/** Kela's list municipality for a record: its own, or the person's home municipality. */
export const kelaListMunicipality = (person: FixturePerson, record: FixtureKelaRecord): string =>
  record.municipality ?? person.homeMunicipality;
