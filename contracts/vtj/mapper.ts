/**
 * VTJ person query: wire (`VTJHenkiloVastaussanoma`) -> canonical (`vtjLookupOutcomeV1`,
 * `personV1`), and the small conversions the VTJ mock uses the other way. Pure, no I/O.
 *
 * - Paluukoodi: see `vtjLookupOutcomeV1`; a negative code is a VTJ-side error and is thrown as
 *   `VtjPaluukoodiError` with VTJ's own text as its meaning; any other code the hub does not know
 *   is thrown too (kind `unexpected`), never guessed at.
 * - Turvakielto: a protected person's canonical record has no address, whatever the wire held.
 * - Address: the Finnish text of each field, the Swedish one where VTJ has no Finnish text.
 * - Dates: `vvvvkkpp` -> `YYYY-MM-DD`; empty -> null; an incomplete date (month or day `00`, as
 *   VTJ records a date known only to the year or month) -> its first possible day.
 * - Nationality: ISO 3166 numeric -> alpha-3 (withdrawn codes corrected, unknown -> `XXX`),
 *   sorted, without duplicates.
 * - Native language: ISO 639-1 lower case; `98`, `99`, empty or anything else -> `und`;
 *   the withdrawn Hebrew code `iw` -> `he`.
 */
import { scrubHetus } from '#contracts/hetu';
import {
  FINLAND_ALPHA3,
  UNKNOWN_NATIONALITY,
  UNKNOWN_NATIONALITY_NUMERIC,
  alpha3ToNumeric,
  numericToAlpha3,
} from '#contracts/iso3166';
import { personV1, vtjLookupOutcomeV1, type PersonAddressV1, type PersonV1, type VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { VtjContractError, isVtjFaultResponse, type VtjAnswer, type VtjHenkilo } from '#contracts/vtj/wire';
import type { CitizenshipV1 } from '#contracts/canonical/person';

/**
 * A return code the hub treats as an error: negative (VTJ failed or refused) or one it does not
 * know, whether VTJ gave it as the answer's `Paluukoodi` or as its fault answer's `faultCode`.
 */
export class VtjPaluukoodiError extends Error {
  override readonly name = 'VtjPaluukoodiError';
  readonly transient = false;
  /** `vtj-error:-0005`, `unexpected:9999`, `unexpected-fault:X12`: for dead-letter reasons and metrics. */
  readonly code: string;
  constructor(
    readonly paluukoodi: string,
    /** VTJ's own text for the code, scrubbed of anything shaped like a personal identity code. */
    readonly meaning: string,
    readonly kind: 'vtj-error' | 'unexpected' | 'unexpected-fault',
  ) {
    const said = `${paluukoodi}${meaning ? ` (${meaning})` : ''}`;
    super(
      kind === 'vtj-error'
        ? `VTJ refused or failed the query: Paluukoodi ${said}`
        : kind === 'unexpected'
          ? `VTJ answered with a Paluukoodi the hub does not handle: ${said}`
          : `VTJ answered with a faultCode the hub does not handle: ${said}`,
    );
    this.code = `${kind}:${paluukoodi}`;
  }
}

const FOUND = '0000';
const PASSIVE = '0002';
const DECEASED = '0007';
const NOT_DISCLOSABLE = '0019';
const NOT_FOUND = ['0001', '0006'] as const;
const isNotFound = (code: string): code is (typeof NOT_FOUND)[number] => (NOT_FOUND as readonly string[]).includes(code);

const MAX_MEANING = 200;
const meaningOf = (text: string): string => scrubHetus(text.replace(/\s+/g, ' ').trim()).slice(0, MAX_MEANING);
/** A fault code goes into reasons and metrics: scrubbed, printable ASCII only, short. */
const faultCodeOf = (code: string): string => scrubHetus(code).replace(/[^\x21-\x7e]/g, '?').slice(0, 24);

/**
 * Maps an answer to its outcome; throws `VtjPaluukoodiError` or `VtjContractError`.
 *
 * A fault answer (`response/faultCode`) is read in the Paluukoodi code space, where the one VTJ
 * is known to send, `0001` for a code it does not know, means the same: not found. The other
 * codes VTJ can give as a fault (`0006`, `0019`: the person outcomes that carry no person) map as
 * their Paluukoodi does; negative codes are VTJ errors; any other code is refused permanently
 * with the code in the reason.
 */
export function mapVtjResponse(answer: VtjAnswer, options: { requestedHetu?: string } = {}): VtjLookupOutcomeV1 {
  if (isVtjFaultResponse(answer)) return mapVtjFault(answer.faultCode, answer.faultString);
  const { koodi, teksti } = answer.Paluukoodi;
  const henkilo = answer.Henkilo;
  let outcome: VtjLookupOutcomeV1;
  if (koodi.startsWith('-')) {
    throw new VtjPaluukoodiError(koodi, meaningOf(teksti), 'vtj-error');
  } else if (koodi === FOUND) {
    if (!henkilo) throw new VtjContractError('found-without-person', 'VTJ answered Paluukoodi 0000 without a Henkilo');
    outcome = { outcome: 'found', paluukoodi: FOUND, person: mapVtjHenkilo(henkilo) };
  } else if (isNotFound(koodi)) {
    outcome = { outcome: 'not-found', paluukoodi: koodi };
  } else if (koodi === PASSIVE) {
    outcome = { outcome: 'passive', paluukoodi: PASSIVE, activeHetu: activeHetuOf(henkilo, options.requestedHetu) };
  } else if (koodi === DECEASED) {
    outcome = { outcome: 'deceased', paluukoodi: DECEASED, person: henkilo ? mapVtjHenkilo(henkilo) : null };
  } else if (koodi === NOT_DISCLOSABLE) {
    outcome = { outcome: 'not-disclosable', paluukoodi: NOT_DISCLOSABLE };
  } else {
    throw new VtjPaluukoodiError(koodi, meaningOf(teksti), 'unexpected');
  }
  return vtjLookupOutcomeV1.parse(outcome);
}

function mapVtjFault(faultCode: string, faultString: string): VtjLookupOutcomeV1 {
  const code = faultCode.trim();
  if (isNotFound(code)) return { outcome: 'not-found', paluukoodi: code };
  if (code === NOT_DISCLOSABLE) return { outcome: 'not-disclosable', paluukoodi: NOT_DISCLOSABLE };
  if (/^-\d{4}$/.test(code)) throw new VtjPaluukoodiError(code, meaningOf(faultString), 'vtj-error');
  throw new VtjPaluukoodiError(faultCodeOf(code), meaningOf(faultString), 'unexpected-fault');
}

/** The code VTJ says is in use, for a passive code: only one VTJ marks valid and that differs from the one asked. */
function activeHetuOf(henkilo: VtjHenkilo | undefined, requested: string | undefined): string | null {
  const code = henkilo?.Henkilotunnus.value.trim().toUpperCase();
  if (!code || henkilo?.Henkilotunnus.voimassaolokoodi !== '1') return null;
  if (requested !== undefined && requested.trim().toUpperCase() === code) return null;
  return code;
}

/** A `Henkilo` as the canonical person. Throws `VtjContractError` when it cannot be one. */
export function mapVtjHenkilo(henkilo: VtjHenkilo): PersonV1 {
  const turvakielto = henkilo.Turvakielto?.TurvakieltoTieto === '1';
  const kotikunta = henkilo.Kotikunta;
  const nationalities = mapNationalities(henkilo.Kansalaisuus.map((k) => k.Kansalaisuuskoodi3));
  const person = {
    hetu: henkilo.Henkilotunnus.value,
    lastName: henkilo.NykyinenSukunimi.Sukunimi,
    firstNames: henkilo.NykyisetEtunimet.Etunimet,
    kotikunta:
      kotikunta && kotikunta.Kuntanumero !== ''
        ? { code: kotikunta.Kuntanumero, since: vtjDateToIso(kotikunta.KuntasuhdeAlkupvm, 'Kotikunta.KuntasuhdeAlkupvm') }
        : null,
    // Turvakielto: no address leaves the mapper, whatever VTJ sent.
    address: turvakielto ? null : mapAddress(henkilo.VakinainenKotimainenLahiosoite),
    turvakielto,
    dateOfDeath: henkilo.Kuolintiedot ? vtjDateToIso(henkilo.Kuolintiedot.Kuolinpvm, 'Kuolintiedot.Kuolinpvm') : null,
    nationalities,
    citizenship: citizenshipOf(henkilo.SuomenKansalaisuusTietokoodi, nationalities),
    nativeLanguage: mapLanguage(henkilo.Aidinkieli?.Kielikoodi ?? ''),
  };
  const parsed = personV1.safeParse(person);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
    throw new VtjContractError('schema', `VTJ Henkilo does not map to a canonical person (fields: ${fields})`);
  }
  return parsed.data;
}

