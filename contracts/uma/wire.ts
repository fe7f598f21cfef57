/**
 * UMA (Migri's register of aliens and case management system) — wire format DEFINED BY KOTO-HUB.
 * Migri publishes no machine interface for this; README.md documents this one so that an
 * integrator can map it to the real service in one place.
 *
 * SOAP 1.1 over X-Road, member `GOV/1765514-2` (Maahanmuuttovirasto), subsystem `UMAkotoutus`,
 * namespace `urn:fi:koto-hub:uma:1`, two services:
 *   - `UlkomaalainenKysely` (person query): residence permits of one person and whether the
 *     state's compensation to the municipality covers them on a given day;
 *   - `SuojelunSaajatKysely` (list query): one page of the protection recipients and recorded
 *     victims of trafficking whose home municipality is the given one.
 *
 * Element names are Finnish, as Migri's registers name things (glossary in README.md). Dates are
 * `xs:date` (YYYY-MM-DD), booleans `true`/`false`. Readers ignore elements they do not know.
 */
import * as z from '#contracts/zod';
import { parseSoapEnvelope, type XRoadEchoedHeaders, type XRoadServiceId } from '#contracts/xroad/soap';
import { faultFromSoap } from '#contracts/xroad/errors';
import {
  childElement,
  childElements,
  findElement,
  textAt,
  textElement,
  xmlElement,
  type XmlElement,
  type XmlParseOptions,
} from '#contracts/xroad/xml';
import { issueText } from '#contracts/issues';

export const UMA_NS = 'urn:fi:koto-hub:uma:1';

const UMA_SUBSYSTEM = { memberClass: 'GOV', memberCode: '1765514-2', subsystemCode: 'UMAkotoutus' } as const;
export const UMA_PERSON_SERVICE = { ...UMA_SUBSYSTEM, serviceCode: 'UlkomaalainenKysely', serviceVersion: 'v1' } as const;
export const UMA_LIST_SERVICE = { ...UMA_SUBSYSTEM, serviceCode: 'SuojelunSaajatKysely', serviceVersion: 'v1' } as const;
export const umaPersonServiceId = (xRoadInstance: string): XRoadServiceId => ({ xRoadInstance, ...UMA_PERSON_SERVICE });
export const umaListServiceId = (xRoadInstance: string): XRoadServiceId => ({ xRoadInstance, ...UMA_LIST_SERVICE });

export const UMA_DEFAULT_PAGE_SIZE = 100;
export const UMA_MAX_PAGE_SIZE = 1000;

/** Permit types: A continuous, B temporary, P permanent, P-EU EU long-term resident, EU registration/card. */
export const umaLupatyypit = ['A', 'B', 'P', 'P-EU', 'EU'] as const;

/** Grounds of residence as the wire writes them (canonical names in contracts/uma/mapper.ts). */
export const umaPerusteet = [
  'KANSAINVALINEN_SUOJELU',
  'HUMANITAARINEN_SUOJELU',
  'TILAPAINEN_SUOJELU',
  'PERHESIDE',
  'TYO',
  'OPISKELU',
  'EU_REKISTEROINTI',
  'MUU',
] as const;

export const umaTulokset = ['LOYTYI', 'EI_LOYTYNYT'] as const;

/** Family links (perhesiteet): spouse or registered partner, child, parent or guardian. */
export const umaSuhteet = ['PUOLISO', 'LAPSI', 'VANHEMPI'] as const;

// ---------------------------------------------------------------------------------------------
// Schemas

const isoDate = z.iso.date('must be a date YYYY-MM-DD');
const kuntakoodi = z.string().check(z.regex(/^\d{3}$/, 'must be a three-digit municipality code'));
const bool = z.boolean('must be true or false');
const notEmpty = () => z.string().check(z.minLength(1, 'must not be empty'));
const peruste = () => z.enum(umaPerusteet, `must be one of ${umaPerusteet.join(', ')}`);
const pageNumber = () => z.int().check(z.positive('must be 1 or more'));

export const umaPersonRequest = z.lazy(() =>
  z.object({
    Henkilotunnus: notEmpty(),
    /** The day compensation eligibility is asked for. */
    Tilannepaiva: isoDate,
    /** The end user or system on whose behalf the hub asks. */
    Loppukayttaja: notEmpty(),
  }),
);

