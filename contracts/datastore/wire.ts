/**
 * National integration data store (kotoutumisen tietovaranto, KEHA centre) — wire format, defined
 * by koto-hub (no public interface; see README.md). REST/JSON over X-Road:
 *
 *   GET  …/kotoutumistietovaranto/asiakkuus/v1/{hetu}        customer status
 *   POST …/kotoutumistietovaranto/arvioinnit/v1              an assessment
 *   POST …/kotoutumistietovaranto/suunnitelmat/v1            an integration plan
 *   POST …/kotoutumistietovaranto/tarkistukset/v1            a plan review (may extend the plan)
 *   POST …/kotoutumistietovaranto/palvelusuoritukset/v1      a service completion
 *
 * where … is `/r1/{instance}/GOV/2296962-1`. Every write carries `viite`, the sender's UUID for
 * it (the hub uses the envelope's messageId): a write repeated with the same `viite` is answered
 * with the first answer and stored once. Errors are X-Road REST errors `{"type","message","detail"}`.
 */
import * as z from '#contracts/zod';
import { hetuSchema } from '#contracts/hetu';
import { issuePath } from '#contracts/issues';

export const DATASTORE_SERVICE = {
  memberClass: 'GOV',
  /** KEHA centre's business ID. */
  memberCode: '2296962-1',
  subsystemCode: 'kotoutumistietovaranto',
  serviceVersion: 'v1',
  services: {
    status: 'asiakkuus',
    assessments: 'arvioinnit',
    plans: 'suunnitelmat',
    reviews: 'tarkistukset',
    completions: 'palvelusuoritukset',
  },
} as const;

export type DatastoreServiceKey = keyof typeof DATASTORE_SERVICE.services;

/** Path of a service (relative to the security server's base URL); `hetu` only for `status`. */
export function datastorePath(instance: string, service: DatastoreServiceKey, hetu?: string): string {
  const s = DATASTORE_SERVICE;
  const base = `/r1/${instance}/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.services[service]}/${s.serviceVersion}`;
  return hetu === undefined ? base : `${base}/${encodeURIComponent(hetu)}`;
}

const isoDate = z.iso.date('must be an ISO date YYYY-MM-DD');
const kunta = z.string('must be a string').check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code'));
const viite = z.uuid('must be a UUID (the sender’s reference of this write)');
const tunniste = z.string('must be a string').check(z.minLength(1, 'must not be empty'));
const bool = z.boolean('must be true or false');

/** Kinds of integration plan (Act 681/2023): basic, multi-sectoral, family. */
export const suunnitelmaTyypit = ['PERUS', 'MONIALAINEN', 'PERHE'] as const;
/** Services whose completion is recorded (Act 681/2023 chapter 4). */
export const palvelut = [
  'YHTEISKUNTAORIENTAATIO',
  'KOTOUTUMISKOULUTUS',
  'LUKUTAITOKOULUTUS',
  'OMAEHTOINEN_OPISKELU',
  'MUU',
] as const;

// ---- writes ------------------------------------------------------------------------------------

/** An assessment of competence and service needs (osaamisen ja palvelutarpeen arviointi). */
export const arviointiKirjaus = z.lazy(() =>
  z.object({
    viite,
    hetu: hetuSchema,
    kunta,
    arviointipvm: isoDate,
    /** The assessment is completed (an open one does not take the person out of outreach). */
    valmis: bool,
  }),
);

/** A new integration plan (kotoutumissuunnitelma). A plan is extended only through a review. */
export const suunnitelmaKirjaus = z.lazy(() =>
  z.object({
    viite,
    hetu: hetuSchema,
    kunta,
    tyyppi: z.enum(suunnitelmaTyypit, 'must be PERUS, MONIALAINEN or PERHE'),
    voimassaAlkaen: isoDate,
    voimassaAsti: isoDate,
  }),
);

/** A review of a plan (tarkistus); `jatkoAsti` extends the plan to that date. */
export const tarkistusKirjaus = z.lazy(() =>
  z.object({
    viite,
    hetu: hetuSchema,
    kunta,
    suunnitelmaTunniste: tunniste,
    tarkistuspvm: isoDate,
    jatkoAsti: z.nullable(isoDate),
  }),
);

