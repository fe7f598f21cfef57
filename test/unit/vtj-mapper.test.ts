import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { personV1, type PersonV1, type VtjLookupOutcomeV1 } from '#contracts/canonical/person';
import { ISO3166_COUNTRIES, alpha3ToNumeric, numericToAlpha3 } from '#contracts/iso3166';
import {
  VtjPaluukoodiError,
  isFinnishCitizen,
  mapAddress,
  mapLanguage,
  mapNationalities,
  mapVtjHenkilo,
  mapVtjResponse,
  nationalityToVtj,
  vtjDateToIso,
} from '#contracts/vtj/mapper';
import {
  VtjContractError,
  buildVtjRequestBody,
  buildVtjResponse,
  parseVtjSoapResponse,
  readVtjRequestBody,
  readVtjResponseBody,
  isVtjFaultResponse,
  type VtjAnswer,
  type VtjHenkilo,
  type VtjHenkiloVastaussanoma,
} from '#contracts/vtj/wire';
import { buildSoapResponse } from '#contracts/xroad/soap';
import { parseXml } from '#contracts/xroad/xml';

const SAMPLES = fileURLToPath(new URL('../../contracts/vtj/samples/', import.meta.url));
const sample = (name: string): string => readFileSync(`${SAMPLES}${name}.xml`, 'utf8');
const outcomeOf = (name: string): VtjLookupOutcomeV1 => mapVtjResponse(parseVtjSoapResponse(sample(name)).sanoma);

/** The answer message of a sample that holds one (not VTJ's fault answer). */
const vastaussanoma = (answer: VtjAnswer): VtjHenkiloVastaussanoma => {
  if (isVtjFaultResponse(answer)) throw new Error('expected a VTJHenkiloVastaussanoma, got a fault answer');
  return answer;
};

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

const person = (overrides: Partial<PersonV1>): PersonV1 => ({
  hetu: '',
  lastName: '',
  firstNames: '',
  kotikunta: null,
  address: null,
  turvakielto: false,
  dateOfDeath: null,
  nationalities: [],
  // The recorded samples carry no SuomenKansalaisuusTietokoodi: citizenship follows their nationalities.
  citizenship: overrides.nationalities?.includes('FIN') ? 'citizen' : overrides.nationalities?.length ? 'not-citizen' : 'unknown',
  nativeLanguage: 'und',
  ...overrides,
});