export const umaOleskelulupa = z.lazy(() =>
  z.object({
    Lupatyyppi: z.enum(umaLupatyypit, 'must be A, B, P, P-EU or EU'),
    /** Section of the Aliens Act (ulkomaalaislaki 301/2004) the permit was granted under, e.g. `87 §`. */
    Lainkohta: z.string(),
    Peruste: peruste(),
    Myontamispvm: isoDate,
    /** First and last day of validity; a permanent permit has no last day. */
    AlkuPvm: z.nullable(isoDate),
    LoppuPvm: z.nullable(isoDate),
  }),
);

export const umaPersonResponse = z.lazy(() =>
  z
    .object({
      Tulos: z.enum(umaTulokset, 'must be LOYTYI or EI_LOYTYNYT'),
      Henkilotunnus: notEmpty(),
      Tilannepaiva: isoDate,
      /** First residence permit, residence card or registration of the right of residence. */
      EnsimmainenOleskeluoikeusPvm: z.nullable(isoDate),
      Kiintiopakolainen: bool,
      IhmiskaupanUhri: bool,
      Oleskeluluvat: z.array(umaOleskelulupa),
      Korvattavuus: z.object({
        /** Within the state's compensation to the municipality on `Tilannepaiva` (Act 681/2023 ch. 8). */
        Korvattava: bool,
        KorvattavaAsti: z.nullable(isoDate),
      }),
      // What the compensation rules read (docs/DESIGN.md "Compensation rules"); added in v1 without a
      // new version: a reader takes a missing element as "none", an older reader ignores them.
      /** The first home municipality in Finland (kotikunta) and its first day; null when the person has had none. */
      EnsimmainenKotikunta: z.nullable(z.object({ Kuntakoodi: kuntakoodi, AlkuPvm: isoDate })),
      /** The day Finnish citizenship was granted (Migri decides citizenship); null for a non-citizen. */
      SuomenKansalaisuusPvm: z.nullable(isoDate),
      /** The period of the recorded trafficking status (the assistance system for victims); null when none. */
      IhmiskaupanUhriJakso: z.nullable(z.object({ AlkuPvm: isoDate, LoppuPvm: z.nullable(isoDate) })),
      /** Family members Migri's decisions link the person to (the family member's permit, or the sponsor's). */
      Perhesiteet: z.array(z.object({ Henkilotunnus: notEmpty(), Suhde: z.enum(umaSuhteet, `must be one of ${umaSuhteet.join(', ')}`) })),
    })
    .check(
      z.superRefine((answer, ctx) => {
        if (answer.Tulos === 'EI_LOYTYNYT' && answer.Oleskeluluvat.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['Oleskeluluvat'], message: 'must be empty when Tulos is EI_LOYTYNYT' });
        }
        if (answer.Tulos === 'EI_LOYTYNYT' && answer.Perhesiteet.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['Perhesiteet'], message: 'must be empty when Tulos is EI_LOYTYNYT' });
        }
        if (answer.IhmiskaupanUhriJakso && !answer.IhmiskaupanUhri) {
          ctx.addIssue({ code: 'custom', path: ['IhmiskaupanUhriJakso'], message: 'must be empty when IhmiskaupanUhri is false' });
        }
      }),
    ),
);

export const umaListRequest = z.lazy(() =>
  z.object({
    Kuntakoodi: kuntakoodi,
    /** From 1. */
    Sivu: pageNumber(),
    SivunKoko: z.int().check(z.gte(1), z.lte(UMA_MAX_PAGE_SIZE, `must be at most ${UMA_MAX_PAGE_SIZE}`)),
  }),
);

export const umaListPerson = z.lazy(() =>
  z.object({
    /** As Migri holds it; the hub validates it, the wire does not. */
    Henkilotunnus: z.string(),
    Peruste: peruste(),
    Kiintiopakolainen: bool,
    IhmiskaupanUhri: bool,
    EnsimmainenOleskeluoikeusPvm: z.nullable(isoDate),
  }),
);

export const umaListResponse = z.lazy(() =>
  z
    .object({
      Kuntakoodi: kuntakoodi,
      Sivu: pageNumber(),
      SivunKoko: z.int().check(z.gte(1), z.lte(UMA_MAX_PAGE_SIZE)),
      /** Persons on the whole list, all pages. */
      Yhteensa: z.int().check(z.nonnegative('must be 0 or more')),
      Henkilot: z.array(umaListPerson),
    })
    .check(
      z.superRefine((page, ctx) => {
        if (page.Henkilot.length > page.SivunKoko) {
          ctx.addIssue({ code: 'custom', path: ['Henkilot'], message: 'holds more persons than SivunKoko' });
        }
      }),
    ),
);