/** A service the person took part in, and whether it was completed. */
export const palvelusuoritusKirjaus = z.lazy(() =>
  z.object({
    viite,
    hetu: hetuSchema,
    kunta,
    palvelu: z.enum(palvelut, `must be one of ${palvelut.join(', ')}`),
    alkupvm: isoDate,
    loppupvm: z.nullable(isoDate),
    suoritettu: bool,
  }),
);

/** Answer to an accepted write: 201 the first time, 200 when the same `viite` comes again. */
export const kirjausVastaus = z.lazy(() =>
  z.object({
    viite,
    tunniste,
    /** Accepted, but worth the sender's attention, e.g. `TARKISTUS_MYOHASSA` (review late). */
    huomautukset: z.array(z.string()),
  }),
);

// ---- customer status ---------------------------------------------------------------------------

export const arviointi = z.lazy(() =>
  z.object({
    tunniste,
    kunta,
    arviointipvm: isoDate,
    valmis: bool,
  }),
);

export const tarkistus = z.lazy(() =>
  z.object({
    tunniste,
    tarkistuspvm: isoDate,
    jatkoAsti: z.nullable(isoDate),
  }),
);

export const suunnitelma = z.lazy(() =>
  z.object({
    tunniste,
    kunta,
    tyyppi: z.enum(suunnitelmaTyypit, 'must be PERUS, MONIALAINEN or PERHE'),
    voimassaAlkaen: isoDate,
    /** Last day of validity, extensions included. */
    voimassaAsti: isoDate,
    /** Last day of validity as the plan was made, before any extension. */
    alkuperainenVoimassaAsti: isoDate,
    /** Six months after the latest review, or after the start if none (review at least every six months). */
    seuraavaTarkistusViimeistaan: isoDate,
    tarkistukset: z.array(tarkistus, 'must be an array'),
  }),
);

export const palvelusuoritus = z.lazy(() =>
  z.object({
    tunniste,
    kunta,
    palvelu: z.enum(palvelut, `must be one of ${palvelut.join(', ')}`),
    alkupvm: isoDate,
    loppupvm: z.nullable(isoDate),
    suoritettu: bool,
  }),
);

/**
 * Customer status. A person the store has nothing on is not an error: `asiakas` is false and the
 * lists are empty (a 404 would be indistinguishable from a wrong path behind X-Road).
 */
export const asiakkuusVastaus = z.lazy(() =>
  z.object({
    hetu: z.string('must be a string'),
    /** The store holds at least one record of the person. */
    asiakas: bool,
    arvioinnit: z.array(arviointi, 'must be an array'),
    suunnitelmat: z.array(suunnitelma, 'must be an array'),
    palvelusuoritukset: z.array(palvelusuoritus, 'must be an array'),
  }),
);

export type ArviointiKirjaus = z.infer<typeof arviointiKirjaus>;
export type SuunnitelmaKirjaus = z.infer<typeof suunnitelmaKirjaus>;
export type TarkistusKirjaus = z.infer<typeof tarkistusKirjaus>;
export type PalvelusuoritusKirjaus = z.infer<typeof palvelusuoritusKirjaus>;
export type KirjausVastaus = z.infer<typeof kirjausVastaus>;
export type AsiakkuusVastaus = z.infer<typeof asiakkuusVastaus>;
export type SuunnitelmaTyyppi = (typeof suunnitelmaTyypit)[number];
export type Palvelu = (typeof palvelut)[number];

/** X-Road REST error types the data store answers with. */
export const DATASTORE_ERROR_TYPES = {
  /** 400: the document does not match its schema; `detail` lists the fields. */
  invalid: 'Client.InvalidRequest',
  /** 422: the document breaks a rule of Act 681/2023; `detail` is the rule code. */
  rule: 'Client.RuleViolation',
  /** 409: the `viite` was used before for a different document. */
  conflict: 'Client.Conflict',
} as const;

// ---- parsing -----------------------------------------------------------------------------------

/** A wire document failed its schema; the message names the fields, never their values. */
export class DatastoreContractError extends Error {
  override readonly name = 'DatastoreContractError';
  constructor(
    readonly what: string,
    readonly issues: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(`${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** Parses `body` with `schema`; throws DatastoreContractError naming each bad field. */
export function parseDatastore<S extends z.ZodMiniType>(schema: S, what: string, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new DatastoreContractError(
    what,
    result.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message })),
  );
}
