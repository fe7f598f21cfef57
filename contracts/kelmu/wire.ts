/**
 * Kelmu list delivery — wire format (defined by koto-hub; Kela publishes no interface for it, see
 * README.md). REST/JSON over X-Road: one page of the list of immigrants a municipality is to reach,
 * one row per person and benefit (docs/DESIGN.md "The systems it connects", "Fixture population").
 *
 *   GET /r1/{instance}/GOV/0246246-0/kelmu/kotoutumislista/v1/{kunta}?paiva=YYYY-MM-DD&sivu=N&sivukoko=K
 *   X-Road-Client: {instance}/{class}/{member}/{subsystem}
 *
 * Every non-2xx answer is an X-Road REST error (`xRoadRestError` in #contracts/xroad/rest).
 *
 * Field names are Finnish, as Kela's own list deliveries name them. Readers ignore fields they do
 * not know, so Kela may add fields without breaking the hub.
 */
import * as z from '#contracts/zod';
import { issuePath } from '#contracts/issues';

/** X-Road service identifier of the list (Kela's business ID 0246246-0). */
export const KELMU_SERVICE = {
  memberClass: 'GOV',
  memberCode: '0246246-0',
  subsystemCode: 'kelmu',
  serviceCode: 'kotoutumislista',
  serviceVersion: 'v1',
} as const;

export const KELMU_DEFAULT_PAGE_SIZE = 100;
export const KELMU_MAX_PAGE_SIZE = 1000;

/** Kela's benefit codes on the list. */
export const kelmuEtuudet = ['PERUSTOIMEENTULOTUKI', 'KOTIHOIDONTUKI'] as const;
export type KelmuEtuus = (typeof kelmuEtuudet)[number];

const isoDate = z.iso.date('must be an ISO date YYYY-MM-DD');
const kuntanumero = z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code'));
const text = () => z.string('must be a string');
const count = () => z.number('must be a number').check(z.int('must be an integer'), z.nonnegative('must be 0 or more'));

export const kelmuWireRow = z.lazy(() =>
  z.object({
    /** Henkilötunnus as Kela holds it; may be malformed, the hub quarantines such rows. */
    hetu: text(),
    sukunimi: text().check(z.minLength(1, 'must not be empty')),
    etunimet: text().check(z.minLength(1, 'must not be empty')),
    etuus: z.enum(kelmuEtuudet, 'must be PERUSTOIMEENTULOTUKI or KOTIHOIDONTUKI'),
    /** Kela's flag for temporary (short-term) basic social assistance; false for other benefits. */
    tilapainen: z.boolean('must be true or false'),
    alkupvm: isoDate,
    /** Last day of the benefit; null while it runs until further notice. */
    loppupvm: z.nullable(isoDate),
  }),
);

export const kelmuWirePage = z.lazy(() =>
  z
    .object({
      kunta: kuntanumero,
      /** The date the list is as of. */
      paiva: isoDate,
      /** Page number, from 1. */
      sivu: z.number('must be a number').check(z.int('must be an integer'), z.positive('must be 1 or more')),
      /** Number of pages at this page size (0 for an empty list; page 1 is still answered). */
      sivuja: count(),
      sivukoko: z
        .number('must be a number')
        .check(z.int('must be an integer'), z.gte(1, 'must be 1 or more'), z.lte(KELMU_MAX_PAGE_SIZE, `must be at most ${KELMU_MAX_PAGE_SIZE}`)),
      /** Rows on the whole list, all pages. */
      rivejaYhteensa: count(),
      rivit: z.array(kelmuWireRow, 'must be an array'),
    })
    .check(
      z.superRefine((page, ctx) => {
        if (page.rivit.length > page.sivukoko) {
          ctx.addIssue({ code: 'custom', path: ['rivit'], message: 'holds more rows than sivukoko' });
        }
        if (page.sivuja !== Math.ceil(page.rivejaYhteensa / page.sivukoko)) {
          ctx.addIssue({ code: 'custom', path: ['sivuja'], message: 'must equal ceil(rivejaYhteensa / sivukoko)' });
        }
      }),
    ),
);

export type KelmuWireRow = z.infer<typeof kelmuWireRow>;
export type KelmuWirePage = z.infer<typeof kelmuWirePage>;

/** A wire document failed its schema; the message names the fields, never their values. */
export class KelmuContractError extends Error {
  override readonly name = 'KelmuContractError';
  constructor(
    readonly what: string,
    readonly issues: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(`${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** Parses one page as received; throws KelmuContractError naming each bad field. */
export function parseKelmuPage(body: unknown): KelmuWirePage {
  const result = kelmuWirePage.safeParse(body);
  if (result.success) return result.data;
  throw new KelmuContractError(
    'Kelmu page',
    result.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message })),
  );
}

export interface KelmuListRequest {
  /** X-Road instance, `FI` or `FI-TEST`. */
  readonly instance: string;
  readonly municipality: string;
  readonly date: string;
  readonly page: number;
  readonly pageSize: number;
}

/** Path and query of one page request (relative to the security server's base URL). */
export function kelmuListPath(request: KelmuListRequest): string {
  const s = KELMU_SERVICE;
  const query = new URLSearchParams({ paiva: request.date, sivu: String(request.page), sivukoko: String(request.pageSize) });
  return `/r1/${request.instance}/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.serviceCode}/${s.serviceVersion}/${request.municipality}?${query}`;
}