/** What each recorded sample maps to. */
const EXPECTED: Record<string, VtjLookupOutcomeV1> = {
  'found-plain': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '130580-9014',
      lastName: 'Nguyen',
      firstNames: 'Van An',
      kotikunta: { code: '905', since: '2024-06-01' },
      address: { street: 'Kauppapuistikko 5 B 12', postalCode: '65100', postOffice: 'VAASA' },
      nationalities: ['VNM'],
      nativeLanguage: 'vi',
    }),
  },
  'found-swedish-only': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '021175-902L',
      lastName: 'Andersson',
      firstNames: 'Erik Johan',
      kotikunta: { code: '545', since: '2022-03-01' },
      address: { street: 'Storgatan 3', postalCode: '64200', postOffice: 'NÄRPES' },
      nationalities: ['SWE'],
      nativeLanguage: 'sv',
    }),
  },
  'found-bilingual-leading-zeros': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '290292-9036',
      lastName: 'Ahmadi',
      firstNames: 'Zahra',
      kotikunta: { code: '091', since: '2025-01-10' },
      address: { street: 'Mannerheimintie 10 A 5', postalCode: '00100', postOffice: 'HELSINKI' },
      nationalities: ['AFG'],
      nativeLanguage: 'fa',
    }),
  },
  'found-arabic-script': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '210788-9042',
      lastName: 'حداد',
      firstNames: 'أمينة سارة',
      kotikunta: { code: '049', since: '2025-02-01' },
      address: { street: 'Kauppamiehentie 6 A 1', postalCode: '02150', postOffice: 'ESPOO' },
      nationalities: ['SYR'],
      nativeLanguage: 'ar',
    }),
  },
  'found-cyrillic': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '150190-905W',
      lastName: 'Шевченко',
      firstNames: 'Олена Петрівна',
      kotikunta: { code: '837', since: '2022-04-05' },
      address: { street: 'Hämeenkatu 20 B 7', postalCode: '33200', postOffice: 'TAMPERE' },
      nationalities: ['UKR'],
      nativeLanguage: 'uk',
    }),
  },
  'found-several-nationalities': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '080385-906R',
      lastName: 'Hassan',
      firstNames: 'Abdi Ahmed',
      kotikunta: { code: '853', since: '2023-12-01' },
      address: { street: 'Humalistonkatu 12 C 40', postalCode: '20100', postOffice: 'TURKU' },
      // 736 (Sudan before 2011) is read as today's Sudan.
      nationalities: ['GBR', 'SDN', 'SOM'],
      nativeLanguage: 'so',
    }),
  },
  'found-empty-dates': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '311279-907A',
      lastName: 'Okafor',
      firstNames: 'Chinedu',
      kotikunta: { code: '005', since: null },
      address: null,
      nationalities: [],
      nativeLanguage: 'und',
    }),
  },
  'found-abroad': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '300695-9080',
      lastName: 'Al-Jabouri',
      firstNames: 'Karim',
      kotikunta: { code: '200', since: '2023-01-15' },
      address: null,
      nationalities: ['IRQ'],
      nativeLanguage: 'und',
    }),
  },
  'turvakielto-with-address': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '040470-9096',
      lastName: 'Tesfaye',
      firstNames: 'Hana',
      kotikunta: { code: '564', since: '2024-09-01' },
      address: null,
      turvakielto: true,
      nationalities: ['ERI'],
      nativeLanguage: 'ti',
    }),
  },
  'deceased-0007': {
    outcome: 'deceased',
    paluukoodi: '0007',
    person: person({
      hetu: '101060-910B',
      lastName: 'Ivanova',
      firstNames: 'Tatjana',
      kotikunta: { code: '609', since: '2015-03-01' },
      address: { street: 'Yrjönkatu 8 B 2', postalCode: '28100', postOffice: 'PORI' },
      dateOfDeath: '2025-03-14',
      nationalities: ['RUS'],
      nativeLanguage: 'ru',
    }),
  },
  'passive-0002': { outcome: 'passive', paluukoodi: '0002', activeHetu: '051087-9147' },
  'not-found-0001': { outcome: 'not-found', paluukoodi: '0001' },
  'not-found-fault-0001': { outcome: 'not-found', paluukoodi: '0001' },
  'found-citizen-tietokoodi-only': {
    outcome: 'found',
    paluukoodi: '0000',
    person: person({
      hetu: '150372-9178',
      lastName: 'Rautio',
      firstNames: 'Leena Maria',
      kotikunta: { code: '905', since: '2019-08-01' },
      address: { street: 'Hovioikeudenpuistikko 9 C 31', postalCode: '65100', postOffice: 'VAASA' },
      nationalities: [],
      citizenship: 'citizen',
      nativeLanguage: 'fi',
    }),
  },
  'not-disclosable-0019': { outcome: 'not-disclosable', paluukoodi: '0019' },
};

