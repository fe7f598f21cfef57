/**
 * VTJ person query — wire format (public: DVV's VTJ kyselyrajapinta, X-Road service
 * `GOV/0245437-2/VTJkysely`, serviceCode `HenkilonTunnusKysely`; see README.md).
 *
 * Request body, namespace `http://xml.vrk.fi/ws/vtj/vtjkysely/1`:
 *   <HenkilonTunnusKysely><request>SoSoNimi, Kayttajatunnus, Salasana, Loppukayttaja, Henkilotunnus</request></HenkilonTunnusKysely>
 * Answer body: `HenkilonTunnusKyselyResponse` echoing the `request` and wrapping, under `response`,
 * a `VTJHenkiloVastaussanoma` (namespace `http://xml.vrk.fi/schema/vtjkysely`) with `Paluukoodi`
 * and, when VTJ discloses one, `Henkilo`.
 *
 * The wire object mirrors the XML element names, so the schema reads like VTJ's documentation.
 * Everything is text: dates stay `vvvvkkpp`, municipality and country codes keep their leading
 * zeros. An element VTJ leaves out or empty reads as `''`. The hub reads only what it uses; VTJ's
 * other elements (Sukupuoli, Edunvalvonta, …) are ignored.
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

export const VTJ_REQUEST_NS = 'http://xml.vrk.fi/ws/vtj/vtjkysely/1';
export const VTJ_RESPONSE_NS = 'http://xml.vrk.fi/schema/vtjkysely';
export const VTJ_HENKILOTIEDOT_NS = 'http://xml.vrk.fi/schema/vtj/henkilotiedot/1';

/** X-Road service of the person query (DVV's business ID 0245437-2). */
export const VTJ_SERVICE = {
  memberClass: 'GOV',
  memberCode: '0245437-2',
  subsystemCode: 'VTJkysely',
  serviceCode: 'HenkilonTunnusKysely',
  serviceVersion: 'v1',
} as const;

export const vtjServiceId = (xRoadInstance: string): XRoadServiceId => ({ xRoadInstance, ...VTJ_SERVICE });

/** The product (SoSo name) the hub's data permit is for; DVV names the product in the permit. */
export const VTJ_DEFAULT_PRODUCT = 'PERUSJHHS2';

// ---------------------------------------------------------------------------------------------
// Schemas

const text = z.lazy(() => z.string());
/** `vvvvkkpp`, or empty. */
const vtjDate = z.lazy(() => z.string().check(z.regex(/^(\d{8})?$/, 'must be a date vvvvkkpp or empty')));
const notEmpty = () => z.string().check(z.minLength(1, 'must not be empty'));

export const vtjPersonRequest = z.lazy(() =>
  z.object({
    SoSoNimi: notEmpty(),
    Kayttajatunnus: notEmpty(),
    Salasana: z.string(),
    /** The end user on whose behalf the hub asks (a system or official id; never a HETU). */
    Loppukayttaja: notEmpty(),
    Henkilotunnus: notEmpty(),
  }),
);