export type UmaPersonRequest = z.infer<typeof umaPersonRequest>;
export type UmaOleskelulupa = z.infer<typeof umaOleskelulupa>;
export type UmaPersonResponse = z.infer<typeof umaPersonResponse>;
export type UmaListRequest = z.infer<typeof umaListRequest>;
export type UmaListPerson = z.infer<typeof umaListPerson>;
export type UmaListResponse = z.infer<typeof umaListResponse>;

/** A UMA document that does not fit the contract; names fields, never their values. Permanent. */
export class UmaContractError extends Error {
  override readonly name = 'UmaContractError';
  readonly transient = false;
  constructor(
    readonly code: 'wrong-element' | 'schema',
    message: string,
  ) {
    super(message);
  }
}

const validate = <S extends z.ZodMiniType>(schema: S, what: string, value: unknown): z.infer<S> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UmaContractError('schema', `${what} does not fit the UMA contract: ${issueText(parsed.error)}`);
  return parsed.data;
};

// ---------------------------------------------------------------------------------------------
// Text conversions (a value that does not convert is passed on as it is, for the schema to refuse)

const toBool = (value: string | undefined): unknown => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value);
const toDate = (value: string | undefined): string | null | undefined => (value === undefined ? undefined : value === '' ? null : value);
const toInt = (value: string | undefined): unknown => (value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : value);
const fromDate = (value: string | null): string => value ?? '';
/** A group that is absent or empty (`<uma:EnsimmainenKotikunta/>`) is none. */
const optionalGroup = <T>(element: XmlElement | null, read: (element: XmlElement) => T): T | null =>
  element && element.children.length > 0 ? read(element) : null;

const expect = (element: XmlElement | null, name: string): XmlElement => {
  const found = element?.name === name ? element : findElement(element, name);
  if (!found) throw new UmaContractError('wrong-element', `SOAP body holds no ${name}`);
  return found;
};

const uma = (name: string): string => `uma:${name}`;
const root = (name: string, content: readonly string[]): string => xmlElement(uma(name), content, { 'xmlns:uma': UMA_NS });

// ---------------------------------------------------------------------------------------------
// Person query

export function buildUmaPersonRequest(request: UmaPersonRequest): string {
  const r = validate(umaPersonRequest, 'UlkomaalainenKysely', request);
  return root('UlkomaalainenKysely', [
    textElement(uma('Henkilotunnus'), r.Henkilotunnus),
    textElement(uma('Tilannepaiva'), r.Tilannepaiva),
    textElement(uma('Loppukayttaja'), r.Loppukayttaja),
  ]);
}

export function readUmaPersonRequest(body: XmlElement | null): UmaPersonRequest {
  const e = expect(body, 'UlkomaalainenKysely');
  return validate(umaPersonRequest, 'UlkomaalainenKysely', {
    Henkilotunnus: textAt(e, 'Henkilotunnus'),
    Tilannepaiva: textAt(e, 'Tilannepaiva'),
    Loppukayttaja: textAt(e, 'Loppukayttaja'),
  });
}