describe('recorded VTJ samples', () => {
  const names = readdirSync(SAMPLES)
    .filter((file) => file.endsWith('.xml'))
    .map((file) => file.replace(/\.xml$/, ''));

  it('every sample has an expected outcome here (or is the error sample)', () => {
    expect(names.filter((name) => name !== 'error-negative').sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s maps to its canonical outcome', (name, expected) => {
    expect(outcomeOf(name)).toEqual(expected);
  });

  it('the negative code sample is an error carrying VTJ’s meaning', () => {
    const error = errorOf(() => outcomeOf('error-negative'));
    expect(error).toBeInstanceOf(VtjPaluukoodiError);
    expect((error as VtjPaluukoodiError).paluukoodi).toBe('-0005');
    expect((error as VtjPaluukoodiError).meaning).toBe('Tekninen virhe');
    expect((error as VtjPaluukoodiError).kind).toBe('vtj-error');
    expect((error as VtjPaluukoodiError).transient).toBe(false);
    expect(error.message).not.toContain('051087-9147');
  });

  it('keeps leading zeros of municipality and country codes on the wire', () => {
    const sanoma = vastaussanoma(parseVtjSoapResponse(sample('found-empty-dates')).sanoma);
    expect(sanoma.Henkilo?.Kotikunta?.Kuntanumero).toBe('005');
    const zeros = vastaussanoma(parseVtjSoapResponse(sample('found-bilingual-leading-zeros')).sanoma);
    expect(zeros.Henkilo?.Kotikunta?.Kuntanumero).toBe('091');
    expect(zeros.Henkilo?.Kansalaisuus.map((k) => k.Kansalaisuuskoodi3)).toEqual(['004']);
    expect(zeros.Henkilo?.VakinainenKotimainenLahiosoite?.Postinumero).toBe('00100');
    expect(zeros.Paluukoodi.koodi).toBe('0000');
  });

  it('reads the echoed X-Road headers of a sample', () => {
    const { headers } = parseVtjSoapResponse(sample('found-plain'));
    expect(headers?.service).toMatchObject({ memberCode: '0245437-2', subsystemCode: 'VTJkysely', serviceCode: 'HenkilonTunnusKysely' });
    expect(headers?.protocolVersion).toBe('4.0');
  });
});

const henkilo = (overrides: Partial<VtjHenkilo> = {}): VtjHenkilo => ({
  Henkilotunnus: { value: '130580-9014', voimassaolokoodi: '1' },
  NykyinenSukunimi: { Sukunimi: 'Nguyen' },
  NykyisetEtunimet: { Etunimet: 'Van An' },
  VakinainenKotimainenLahiosoite: {
    LahiosoiteS: 'Kauppapuistikko 5 B 12',
    LahiosoiteR: 'Handelsesplanaden 5 B 12',
    Postinumero: '65100',
    PostitoimipaikkaS: 'VAASA',
    PostitoimipaikkaR: 'VASA',
    AsuminenAlkupvm: '20240601',
    AsuminenLoppupvm: '',
  },
  Kotikunta: { Kuntanumero: '905', KuntaS: 'Vaasa', KuntaR: 'Vasa', KuntasuhdeAlkupvm: '20240601' },
  Kuolintiedot: { Kuollut: '', Kuolinpvm: '' },
  Aidinkieli: { Kielikoodi: 'vi', KieliS: '', KieliR: '' },
  Turvakielto: { TurvakieltoTieto: '', TurvakieltoPaattymispvm: '' },
  SuomenKansalaisuusTietokoodi: '',
  Kansalaisuus: [{ Kansalaisuuskoodi3: '704', KansalaisuusS: '', KansalaisuusR: '' }],
  ...overrides,
});

const answer = (koodi: string, h?: VtjHenkilo, teksti = ''): VtjHenkiloVastaussanoma => ({
  sanomatunnus: 'PERUSJHHS2',
  tietojenPoimintaaika: '20261015120000',
  Paluukoodi: { koodi, teksti },
  Henkilo: h,
});

describe('Paluukoodi -> outcome', () => {
  it.each([
    ['0001', 'not-found'],
    ['0006', 'not-found'],
    ['0019', 'not-disclosable'],
  ])('%s is %s, whatever Henkilo VTJ sent along', (koodi, outcome) => {
    expect(mapVtjResponse(answer(koodi))).toEqual({ outcome, paluukoodi: koodi });
    expect(mapVtjResponse(answer(koodi, henkilo()))).toEqual({ outcome, paluukoodi: koodi });
  });

  it('0000 is found, with the person', () => {
    const outcome = mapVtjResponse(answer('0000', henkilo()));
    expect(outcome.outcome).toBe('found');
  });

  it('0000 without a Henkilo is a contract error', () => {
    const error = errorOf(() => mapVtjResponse(answer('0000')));
    expect(error).toBeInstanceOf(VtjContractError);
    expect((error as VtjContractError).code).toBe('found-without-person');
  });

  it('0002 is passive; the active code only when VTJ marks one valid and it differs from the one asked', () => {
    expect(mapVtjResponse(answer('0002'))).toEqual({ outcome: 'passive', paluukoodi: '0002', activeHetu: null });
    expect(mapVtjResponse(answer('0002', henkilo()))).toEqual({ outcome: 'passive', paluukoodi: '0002', activeHetu: '130580-9014' });
    expect(mapVtjResponse(answer('0002', henkilo()), { requestedHetu: '130580-9014' })).toMatchObject({ activeHetu: null });
    const passiveOnly = henkilo({ Henkilotunnus: { value: '130580-9014', voimassaolokoodi: '0' } });
    expect(mapVtjResponse(answer('0002', passiveOnly))).toMatchObject({ activeHetu: null });
  });

  it('0007 is deceased, with what VTJ still gives (or nothing)', () => {
    const dead = henkilo({ Kuolintiedot: { Kuollut: '1', Kuolinpvm: '20250314' } });
    expect(mapVtjResponse(answer('0007', dead))).toMatchObject({ outcome: 'deceased', person: { dateOfDeath: '2025-03-14' } });
    expect(mapVtjResponse(answer('0007'))).toEqual({ outcome: 'deceased', paluukoodi: '0007', person: null });
  });

  it('a negative code is a VTJ error with VTJ’s meaning, scrubbed of anything like a personal identity code', () => {
    const error = errorOf(() => mapVtjResponse(answer('-0010', undefined, 'Virhe henkilötunnuksessa 130580-9014'))) as VtjPaluukoodiError;
    expect(error).toBeInstanceOf(VtjPaluukoodiError);
    expect(error.kind).toBe('vtj-error');
    expect(error.paluukoodi).toBe('-0010');
    expect(error.meaning).not.toContain('130580-9014');
    expect(error.message).not.toContain('130580-9014');
  });

  it('a code the hub does not know is an error, never guessed at', () => {
    const error = errorOf(() => mapVtjResponse(answer('9999', henkilo(), 'Haku onnistui'))) as VtjPaluukoodiError;
    expect(error.kind).toBe('unexpected');
    expect(error.paluukoodi).toBe('9999');
  });
});

describe('VTJ fault answer (response/faultCode) -> outcome', () => {
  const fault = (faultCode: string, faultString = ''): VtjAnswer => ({ faultCode, faultString });

  it.each([
    ['0001', 'not-found'],
    ['0006', 'not-found'],
    ['0019', 'not-disclosable'],
  ])('faultCode %s is %s: an answer about the person, not a broken contract', (code, outcome) => {
    expect(mapVtjResponse(fault(code, 'Hakuperusteella ei löydy tietoja vtj:stä'))).toEqual({ outcome, paluukoodi: code });
  });

  it('a negative faultCode is a VTJ error, permanent, its text scrubbed', () => {
    const error = errorOf(() => mapVtjResponse(fault('-0010', 'Virhe henkilötunnuksessa 130580-9014'))) as VtjPaluukoodiError;
    expect(error).toBeInstanceOf(VtjPaluukoodiError);
    expect(error.kind).toBe('vtj-error');
    expect(error.transient).toBe(false);
    expect(error.message).not.toContain('130580-9014');
  });

  it('an unknown faultCode stays permanent, with the code in the reason', () => {
    const error = errorOf(() => mapVtjResponse(fault('0042', 'Tuntematon'))) as VtjPaluukoodiError;
    expect(error.kind).toBe('unexpected-fault');
    expect(error.code).toBe('unexpected-fault:0042');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('faultCode the hub does not handle: 0042');
  });

  it('a faultCode shaped like a personal identity code never reaches the reason', () => {
    const error = errorOf(() => mapVtjResponse(fault('130580-9014'))) as VtjPaluukoodiError;
    expect(error.message).not.toContain('130580-9014');
    expect(error.code).not.toContain('130580-9014');
  });

  it('reads the fault answer out of the SOAP body, and refuses one without a faultCode', () => {
    const body = parseXml(buildVtjResponse(fault('0001', 'Ei löydy')));
    expect(readVtjResponseBody(body)).toEqual({ faultCode: '0001', faultString: 'Ei löydy' });
    const empty = parseXml('<HenkilonTunnusKyselyResponse><response><faultString>x</faultString></response></HenkilonTunnusKyselyResponse>');
    expect((errorOf(() => readVtjResponseBody(empty)) as VtjContractError).code).toBe('no-vastaussanoma');
  });
});

describe('Finnish citizenship, from whichever element the product sends', () => {
  it.each<[string, VtjHenkilo['Kansalaisuus'], PersonV1['citizenship']]>([
    ['1', [], 'citizen'],
    ['1', [{ Kansalaisuuskoodi3: '706', KansalaisuusS: '', KansalaisuusR: '' }], 'citizen'],
    ['0', [], 'not-citizen'],
    ['', [{ Kansalaisuuskoodi3: '246', KansalaisuusS: '', KansalaisuusR: '' }], 'citizen'],
    ['', [{ Kansalaisuuskoodi3: '704', KansalaisuusS: '', KansalaisuusR: '' }], 'not-citizen'],
    ['0', [{ Kansalaisuuskoodi3: '246', KansalaisuusS: '', KansalaisuusR: '' }], 'citizen'],
    ['', [], 'unknown'],
  ])('SuomenKansalaisuusTietokoodi %j with nationalities %j is %s', (tieto, kansalaisuus, citizenship) => {
    const mapped = mapVtjHenkilo(henkilo({ SuomenKansalaisuusTietokoodi: tieto, Kansalaisuus: kansalaisuus }));
    expect(mapped.citizenship).toBe(citizenship);
    expect(isFinnishCitizen(mapped)).toBe(citizenship === 'citizen');
  });

  it('refuses a SuomenKansalaisuusTietokoodi other than 1, 0 or empty, naming the field', () => {
    const xml = buildVtjResponse(answer('0000', henkilo({ SuomenKansalaisuusTietokoodi: '1' }))).replace(
      '<SuomenKansalaisuusTietokoodi>1<',
      '<SuomenKansalaisuusTietokoodi>K<',
    );
    const error = errorOf(() => readVtjResponseBody(parseXml(xml)));
    expect(error).toBeInstanceOf(VtjContractError);
    expect(error.message).toContain('SuomenKansalaisuusTietokoodi');
  });
});

describe('Henkilo -> canonical person', () => {
  it('a protected person has no address, even when the wire had one', () => {
    const protectedPerson = mapVtjHenkilo(henkilo({ Turvakielto: { TurvakieltoTieto: '1', TurvakieltoPaattymispvm: '20300101' } }));
    expect(protectedPerson.turvakielto).toBe(true);
    expect(protectedPerson.address).toBeNull();
    expect(JSON.stringify(protectedPerson)).not.toContain('Kauppapuistikko');
  });

  it('the canonical schema refuses an address on a protected person', () => {
    const attempt = personV1.safeParse({ ...mapVtjHenkilo(henkilo()), turvakielto: true });
    expect(attempt.success).toBe(false);
  });

  it('takes Finnish texts, each field falling back to Swedish', () => {
    expect(
      mapAddress({ LahiosoiteS: '', LahiosoiteR: 'Storgatan 3', Postinumero: '64200', PostitoimipaikkaS: 'NÄRPIÖ', PostitoimipaikkaR: 'NÄRPES', AsuminenAlkupvm: '', AsuminenLoppupvm: '' }),
    ).toEqual({ street: 'Storgatan 3', postalCode: '64200', postOffice: 'NÄRPIÖ' });
    expect(
      mapAddress({ LahiosoiteS: 'Katu 1', LahiosoiteR: '', Postinumero: '', PostitoimipaikkaS: 'X', PostitoimipaikkaR: '', AsuminenAlkupvm: '', AsuminenLoppupvm: '' }),
    ).toBeNull();
    expect(mapAddress(undefined)).toBeNull();
  });

  it('maps nationalities numeric -> alpha-3, sorted and distinct; unknown codes to XXX', () => {
    expect(mapNationalities(['246'])).toEqual(['FIN']);
    expect(mapNationalities(['760', '246', '760'])).toEqual(['FIN', 'SYR']);
    expect(mapNationalities(['004', '4'])).toEqual(['AFG']);
    expect(mapNationalities(['230', '736'])).toEqual(['ETH', 'SDN']);
    expect(mapNationalities(['999', ''])).toEqual(['XXX']);
    expect(nationalityToVtj('FIN')).toBe('246');
    expect(nationalityToVtj('XXX')).toBe('998');
  });

  it.each([
    ['fi', 'fi'],
    ['SV', 'sv'],
    ['98', 'und'],
    ['99', 'und'],
    ['', 'und'],
    ['iw', 'he'],
    ['xyz', 'und'],
  ])('native language %s -> %s', (wire, canonical) => {
    expect(mapLanguage(wire)).toBe(canonical);
  });

  it('reads vvvvkkpp dates, empty as null, incomplete ones as their first day', () => {
    expect(vtjDateToIso('20240229')).toBe('2024-02-29');
    expect(vtjDateToIso('')).toBeNull();
    expect(vtjDateToIso('00000000')).toBeNull();
    expect(vtjDateToIso('19800000')).toBe('1980-01-01');
    expect(vtjDateToIso('19800700')).toBe('1980-07-01');
    const error = errorOf(() => vtjDateToIso('20230230', 'Kotikunta.KuntasuhdeAlkupvm'));
    expect(error).toBeInstanceOf(VtjContractError);
    expect(error.message).toContain('Kotikunta.KuntasuhdeAlkupvm');
    expect(error.message).not.toContain('20230230');
  });

  it('names the fields, never the values, when a Henkilo cannot be a canonical person', () => {
    const error = errorOf(() => mapVtjHenkilo(henkilo({ Henkilotunnus: { value: '130580-9015', voimassaolokoodi: '1' }, NykyinenSukunimi: { Sukunimi: '' } })));
    expect(error).toBeInstanceOf(VtjContractError);
    expect(error.message).toContain('hetu');
    expect(error.message).toContain('lastName');
    expect(error.message).not.toContain('130580-9015');
  });
});

describe('wire builders', () => {
  it('round-trips an answer: wire -> XML -> wire', () => {
    const wire = answer('0000', henkilo({ Kansalaisuus: [{ Kansalaisuuskoodi3: '004', KansalaisuusS: 'Afganistan', KansalaisuusR: '' }, { Kansalaisuuskoodi3: '246', KansalaisuusS: '', KansalaisuusR: '' }] }), 'Haku onnistui');
    const body = parseXml(buildVtjResponse(wire));
    expect(readVtjResponseBody(body)).toEqual(wire);
  });

  it('round-trips the request, and the answer echoes it without the password', () => {
    const request = { SoSoNimi: 'PERUSJHHS2', Kayttajatunnus: 'kotohub', Salasana: 's3cret&<', Loppukayttaja: 'koto-hub', Henkilotunnus: '130580-9014' };
    expect(readVtjRequestBody(parseXml(buildVtjRequestBody(request)))).toEqual(request);
    expect(buildVtjResponse(answer('0001'), request)).not.toContain('s3cret');
  });

  it('a whole SOAP answer built by the hub parses like a recorded one', () => {
    const headersOf = parseVtjSoapResponse(sample('found-plain')).headers;
    expect(headersOf).not.toBeNull();
    const xml = buildSoapResponse(headersOf!, buildVtjResponse(answer('0000', henkilo())));
    expect(mapVtjResponse(parseVtjSoapResponse(xml).sanoma)).toMatchObject({ outcome: 'found', person: { hetu: '130580-9014', nationalities: ['VNM'] } });
  });

  it('refuses a Paluukoodi that is not a four-digit code, naming the field', () => {
    const xml = buildVtjResponse(answer('0000', henkilo())).replace('koodi="0000"', 'koodi="OK"');
    const error = errorOf(() => readVtjResponseBody(parseXml(xml)));
    expect(error).toBeInstanceOf(VtjContractError);
    expect(error.message).toContain('Paluukoodi.koodi');
  });

  it('refuses a body with neither a VTJHenkiloVastaussanoma nor a fault answer', () => {
    expect((errorOf(() => readVtjResponseBody(parseXml('<Other/>'))) as VtjContractError).code).toBe('no-vastaussanoma');
  });
});

describe('ISO 3166 table', () => {
  it('holds all 249 countries, unique both ways', () => {
    expect(ISO3166_COUNTRIES).toHaveLength(249);
    expect(new Set(ISO3166_COUNTRIES.map(([numeric]) => numeric)).size).toBe(249);
    expect(new Set(ISO3166_COUNTRIES.map(([, alpha3]) => alpha3)).size).toBe(249);
    for (const [numeric, alpha3] of ISO3166_COUNTRIES) {
      expect(numericToAlpha3(numeric)).toBe(alpha3);
      expect(alpha3ToNumeric(alpha3)).toBe(numeric);
    }
  });

  it('knows Finland and the Nordic neighbours', () => {
    expect(numericToAlpha3('246')).toBe('FIN');
    expect(numericToAlpha3('752')).toBe('SWE');
    expect(numericToAlpha3('578')).toBe('NOR');
    expect(numericToAlpha3('248')).toBe('ALA');
    expect(numericToAlpha3('abc')).toBeUndefined();
    expect(alpha3ToNumeric('fin')).toBe('246');
  });
});
