/**
 * Koto-AJ, KEHA centre's integration customer information system (kotoutumisen
 * asiakastietojärjestelmä) — wire format, **defined by koto-hub** (Koto-AJ publishes no interface;
 * see README.md). REST/JSON over X-Road, one write per record:
 *
 *   POST …/koto-aj/arvioinnit/v1            an assessment
 *   POST …/koto-aj/suunnitelmat/v1          an integration plan
 *   POST …/koto-aj/tarkistukset/v1          a review of a plan (may extend it)
 *   POST …/koto-aj/palvelusuoritukset/v1    a service completion
 *
 * where … is `/r1/{instance}/GOV/2296962-1`. No path or query carries personal data. Every write
 * carries `viite`, the sender's UUID for it: the same `viite` with the same document is answered
 * 200 with the first answer and stored once; with another document it is a 409. A review names its
 * plan by the plan write's `viite`, which the sender knows before Koto-AJ answers.
 */
import * as z from '#contracts/zod';
import { hetuSchema } from '#contracts/hetu';
import { issuePath } from '#contracts/issues';
import { palvelut, suunnitelmaTyypit } from '#contracts/datastore/wire';

export const KOTOAJ_SERVICE = {
  memberClass: 'GOV',
  /** KEHA centre's business ID (as the data store's; check it when the service is registered). */
  memberCode: '2296962-1',
  subsystemCode: 'koto-aj',
  services: {
    assessments: 'arvioinnit',
    plans: 'suunnitelmat',
    reviews: 'tarkistukset',
    completions: 'palvelusuoritukset',
  },
  versions: { assessments: 'v1', plans: 'v1', reviews: 'v1', completions: 'v1' },
} as const;

export type KotoAjServiceKey = keyof typeof KOTOAJ_SERVICE.services;

/** Path of a write (relative to the security server's base URL); never personal data. */
export function kotoAjPath(instance: string, service: KotoAjServiceKey): string {
  const s = KOTOAJ_SERVICE;
  return `/r1/${instance}/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.services[service]}/${s.versions[service]}`;
}

const isoDate = z.iso.date('must be an ISO date YYYY-MM-DD');
const kunta = z.string('must be a string').check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code'));
const viite = z.uuid('must be a UUID (the sender’s reference of this write)');
const tunniste = z.string('must be a string').check(z.minLength(1, 'must not be empty'));
const bool = z.boolean('must be true or false');
const poikkeusperuste = z.nullable(z.string('must be a string or null').check(z.minLength(1, 'must not be empty (null when there is none)')));

/** Fields of every write: the sender's reference, the municipality's own record id, the person, the municipality. */
const kirjausFields = () => ({
  viite,
  /** The municipal system's identifier of the record (no personal data), for tracing it back. */
  kunnanTunniste: tunniste,
  hetu: hetuSchema,
  kunta,
});

/** An assessment of competence and service needs (osaamisen ja palvelutarpeen arviointi). */
export const arviointiKirjaus = z.lazy(() => z.object({ ...kirjausFields(), arviointipvm: isoDate, valmis: bool }));

/** An integration plan; `poikkeusperuste` is why it runs past two years from its start, if it does. */
export const suunnitelmaKirjaus = z.lazy(() =>
  z.object({
    ...kirjausFields(),
    tyyppi: z.enum(suunnitelmaTyypit, 'must be PERUS, MONIALAINEN or PERHE'),
    voimassaAlkaen: isoDate,
    voimassaAsti: isoDate,
    poikkeusperuste,
  }),
);

/** A review of the plan written with `suunnitelmaViite`; `jatkoAsti` extends the plan to that day. */
export const tarkistusKirjaus = z.lazy(() =>
  z.object({
    ...kirjausFields(),
    suunnitelmaViite: viite,
    tarkistuspvm: isoDate,
    jatkoAsti: z.nullable(isoDate),
    poikkeusperuste,
  }),
);

/** A service the person took part in; `suunnitelmaViite` the plan it belongs to, if any. */
export const palvelusuoritusKirjaus = z.lazy(() =>
  z.object({
    ...kirjausFields(),
    suunnitelmaViite: z.nullable(viite),
    palvelu: z.enum(palvelut, `must be one of ${palvelut.join(', ')}`),
    alkupvm: isoDate,
    loppupvm: z.nullable(isoDate),
    suoritettu: bool,
  }),
);