export function buildUmaPersonResponse(answer: UmaPersonResponse): string {
  const a = validate(umaPersonResponse, 'UlkomaalainenVastaus', answer);
  return root('UlkomaalainenVastaus', [
    textElement(uma('Tulos'), a.Tulos),
    textElement(uma('Henkilotunnus'), a.Henkilotunnus),
    textElement(uma('Tilannepaiva'), a.Tilannepaiva),
    textElement(uma('EnsimmainenOleskeluoikeusPvm'), fromDate(a.EnsimmainenOleskeluoikeusPvm)),
    textElement(uma('Kiintiopakolainen'), String(a.Kiintiopakolainen)),
    textElement(uma('IhmiskaupanUhri'), String(a.IhmiskaupanUhri)),
    xmlElement(
      uma('Oleskeluluvat'),
      a.Oleskeluluvat.map((lupa) =>
        xmlElement(uma('Oleskelulupa'), [
          textElement(uma('Lupatyyppi'), lupa.Lupatyyppi),
          textElement(uma('Lainkohta'), lupa.Lainkohta),
          textElement(uma('Peruste'), lupa.Peruste),
          textElement(uma('Myontamispvm'), lupa.Myontamispvm),
          textElement(uma('AlkuPvm'), fromDate(lupa.AlkuPvm)),
          textElement(uma('LoppuPvm'), fromDate(lupa.LoppuPvm)),
        ]),
      ),
    ),
    xmlElement(uma('Korvattavuus'), [
      textElement(uma('Korvattava'), String(a.Korvattavuus.Korvattava)),
      textElement(uma('KorvattavaAsti'), fromDate(a.Korvattavuus.KorvattavaAsti)),
    ]),
    a.EnsimmainenKotikunta
      ? xmlElement(uma('EnsimmainenKotikunta'), [textElement(uma('Kuntakoodi'), a.EnsimmainenKotikunta.Kuntakoodi), textElement(uma('AlkuPvm'), a.EnsimmainenKotikunta.AlkuPvm)])
      : xmlElement(uma('EnsimmainenKotikunta')),
    textElement(uma('SuomenKansalaisuusPvm'), fromDate(a.SuomenKansalaisuusPvm)),
    a.IhmiskaupanUhriJakso
      ? xmlElement(uma('IhmiskaupanUhriJakso'), [
          textElement(uma('AlkuPvm'), a.IhmiskaupanUhriJakso.AlkuPvm),
          textElement(uma('LoppuPvm'), fromDate(a.IhmiskaupanUhriJakso.LoppuPvm)),
        ])
      : xmlElement(uma('IhmiskaupanUhriJakso')),
    xmlElement(
      uma('Perhesiteet'),
      a.Perhesiteet.map((side) => xmlElement(uma('Perhesidos'), [textElement(uma('Henkilotunnus'), side.Henkilotunnus), textElement(uma('Suhde'), side.Suhde)])),
    ),
  ]);
}

export function readUmaPersonResponse(body: XmlElement | null): UmaPersonResponse {
  const e = expect(body, 'UlkomaalainenVastaus');
  const korvattavuus = childElement(e, 'Korvattavuus');
  return validate(umaPersonResponse, 'UlkomaalainenVastaus', {
    Tulos: textAt(e, 'Tulos'),
    Henkilotunnus: textAt(e, 'Henkilotunnus'),
    Tilannepaiva: textAt(e, 'Tilannepaiva'),
    EnsimmainenOleskeluoikeusPvm: toDate(textAt(e, 'EnsimmainenOleskeluoikeusPvm')) ?? null,
    Kiintiopakolainen: toBool(textAt(e, 'Kiintiopakolainen')),
    IhmiskaupanUhri: toBool(textAt(e, 'IhmiskaupanUhri')),
    Oleskeluluvat: childElements(childElement(e, 'Oleskeluluvat'), 'Oleskelulupa').map((lupa) => ({
      Lupatyyppi: textAt(lupa, 'Lupatyyppi'),
      Lainkohta: textAt(lupa, 'Lainkohta') ?? '',
      Peruste: textAt(lupa, 'Peruste'),
      Myontamispvm: textAt(lupa, 'Myontamispvm'),
      AlkuPvm: toDate(textAt(lupa, 'AlkuPvm')) ?? null,
      LoppuPvm: toDate(textAt(lupa, 'LoppuPvm')) ?? null,
    })),
    Korvattavuus: {
      Korvattava: toBool(textAt(korvattavuus, 'Korvattava')),
      KorvattavaAsti: toDate(textAt(korvattavuus, 'KorvattavaAsti')) ?? null,
    },
    EnsimmainenKotikunta: optionalGroup(childElement(e, 'EnsimmainenKotikunta'), (k) => ({ Kuntakoodi: textAt(k, 'Kuntakoodi'), AlkuPvm: textAt(k, 'AlkuPvm') })),
    SuomenKansalaisuusPvm: toDate(textAt(e, 'SuomenKansalaisuusPvm')) ?? null,
    IhmiskaupanUhriJakso: optionalGroup(childElement(e, 'IhmiskaupanUhriJakso'), (j) => ({
      AlkuPvm: textAt(j, 'AlkuPvm'),
      LoppuPvm: toDate(textAt(j, 'LoppuPvm')) ?? null,
    })),
    Perhesiteet: childElements(childElement(e, 'Perhesiteet'), 'Perhesidos').map((side) => ({
      Henkilotunnus: textAt(side, 'Henkilotunnus'),
      Suhde: textAt(side, 'Suhde'),
    })),
  });
}

// ---------------------------------------------------------------------------------------------
// List query