/** Finnish text of each field, Swedish where there is no Finnish; null when anything is missing. */
export function mapAddress(address: VtjHenkilo['VakinainenKotimainenLahiosoite']): PersonAddressV1 | null {
  if (!address) return null;
  const street = (address.LahiosoiteS || address.LahiosoiteR).trim();
  const postOffice = (address.PostitoimipaikkaS || address.PostitoimipaikkaR).trim();
  const postalCode = address.Postinumero.trim();
  return street && postOffice && postalCode ? { street, postalCode, postOffice } : null;
}

/** ISO 3166 numeric codes -> sorted, distinct alpha-3 codes; unknown codes -> `XXX`. */
export function mapNationalities(numericCodes: readonly string[]): string[] {
  const codes = numericCodes.filter((code) => code.trim() !== '').map((code) => numericToAlpha3(code) ?? UNKNOWN_NATIONALITY);
  return [...new Set(codes)].sort();
}

/** Alpha-3 -> the numeric code VTJ writes (the mock's direction); `XXX` and unknown -> `998`. */
export const nationalityToVtj = (alpha3: string): string => alpha3ToNumeric(alpha3) ?? UNKNOWN_NATIONALITY_NUMERIC;

/**
 * Finnish citizenship from whichever element the product sends: `SuomenKansalaisuusTietokoodi`
 * (PERUSJHHS2/3 may send only this) or Finland (`246`) among the `Kansalaisuus` groups. When the two
 * disagree the person is taken as a citizen: a wrong "citizen" keeps someone off a target list,
 * a wrong "not a citizen" would put a citizen on one. Neither element: `unknown`.
 */
