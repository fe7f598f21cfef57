/**
 * The canonical person, as the population information system (VTJ) knows them, and the outcome of
 * a VTJ person lookup. Every adapter reply about a person carries these, whatever wire format VTJ
 * answered in; the mapping lives in contracts/vtj/mapper.ts.
 *
 * TURVAKIELTO (non-disclosure for personal safety, Population Information Act 661/2009 § 36): a
 * protected person never carries an address. The schema refuses one, so no code path can put an
 * address of a protected person on a queue, in a result or in a log.
 */
import * as z from '#contracts/zod';
import { hetuSchema } from '#contracts/hetu';

const isoDate = z.lazy(() => z.iso.date('must be an ISO date YYYY-MM-DD'));

/** Home municipality code as VTJ gives it: three digits, or 198/199/200 (see contracts/municipalities.ts). */
const homeMunicipalityCode = z.lazy(() => z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code')));

const notEmpty = () => z.string().check(z.minLength(1, 'must not be empty'));

export const kotikuntaV1 = z.lazy(() =>
  z.object({
    /**
     * Three digits with leading zeros (`091`). `200` is abroad, `198` no home municipality in
     * Finland, `199` unknown. Not checked against the municipality table on purpose: VTJ is the
     * authority on codes, and a merger must not make the hub refuse people.
     */
    code: homeMunicipalityCode,
    /** Start of the home municipality relation (`KuntasuhdeAlkupvm`); null when VTJ gives none. */
    since: z.nullable(isoDate),
  }),
);

export const personAddressV1 = z.lazy(() =>
  z.object({
    /** Street address line in Finnish, or in Swedish when VTJ has only a Swedish one. */
    street: notEmpty(),
    postalCode: z.string().check(z.regex(/^\d{5}$/, 'must be a five-digit postal code')),
    postOffice: notEmpty(),
  }),
);

/**
 * Finnish citizenship as VTJ states it: `citizen`, `not-citizen`, or `unknown` when the answer
 * carries neither `SuomenKansalaisuusTietokoodi` nor any nationality.
 */
export const citizenshipV1 = z.lazy(() => z.enum(['citizen', 'not-citizen', 'unknown']));
export type CitizenshipV1 = z.infer<typeof citizenshipV1>;

export const personV1 = z.lazy(() =>
  z
    .object({
      hetu: hetuSchema,
      lastName: notEmpty(),
      /** All current first names, space-separated; empty when VTJ records none. */
      firstNames: z.string(),
      kotikunta: z.nullable(kotikuntaV1),
      /** Permanent domestic address; always null for a person with turvakielto. */
      address: z.nullable(personAddressV1),
      turvakielto: z.boolean(),
      dateOfDeath: z.nullable(isoDate),
      /** ISO 3166 alpha-3 codes, sorted, no duplicates; `FIN` for Finland, `XXX` unspecified. */
      nationalities: z.array(z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 3166 alpha-3 code'))),
      /** Finnish citizenship, explicit: a product may state it without listing any nationality. */
      citizenship: citizenshipV1,
      /** ISO 639-1 code, or `und` when VTJ does not know it. */
      nativeLanguage: z.string().check(z.regex(/^([a-z]{2}|und)$/, "must be an ISO 639-1 code or 'und'")),
    })
    .check(
      z.superRefine((person, ctx) => {
        if (person.turvakielto && person.address !== null) {
          ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be null for a person with turvakielto' });
        }
      }),
    ),
);

export type KotikuntaV1 = z.infer<typeof kotikuntaV1>;
export type PersonAddressV1 = z.infer<typeof personAddressV1>;
export type PersonV1 = z.infer<typeof personV1>;

/**
 * What a VTJ person lookup (`HenkilonTunnusKysely`) came to, by `Paluukoodi`:
 * - `found` (0000): the person;
 * - `not-found` (0001, 0006): VTJ has no one with the code;
 * - `passive` (0002): the code is no longer in use; VTJ may name the code now in use;
 * - `deceased` (0007): VTJ answers with what it still gives of a deceased person;
 * - `not-disclosable` (0019): VTJ may not disclose the person to this client.
 * Negative codes are VTJ-side errors and are thrown (`VtjPaluukoodiError`), not returned.
 */
export const vtjLookupOutcomeV1 = z.lazy(() =>
  z.discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('found'), paluukoodi: z.literal('0000'), person: personV1 }),
    z.object({ outcome: z.literal('not-found'), paluukoodi: z.enum(['0001', '0006']) }),
    z.object({
      outcome: z.literal('passive'),
      paluukoodi: z.literal('0002'),
      /** The code now in use, when VTJ gives one that differs from the one asked about. */
      activeHetu: z.nullable(hetuSchema),
    }),
    z.object({ outcome: z.literal('deceased'), paluukoodi: z.literal('0007'), person: z.nullable(personV1) }),
    z.object({ outcome: z.literal('not-disclosable'), paluukoodi: z.literal('0019') }),
  ]),
);

export type VtjLookupOutcomeV1 = z.infer<typeof vtjLookupOutcomeV1>;

// ---------------------------------------------------------------------------------------------
// Change events (from VTJ's change interface; mapping in contracts/vtj/changes.ts)

/** What changed in a `person.changed` event. */
export const personChangeKinds = ['address', 'turvakielto', 'death', 'hetu-correction', 'kotikunta'] as const;
export type PersonChangeKind = (typeof personChangeKinds)[number];

const eventFields = () => ({
  /** The code the change was read for (the one on the hub's follow list). */
  hetu: hetuSchema,
  /** The municipality whose follow list the change was read for. */
  municipality: homeMunicipalityCode,
  /** When VTJ recorded the change (`muutospv`). */
  changedAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' }),
});

export const personMovedInV1 = z.lazy(() =>
  z.object({
    type: z.literal('person.moved-in'),
    ...eventFields(),
    /** First day in the municipality (`kuntaanMuuttopv`), when VTJ gives it. */
    movedOn: z.nullable(isoDate),
  }),
);

export const personMovedOutV1 = z.lazy(() =>
  z.object({
    type: z.literal('person.moved-out'),
    ...eventFields(),
    /** The new home municipality (`200` abroad), when the change names it. */
    newMunicipality: z.nullable(homeMunicipalityCode),
    /** Last day in, or first day out of, the municipality, when VTJ gives it. */
    movedOn: z.nullable(isoDate),
  }),
);

export const personChangedV1 = z.lazy(() =>
  z.object({
    type: z.literal('person.changed'),
    ...eventFields(),
    changes: z.array(z.enum(personChangeKinds)).check(z.minLength(1)),
    /** New turvakielto state, when the change is about it. */
    turvakielto: z.nullable(z.boolean()),
    /** Date of death, when the change records one. */
    dateOfDeath: z.nullable(isoDate),
    /** The code now in use, when the change corrects the personal identity code. */
    activeHetu: z.nullable(hetuSchema),
  }),
);

export const personChangeEventV1 = z.lazy(() => z.discriminatedUnion('type', [personMovedInV1, personMovedOutV1, personChangedV1]));

export type PersonMovedInV1 = z.infer<typeof personMovedInV1>;
export type PersonMovedOutV1 = z.infer<typeof personMovedOutV1>;
export type PersonChangedV1 = z.infer<typeof personChangedV1>;
export type PersonChangeEventV1 = z.infer<typeof personChangeEventV1>;