/** Notices of an accepted write: `TARKISTUS_MYOHASSA`, a review more than six months after the previous. */
export const kotoAjHuomautukset = ['TARKISTUS_MYOHASSA'] as const;

/** Answer to an accepted write: 201 the first time, 200 with the same body when the same `viite` comes again. */
export const kirjausVastaus = z.lazy(() =>
  z.object({
    viite,
    /** Koto-AJ's identifier of the stored record. */
    tunniste,
    huomautukset: z.array(z.enum(kotoAjHuomautukset, `must be one of ${kotoAjHuomautukset.join(', ')}`), 'must be an array'),
  }),
);

/** X-Road REST error types Koto-AJ answers a write with. */
export const KOTOAJ_ERROR_TYPES = {
  /** 400: the document does not match its schema; `detail` lists the fields. */
  invalid: 'Client.InvalidRequest',
  /** 409: the `viite` was used before for a different document; `detail` is `viite`. */
  conflict: 'Client.Conflict',
  /** 422: the document breaks a plan rule; `detail` is the rule codes, comma-separated. */
  rule: 'Client.RuleViolation',
} as const;

/** The error body, as X-Road REST errors are: `{ type, message, detail }`; messages name fields, never values. */
export const kotoAjVirhe = z.lazy(() =>
  z.object({
    type: z.string('must be a string').check(z.minLength(1, 'must not be empty')),
    message: z.string('must be a string'),
    detail: z.nullish(z.string('must be a string')),
  }),
);

export type ArviointiKirjaus = z.infer<typeof arviointiKirjaus>;
export type SuunnitelmaKirjaus = z.infer<typeof suunnitelmaKirjaus>;
export type TarkistusKirjaus = z.infer<typeof tarkistusKirjaus>;
export type PalvelusuoritusKirjaus = z.infer<typeof palvelusuoritusKirjaus>;
export type KirjausVastaus = z.infer<typeof kirjausVastaus>;
export type KotoAjVirhe = z.infer<typeof kotoAjVirhe>;

/**
 * What an answer to a write means for the record:
 * - `stored`: 201, or 200 for a `viite` written before with the same document (`repeat`);
 * - `changed`: 409, the `viite` was written before with another document — a refusal to the
 *   sender (a changed record is a new record id), never a retry;
 * - `refused`: 422, the rule codes Koto-AJ names;
 * - `invalid`: 400, or an answer that breaks this contract — permanent, a fault of one end's mapping;
 * - `transient`: 429, 5xx — worth a retry.
 */
export type KotoAjOutcome =
  | { readonly outcome: 'stored'; readonly repeat: boolean; readonly answer: KirjausVastaus }
  | { readonly outcome: 'changed' }
  | { readonly outcome: 'refused'; readonly codes: readonly string[] }
  | { readonly outcome: 'invalid'; readonly detail: string }
  | { readonly outcome: 'transient'; readonly status: number };

const fieldsOf = (error: z.ZodError): string => error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`).join('; ');

/** Reads Koto-AJ's answer to a write: its HTTP status and its JSON body (already parsed, or undefined). */
export function readKotoAjAnswer(status: number, body: unknown): KotoAjOutcome {
  if (status === 429 || status >= 500) return { outcome: 'transient', status };
  if (status === 200 || status === 201) {
    const answer = kirjausVastaus.safeParse(body);
    return answer.success ? { outcome: 'stored', repeat: status === 200, answer: answer.data } : { outcome: 'invalid', detail: `answer: ${fieldsOf(answer.error)}` };
  }
  const error = kotoAjVirhe.safeParse(body);
  if (!error.success) return { outcome: 'invalid', detail: `HTTP ${status}, error body: ${fieldsOf(error.error)}` };
  if (status === 409 && error.data.type === KOTOAJ_ERROR_TYPES.conflict) return { outcome: 'changed' };
  if (status === 422 && error.data.type === KOTOAJ_ERROR_TYPES.rule) {
    const codes = (error.data.detail ?? '').split(',').map((code) => code.trim()).filter((code) => /^[A-Z][A-Z_]*$/.test(code));
    return { outcome: 'refused', codes };
  }
  // Koto-AJ's message names fields and rules only; the type is enough and carries no value.
  return { outcome: 'invalid', detail: `HTTP ${status} ${error.data.type}` };
}