export function citizenshipOf(suomenKansalaisuusTietokoodi: string, nationalities: readonly string[]): CitizenshipV1 {
  if (suomenKansalaisuusTietokoodi === '1' || nationalities.includes(FINLAND_ALPHA3)) return 'citizen';
  if (suomenKansalaisuusTietokoodi === '0' || nationalities.length > 0) return 'not-citizen';
  return 'unknown';
}

/** Is the person a Finnish citizen as far as VTJ says? (Outreach rule 1.) */
export const isFinnishCitizen = (person: Pick<PersonV1, 'citizenship'>): boolean => person.citizenship === 'citizen';

const WITHDRAWN_LANGUAGE_CODES: Readonly<Record<string, string>> = { iw: 'he', in: 'id', ji: 'yi' };

/** VTJ's Kielikoodi -> ISO 639-1 or `und`. */
export function mapLanguage(kielikoodi: string): string {
  const code = kielikoodi.trim().toLowerCase();
  const current = WITHDRAWN_LANGUAGE_CODES[code] ?? code;
  return /^[a-z]{2}$/.test(current) ? current : 'und';
}

/** Canonical language -> VTJ's Kielikoodi (`und` -> `99`). */
export const languageToVtj = (language: string | null): string => (language === null || language === 'und' ? '99' : language);

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

/**
 * `vvvvkkpp` -> `YYYY-MM-DD`; empty or `00000000` -> null; month or day `00` -> the first possible
 * day. `field` names the element in the error, never the value.
 */
export function vtjDateToIso(value: string, field = 'date'): string | null {
  const v = value.trim();
  if (v === '' || /^0{8}$/.test(v)) return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (!m) throw new VtjContractError('schema', `${field} must be a date vvvvkkpp`);
  const year = Number(m[1]);
  const month = Number(m[2]) || 1;
  const day = Number(m[3]) || 1;
  if (year < 1 || month > 12 || day > daysIn(year, month)) throw new VtjContractError('schema', `${field} is not an existing date`);
  return `${m[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` -> `vvvvkkpp`; null -> empty (the mock's direction). */
export const isoToVtjDate = (iso: string | null): string => (iso === null ? '' : iso.replaceAll('-', ''));