export const vtjHenkilo = z.lazy(() =>
  z.object({
    Henkilotunnus: z.object({
      value: text,
      /** `1` the code is in use, `0` passive. */
      voimassaolokoodi: text,
    }),
    NykyinenSukunimi: z.object({ Sukunimi: text }),
    NykyisetEtunimet: z.object({ Etunimet: text }),
    VakinainenKotimainenLahiosoite: z.optional(
      z.object({
        /** Finnish (suomeksi) street address line. */
        LahiosoiteS: text,
        /** Swedish (ruotsiksi, på svenska) street address line. */
        LahiosoiteR: text,
        Postinumero: z.string().check(z.regex(/^(\d{5})?$/, 'must be a five-digit postal code or empty')),
        PostitoimipaikkaS: text,
        PostitoimipaikkaR: text,
        AsuminenAlkupvm: vtjDate,
        AsuminenLoppupvm: vtjDate,
      }),
    ),
    Kotikunta: z.optional(
      z.object({
        /** Three digits, leading zeros kept; `200` abroad. */
        Kuntanumero: z.string().check(z.regex(/^(\d{3})?$/, 'must be a three-digit municipality code or empty')),
        KuntaS: text,
        KuntaR: text,
        KuntasuhdeAlkupvm: vtjDate,
      }),
    ),
    Kuolintiedot: z.optional(z.object({ Kuollut: text, Kuolinpvm: vtjDate })),
    Aidinkieli: z.optional(
      z.object({
        /** ISO 639-1; `98`, `99` or empty when unknown. */
        Kielikoodi: z.string().check(z.maxLength(8, 'must be a language code')),
        KieliS: text,
        KieliR: text,
      }),
    ),
    Turvakielto: z.optional(
      z.object({
        /** `1` turvakielto in force; `0` or empty none. */
        TurvakieltoTieto: z.string().check(z.regex(/^[01]?$/, 'must be 1, 0 or empty')),
        TurvakieltoPaattymispvm: vtjDate,
      }),
    ),
    /**
     * `1` a Finnish citizen, `0` not; empty when the product does not carry it. The PERUSJHHS2 and
     * PERUSJHHS3 products may send only this and no `Kansalaisuus` group at all.
     */
    SuomenKansalaisuusTietokoodi: z.string().check(z.regex(/^[01]?$/, 'must be 1, 0 or empty')),
    /** One per nationality; a product may send none (see SuomenKansalaisuusTietokoodi). */
    Kansalaisuus: z.array(
      z.object({
        /** ISO 3166 numeric, three digits; `246` Finland. */
        Kansalaisuuskoodi3: z.string().check(z.regex(/^(\d{3})?$/, 'must be a three-digit country code or empty')),
        KansalaisuusS: text,
        KansalaisuusR: text,
      }),
    ),
  }),
);

export const vtjHenkiloVastaussanoma = z.lazy(() =>
  z.object({
    /** Product of the answer, e.g. `PERUSJHHS2`. */
    sanomatunnus: text,
    /** When VTJ extracted the data, `vvvvkkpphhmmss`. */
    tietojenPoimintaaika: text,
    Paluukoodi: z.object({
      /** `0000` found; `0001`, `0006` not found; `0002` passive; `0007` deceased; `0019` not disclosable; negative: error. */
      koodi: z.string().check(z.regex(/^-?\d{4}$/, 'must be a four-digit code, negative for errors')),
      teksti: text,
    }),
    Henkilo: z.optional(vtjHenkilo),
  }),
);

/**
 * VTJ's fault answer (DVV's `query.xsd`, `FaultResponseType`): instead of a
 * `VTJHenkiloVastaussanoma`, `response` holds `faultCode` and `faultString`. VTJ answers a code it
 * does not know this way (`0001`, "Hakuperusteella ei löydy tietoja vtj:stä"). It is an answer,
 * not a SOAP Fault: the X-Road exchange succeeded.
 */
export const vtjFaultResponse = z.lazy(() =>
  z.object({
    faultCode: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(64, 'must be at most 64 characters')),
    faultString: text,
  }),
);

export type VtjPersonRequest = z.infer<typeof vtjPersonRequest>;
export type VtjHenkilo = z.infer<typeof vtjHenkilo>;
export type VtjHenkiloVastaussanoma = z.infer<typeof vtjHenkiloVastaussanoma>;
export type VtjFaultResponse = z.infer<typeof vtjFaultResponse>;
/** What VTJ answers to a person query: the answer message, or its fault answer. */
export type VtjAnswer = VtjHenkiloVastaussanoma | VtjFaultResponse;

export const isVtjFaultResponse = (answer: VtjAnswer): answer is VtjFaultResponse => 'faultCode' in answer;

