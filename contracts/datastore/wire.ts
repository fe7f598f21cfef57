/**
 * National integration data store (kotoutumisen tietovaranto, KEHA centre) — wire format, defined
 * by koto-hub (no public interface; see README.md). REST/JSON over X-Road:
 *
 *   POST …/kotoutumistietovaranto/asiakkuus/v2               customer status (the code in the body)
 *   POST …/kotoutumistietovaranto/arvioinnit/v1              an assessment
 *   POST …/kotoutumistietovaranto/suunnitelmat/v1            an integration plan
 *   POST …/kotoutumistietovaranto/tarkistukset/v1            a plan review (may extend the plan)
 *   POST …/kotoutumistietovaranto/palvelusuoritukset/v1      a service completion
 *
 * where … is `/r1/{instance}/GOV/2296962-1`. No path or query carries personal data: the customer
 * status is a POST whose body names the person (`asiakkuusKysely`), because every security server
 * and proxy on the way keeps the request line in its access log. Its v1, `GET …/asiakkuus/v1/{hetu}`,
 * had the code in the path and is retired. Every write carries `viite`, the sender's UUID for
 * it (the hub derives it from the record, see README.md): a write repeated with the same `viite` is answered
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
  services: {
    status: 'asiakkuus',
    assessments: 'arvioinnit',
    plans: 'suunnitelmat',
    reviews: 'tarkistukset',
    completions: 'palvelusuoritukset',
  },
  /**
   * Version of each service's call. The status is v2: v1 (`GET …/asiakkuus/v1/{hetu}`) had the
   * identity code in its path and is retired.
   */
  versions: {
    status: 'v2',
    assessments: 'v1',
    plans: 'v1',
    reviews: 'v1',
    completions: 'v1',
  },
} as const;

export type DatastoreServiceKey = keyof typeof DATASTORE_SERVICE.services;

/**
 * Path of a service (relative to the security server's base URL). It never holds personal data:
 * every call names its person in the body.
 */
export function datastorePath(instance: string, service: DatastoreServiceKey): string {
  const s = DATASTORE_SERVICE;
  return `/r1/${instance}/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.services[service]}/${s.versions[service]}`;
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

/**
 * Customer status query (`POST …/asiakkuus/v2`). The code is in the body, not the path, so that no
 * access log on the way (security servers, proxies) keeps it. It changes nothing: a query may be
 * repeated at will.
 */
export const asiakkuusKysely = z.lazy(() =>
  z.object({
    hetu: hetuSchema,
  }),
);

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
export type AsiakkuusKysely = z.infer<typeof asiakkuusKysely>;
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
  /** 410: a retired version of a call, e.g. the status's v1, which had the identity code in its path. */
  gone: 'Client.Gone',
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