export function buildUmaListRequest(request: UmaListRequest): string {
  const r = validate(umaListRequest, 'SuojelunSaajatKysely', request);
  return root('SuojelunSaajatKysely', [
    textElement(uma('Kuntakoodi'), r.Kuntakoodi),
    textElement(uma('Sivu'), String(r.Sivu)),
    textElement(uma('SivunKoko'), String(r.SivunKoko)),
  ]);
}

export function readUmaListRequest(body: XmlElement | null): UmaListRequest {
  const e = expect(body, 'SuojelunSaajatKysely');
  return validate(umaListRequest, 'SuojelunSaajatKysely', {
    Kuntakoodi: textAt(e, 'Kuntakoodi'),
    Sivu: toInt(textAt(e, 'Sivu') ?? '1'),
    SivunKoko: toInt(textAt(e, 'SivunKoko') ?? String(UMA_DEFAULT_PAGE_SIZE)),
  });
}

export function buildUmaListResponse(page: UmaListResponse): string {
  const p = validate(umaListResponse, 'SuojelunSaajatVastaus', page);
  return root('SuojelunSaajatVastaus', [
    textElement(uma('Kuntakoodi'), p.Kuntakoodi),
    textElement(uma('Sivu'), String(p.Sivu)),
    textElement(uma('SivunKoko'), String(p.SivunKoko)),
    textElement(uma('Yhteensa'), String(p.Yhteensa)),
    xmlElement(
      uma('Henkilot'),
      p.Henkilot.map((h) =>
        xmlElement(uma('Henkilo'), [
          textElement(uma('Henkilotunnus'), h.Henkilotunnus),
          textElement(uma('Peruste'), h.Peruste),
          textElement(uma('Kiintiopakolainen'), String(h.Kiintiopakolainen)),
          textElement(uma('IhmiskaupanUhri'), String(h.IhmiskaupanUhri)),
          textElement(uma('EnsimmainenOleskeluoikeusPvm'), fromDate(h.EnsimmainenOleskeluoikeusPvm)),
        ]),
      ),
    ),
  ]);
}

export function readUmaListResponse(body: XmlElement | null): UmaListResponse {
  const e = expect(body, 'SuojelunSaajatVastaus');
  return validate(umaListResponse, 'SuojelunSaajatVastaus', {
    Kuntakoodi: textAt(e, 'Kuntakoodi'),
    Sivu: toInt(textAt(e, 'Sivu')),
    SivunKoko: toInt(textAt(e, 'SivunKoko')),
    Yhteensa: toInt(textAt(e, 'Yhteensa')),
    Henkilot: childElements(childElement(e, 'Henkilot'), 'Henkilo').map((h) => ({
      Henkilotunnus: textAt(h, 'Henkilotunnus') ?? '',
      Peruste: textAt(h, 'Peruste'),
      Kiintiopakolainen: toBool(textAt(h, 'Kiintiopakolainen')),
      IhmiskaupanUhri: toBool(textAt(h, 'IhmiskaupanUhri')),
      EnsimmainenOleskeluoikeusPvm: toDate(textAt(h, 'EnsimmainenOleskeluoikeusPvm')) ?? null,
    })),
  });
}

// ---------------------------------------------------------------------------------------------
// Whole SOAP answers

type SoapRead<T> = { headers: XRoadEchoedHeaders | null; answer: T };

const readSoap = <T>(document: string | Uint8Array, service: string, read: (body: XmlElement | null) => T, options?: XmlParseOptions & { httpStatus?: number }): SoapRead<T> => {
  const envelope = parseSoapEnvelope(document, options);
  if (envelope.fault) throw faultFromSoap(envelope.fault, options?.httpStatus, service);
  return { headers: envelope.headers, answer: read(envelope.body) };
};

/** A person-query answer; throws `XRoadFault` for a fault, `XmlRejected`, `SoapEnvelopeError` or `UmaContractError`. */
export const parseUmaPersonSoapResponse = (document: string | Uint8Array, options?: XmlParseOptions & { httpStatus?: number }): SoapRead<UmaPersonResponse> =>
  readSoap(document, UMA_PERSON_SERVICE.serviceCode, readUmaPersonResponse, options);

/** A list-query answer; throws as `parseUmaPersonSoapResponse`. */
export const parseUmaListSoapResponse = (document: string | Uint8Array, options?: XmlParseOptions & { httpStatus?: number }): SoapRead<UmaListResponse> =>
  readSoap(document, UMA_LIST_SERVICE.serviceCode, readUmaListResponse, options);