/** A VTJ document that does not fit the contract; names fields, never their values. Permanent. */
export class VtjContractError extends Error {
  override readonly name = 'VtjContractError';
  readonly transient = false;
  constructor(
    readonly code: 'no-request' | 'no-vastaussanoma' | 'schema' | 'found-without-person',
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Request

export function buildVtjRequestBody(request: VtjPersonRequest): string {
  const valid = vtjPersonRequest.safeParse(request);
  if (!valid.success) throw new VtjContractError('schema', `VTJ request is invalid: ${issueText(valid.error)}`);
  const r = valid.data;
  return xmlElement(
    'vtj:HenkilonTunnusKysely',
    xmlElement('vtj:request', [
      textElement('vtj:SoSoNimi', r.SoSoNimi),
      textElement('vtj:Kayttajatunnus', r.Kayttajatunnus),
      textElement('vtj:Salasana', r.Salasana),
      textElement('vtj:Loppukayttaja', r.Loppukayttaja),
      textElement('vtj:Henkilotunnus', r.Henkilotunnus),
    ]),
    { 'xmlns:vtj': VTJ_REQUEST_NS },
  );
}

/** Reads the request out of a SOAP body element (the VTJ mock's side). */
export function readVtjRequestBody(body: XmlElement | null): VtjPersonRequest {
  const request = body?.name === 'HenkilonTunnusKysely' ? childElement(body, 'request') : null;
  if (!request) throw new VtjContractError('no-request', 'SOAP body is not a HenkilonTunnusKysely request');
  const raw = Object.fromEntries(
    (['SoSoNimi', 'Kayttajatunnus', 'Salasana', 'Loppukayttaja', 'Henkilotunnus'] as const).map((key) => [key, textAt(request, key)]),
  );
  const parsed = vtjPersonRequest.safeParse({ ...raw, Salasana: raw.Salasana ?? '' });
  if (!parsed.success) throw new VtjContractError('schema', `VTJ request is invalid: ${issueText(parsed.error)}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Answer: XML -> wire object

/** Text of the named children of `element` ('' for each one absent), or undefined without the group. */
const group = <K extends string>(element: XmlElement | null, ...names: readonly K[]): Record<K, string> | undefined =>
  element ? (Object.fromEntries(names.map((name) => [name, textAt(element, name) ?? ''])) as Record<K, string>) : undefined;

function readHenkilo(henkilo: XmlElement): unknown {
  const hetu = childElement(henkilo, 'Henkilotunnus');
  return {
    Henkilotunnus: { value: hetu?.text ?? '', voimassaolokoodi: hetu?.attributes['voimassaolokoodi'] ?? '' },
    NykyinenSukunimi: { Sukunimi: textAt(henkilo, 'NykyinenSukunimi', 'Sukunimi') ?? '' },
    NykyisetEtunimet: { Etunimet: textAt(henkilo, 'NykyisetEtunimet', 'Etunimet') ?? '' },
    VakinainenKotimainenLahiosoite: group(
      childElement(henkilo, 'VakinainenKotimainenLahiosoite'),
      'LahiosoiteS',
      'LahiosoiteR',
      'Postinumero',
      'PostitoimipaikkaS',
      'PostitoimipaikkaR',
      'AsuminenAlkupvm',
      'AsuminenLoppupvm',
    ),
    Kotikunta: group(childElement(henkilo, 'Kotikunta'), 'Kuntanumero', 'KuntaS', 'KuntaR', 'KuntasuhdeAlkupvm'),
    Kuolintiedot: group(childElement(henkilo, 'Kuolintiedot'), 'Kuollut', 'Kuolinpvm'),
    Aidinkieli: group(childElement(henkilo, 'Aidinkieli'), 'Kielikoodi', 'KieliS', 'KieliR'),
    Turvakielto: group(childElement(henkilo, 'Turvakielto'), 'TurvakieltoTieto', 'TurvakieltoPaattymispvm'),
    SuomenKansalaisuusTietokoodi: textAt(henkilo, 'SuomenKansalaisuusTietokoodi')?.trim() ?? '',
    Kansalaisuus: childElements(henkilo, 'Kansalaisuus')
      .map((k) => group(k, 'Kansalaisuuskoodi3', 'KansalaisuusS', 'KansalaisuusR'))
      // VTJ writes an empty Kansalaisuus group for a person without a recorded nationality.
      .filter((k) => k !== undefined && (k.Kansalaisuuskoodi3 !== '' || k.KansalaisuusS !== '' || k.KansalaisuusR !== '')),
  };
}

/**
 * Reads VTJ's answer under the SOAP body element: the `VTJHenkiloVastaussanoma` anywhere under it
 * (VTJ's own wrapper and older SoSo wrappers alike), or else the fault answer
 * (`response/faultCode`, `FaultResponseType`), and validates it.
 */
export function readVtjResponseBody(body: XmlElement | null): VtjAnswer {
  const sanoma = findElement(body, 'VTJHenkiloVastaussanoma');
  if (!sanoma) return readVtjFaultResponse(body);
  const paluukoodi = childElement(sanoma, 'Paluukoodi');
  const henkilo = childElement(sanoma, 'Henkilo');
  const raw = {
    sanomatunnus: sanoma.attributes['sanomatunnus'] ?? '',
    tietojenPoimintaaika: sanoma.attributes['tietojenPoimintaaika'] ?? '',
    Paluukoodi: { koodi: paluukoodi?.attributes['koodi'] ?? '', teksti: paluukoodi?.text ?? '' },
    Henkilo: henkilo ? readHenkilo(henkilo) : undefined,
  };
  const parsed = vtjHenkiloVastaussanoma.safeParse(raw);
  if (!parsed.success) {
    throw new VtjContractError('schema', `VTJHenkiloVastaussanoma does not fit the contract: ${issueText(parsed.error)}`);
  }
  return parsed.data;
}

function readVtjFaultResponse(body: XmlElement | null): VtjFaultResponse {
  const response = body?.name === 'response' ? body : body ? childElement(body, 'response') : null;
  const faultCode = response ? childElement(response, 'faultCode') : null;
  if (!response || !faultCode) {
    throw new VtjContractError('no-vastaussanoma', 'SOAP body holds no VTJHenkiloVastaussanoma and no fault answer (response/faultCode)');
  }
  const parsed = vtjFaultResponse.safeParse({ faultCode: faultCode.text.trim(), faultString: textAt(response, 'faultString') ?? '' });
  if (!parsed.success) throw new VtjContractError('schema', `VTJ fault answer does not fit the contract: ${issueText(parsed.error)}`);
  return parsed.data;
}

/**
 * Reads a whole SOAP answer of the person query: throws `XRoadFault` for a SOAP Fault,
 * `XmlRejected`/`SoapEnvelopeError` for a document that is not a usable envelope, and
 * `VtjContractError` for an answer that does not fit the contract.
 */
export function parseVtjSoapResponse(
  document: string | Uint8Array,
  options?: XmlParseOptions & { httpStatus?: number },
): { headers: XRoadEchoedHeaders | null; sanoma: VtjAnswer } {
  const envelope = parseSoapEnvelope(document, options);
  if (envelope.fault) throw faultFromSoap(envelope.fault, options?.httpStatus, 'VTJkysely');
  return { headers: envelope.headers, sanoma: readVtjResponseBody(envelope.body) };
}

// ---------------------------------------------------------------------------------------------
// Answer: wire object -> XML (the mock's side, and recorded samples)

const henkiloXml = (h: VtjHenkilo): string =>
  xmlElement('Henkilo', [
    textElement('Henkilotunnus', h.Henkilotunnus.value, { voimassaolokoodi: h.Henkilotunnus.voimassaolokoodi || undefined }),
    xmlElement('NykyinenSukunimi', textElement('Sukunimi', h.NykyinenSukunimi.Sukunimi)),
    xmlElement('NykyisetEtunimet', textElement('Etunimet', h.NykyisetEtunimet.Etunimet)),
    h.VakinainenKotimainenLahiosoite
      ? xmlElement(
          'VakinainenKotimainenLahiosoite',
          (['LahiosoiteS', 'LahiosoiteR', 'Postinumero', 'PostitoimipaikkaS', 'PostitoimipaikkaR', 'AsuminenAlkupvm', 'AsuminenLoppupvm'] as const).map((k) =>
            textElement(k, h.VakinainenKotimainenLahiosoite?.[k]),
          ),
        )
      : '',
    h.Kotikunta
      ? xmlElement('Kotikunta', (['Kuntanumero', 'KuntaS', 'KuntaR', 'KuntasuhdeAlkupvm'] as const).map((k) => textElement(k, h.Kotikunta?.[k])))
      : '',
    h.Kuolintiedot ? xmlElement('Kuolintiedot', [textElement('Kuollut', h.Kuolintiedot.Kuollut), textElement('Kuolinpvm', h.Kuolintiedot.Kuolinpvm)]) : '',
    h.Aidinkieli
      ? xmlElement('Aidinkieli', [textElement('Kielikoodi', h.Aidinkieli.Kielikoodi), textElement('KieliS', h.Aidinkieli.KieliS), textElement('KieliR', h.Aidinkieli.KieliR)])
      : '',
    h.Turvakielto
      ? xmlElement('Turvakielto', [
          textElement('TurvakieltoTieto', h.Turvakielto.TurvakieltoTieto),
          textElement('TurvakieltoPaattymispvm', h.Turvakielto.TurvakieltoPaattymispvm),
        ])
      : '',
    ...h.Kansalaisuus.map((k) =>
      xmlElement('Kansalaisuus', [
        textElement('Kansalaisuuskoodi3', k.Kansalaisuuskoodi3),
        textElement('KansalaisuusS', k.KansalaisuusS),
        textElement('KansalaisuusR', k.KansalaisuusR),
      ]),
    ),
    h.SuomenKansalaisuusTietokoodi ? textElement('SuomenKansalaisuusTietokoodi', h.SuomenKansalaisuusTietokoodi) : '',
  ]);

/** The `VTJHenkiloVastaussanoma` element. */
export function buildVtjVastaussanoma(sanoma: VtjHenkiloVastaussanoma): string {
  const valid = vtjHenkiloVastaussanoma.safeParse(sanoma);
  if (!valid.success) throw new VtjContractError('schema', `VTJHenkiloVastaussanoma is invalid: ${issueText(valid.error)}`);
  const s = valid.data;
  return xmlElement(
    'VTJHenkiloVastaussanoma',
    [textElement('Paluukoodi', s.Paluukoodi.teksti, { koodi: s.Paluukoodi.koodi }), s.Henkilo ? henkiloXml(s.Henkilo) : ''],
    {
      xmlns: VTJ_RESPONSE_NS,
      'xmlns:vtj': VTJ_HENKILOTIEDOT_NS,
      sanomatunnus: s.sanomatunnus || undefined,
      tietojenPoimintaaika: s.tietojenPoimintaaika || undefined,
      versio: '1.0',
    },
  );
}

const requestEcho = (request: VtjPersonRequest | undefined): string =>
  request
    ? xmlElement('request', [
        textElement('SoSoNimi', request.SoSoNimi),
        textElement('Kayttajatunnus', request.Kayttajatunnus),
        textElement('Salasana', ''),
        textElement('Loppukayttaja', request.Loppukayttaja),
        textElement('Henkilotunnus', request.Henkilotunnus),
      ])
    : '';

/**
 * The SOAP body of an answer: `HenkilonTunnusKyselyResponse` echoing the request (password left
 * out, as VTJ does) around the `VTJHenkiloVastaussanoma`, or around the fault answer.
 */
export function buildVtjResponse(answer: VtjAnswer, request?: VtjPersonRequest): string {
  const response = isVtjFaultResponse(answer)
    ? [textElement('faultCode', answer.faultCode), textElement('faultString', answer.faultString)]
    : buildVtjVastaussanoma(answer);
  return xmlElement('HenkilonTunnusKyselyResponse', [requestEcho(request), xmlElement('response', response)], { xmlns: VTJ_REQUEST_NS });
}

/**
 * Texts the mock and the recorded samples write beside the return codes the hub distinguishes. Only
 * `Haku onnistui` is VTJ's own wording on record; the hub never reads the text to decide anything.
 */
export const PALUUKOODI_TEXTS: Readonly<Record<string, string>> = {
  '0000': 'Haku onnistui',
  '0001': 'Henkilöä ei löytynyt',
  '0002': 'Henkilötunnus on passiivinen',
  '0006': 'Henkilöä ei löytynyt',
  '0007': 'Henkilö on kuollut',
  '0019': 'Tietoja ei voida luovuttaa',
};
