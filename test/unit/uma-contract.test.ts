import { describe, expect, it } from 'vitest';
import { residenceV1, type ResidenceV1 } from '#contracts/canonical/residence';
import { residenceGrounds } from '#contracts/population';
import { GROUND_TO_PERUSTE, PERUSTE_TO_GROUND, mapUmaList, mapUmaPerson, toUmaPersonResponse } from '#contracts/uma/mapper';
import {
  UMA_NS,
  UMA_PERSON_SERVICE,
  UmaContractError,
  buildUmaListRequest,
  buildUmaListResponse,
  buildUmaPersonRequest,
  buildUmaPersonResponse,
  parseUmaListSoapResponse,
  parseUmaPersonSoapResponse,
  readUmaListRequest,
  readUmaPersonRequest,
  readUmaPersonResponse,
  umaPersonServiceId,
  type UmaListResponse,
  type UmaPersonResponse,
} from '#contracts/uma/wire';
import { XRoadFault } from '#contracts/xroad/errors';
import { buildSoapFault, buildSoapResponse, type XRoadEchoedHeaders } from '#contracts/xroad/soap';
import { parseXml } from '#contracts/xroad/xml';

const HETU = '210788-9042';
const AS_OF = '2026-11-01';

const echoed: XRoadEchoedHeaders = {
  client: { xRoadInstance: 'FI-TEST', memberClass: 'MUN', memberCode: '0209602-6', subsystemCode: 'koto-hub' },
  service: umaPersonServiceId('FI-TEST'),
  id: '6a0f4c2e-8a43-4b1e-9d7c-3f5e2a1b0c9d',
  userId: 'koto-hub',
  protocolVersion: '4.0',
};

/** A found residence; its one permit follows the type, ground and first date given, unless `permits` is. */
const residence = (overrides: Partial<ResidenceV1> = {}): ResidenceV1 => {
  const base = {
    hetu: HETU,
    found: true,
    firstPermitDate: '2024-05-02',
    permitType: 'A' as const,
    ground: 'international-protection' as const,
    quotaRefugee: false,
    traffickingVictim: false,
    compensation: { eligible: true, until: '2027-05-01' },
    firstHomeMunicipality: null,
    finnishCitizenSince: null,
    traffickingVictimPeriod: null,
    familyLinks: [],
    ...overrides,
  };
  const onePermit =
    base.firstPermitDate && base.permitType && base.ground
      ? [{ permitType: base.permitType, ground: base.ground, grantedOn: base.firstPermitDate, from: base.firstPermitDate, until: null }]
      : [];
  return { ...base, permits: overrides.permits ?? onePermit };
};

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

/** canonical -> wire -> XML -> SOAP -> parse -> wire -> canonical */
const roundTrip = (canonical: ResidenceV1): ResidenceV1 => {
  const xml = buildSoapResponse(echoed, buildUmaPersonResponse(toUmaPersonResponse(canonical, AS_OF)));
  return mapUmaPerson(parseUmaPersonSoapResponse(xml).answer);
};

describe('UMA person query', () => {
  it.each(residenceGrounds)('round-trips a residence on the ground %s', (ground) => {
    const canonical = residence({ ground, permitType: ground === 'eu-registration' ? 'EU' : 'B' });
    expect(roundTrip(canonical)).toEqual(canonical);
  });

  it('round-trips a quota refugee, a victim of trafficking, and compensation that has ended', () => {
    const canonical = residence({ quotaRefugee: true, traffickingVictim: true, compensation: { eligible: false, until: '2025-01-31' } });
    expect(roundTrip(canonical)).toEqual(canonical);
  });

  it('round-trips a person UMA does not know', () => {
    const none = residence({ found: false, firstPermitDate: null, permitType: null, ground: null, compensation: { eligible: false, until: null } });
    expect(roundTrip(none)).toEqual(none);
  });

  it('round-trips what the compensation rules read: permit history, first home municipality, citizenship, trafficking period, family links', () => {
    const canonical = residence({
      ground: 'family',
      traffickingVictim: true,
      permits: [
        { permitType: 'B', ground: 'humanitarian-protection', grantedOn: '2018-03-01', from: '2018-03-05', until: '2022-03-04' },
        { permitType: 'A', ground: 'family', grantedOn: '2022-02-20', from: '2022-03-05', until: null },
      ],
      firstPermitDate: '2018-03-01',
      permitType: 'A',
      firstHomeMunicipality: { code: '905', since: '2018-04-01' },
      finnishCitizenSince: '2025-06-30',
      traffickingVictimPeriod: { from: '2019-01-01', until: null },
      familyLinks: [
        { hetu: '010112A902M', relation: 'child' },
        { hetu: HETU, relation: 'spouse' },
      ],
    });
    expect(roundTrip(canonical)).toEqual(canonical);
  });

  it('reads an answer written before the compensation elements as having none of them', () => {
    const xml = buildUmaPersonResponse(toUmaPersonResponse(residence(), AS_OF))
      .replace(/<uma:EnsimmainenKotikunta\/>|<uma:SuomenKansalaisuusPvm\/>|<uma:IhmiskaupanUhriJakso\/>|<uma:Perhesiteet\/>/g, '');
    expect(xml).not.toContain('Perhesiteet');
    expect(mapUmaPerson(readUmaPersonResponse(parseXml(xml)))).toEqual(residence());
  });

  it('reads a canonical residence written before these fields (a redriven lookup) with none of them', () => {
    const { permits: _p, firstHomeMunicipality: _f, finnishCitizenSince: _c, traffickingVictimPeriod: _t, familyLinks: _l, ...older } = residence();
    expect(residenceV1.parse(older)).toEqual({ ...older, permits: [], firstHomeMunicipality: null, finnishCitizenSince: null, traffickingVictimPeriod: null, familyLinks: [] });
  });

  it('refuses a trafficking period for a person who is not a recorded victim, and family links of no record', () => {
    const wire = toUmaPersonResponse(residence(), AS_OF);
    const error = errorOf(() => buildUmaPersonResponse({ ...wire, IhmiskaupanUhriJakso: { AlkuPvm: '2020-01-01', LoppuPvm: null } }));
    expect(error.message).toContain('IhmiskaupanUhriJakso');
    const none = toUmaPersonResponse(residence({ found: false }), AS_OF);
    expect(errorOf(() => buildUmaPersonResponse({ ...none, Perhesiteet: [{ Henkilotunnus: HETU, Suhde: 'LAPSI' }] })).message).toContain('Perhesiteet');
  });

  it('maps every wire ground to a canonical one and back', () => {
    for (const [peruste, ground] of Object.entries(PERUSTE_TO_GROUND)) expect(GROUND_TO_PERUSTE[ground]).toBe(peruste);
    expect(Object.keys(GROUND_TO_PERUSTE).sort()).toEqual([...residenceGrounds].sort());
  });

  it('takes type and ground from the permit granted last, and the first date from Migri’s own record', () => {
    const wire: UmaPersonResponse = {
      ...toUmaPersonResponse(residence(), AS_OF),
      EnsimmainenOleskeluoikeusPvm: '2022-09-01',
      Oleskeluluvat: [
        { Lupatyyppi: 'B', Lainkohta: '78 §', Peruste: 'OPISKELU', Myontamispvm: '2022-09-01', AlkuPvm: '2022-09-01', LoppuPvm: '2024-08-31' },
        { Lupatyyppi: 'A', Lainkohta: '87 §', Peruste: 'KANSAINVALINEN_SUOJELU', Myontamispvm: '2024-05-02', AlkuPvm: '2024-05-02', LoppuPvm: null },
      ],
    };
    expect(mapUmaPerson(wire)).toMatchObject({ firstPermitDate: '2022-09-01', permitType: 'A', ground: 'international-protection' });
    expect(mapUmaPerson({ ...wire, EnsimmainenOleskeluoikeusPvm: null })).toMatchObject({ firstPermitDate: '2022-09-01' });
  });

  it('round-trips the request', () => {
    const request = { Henkilotunnus: HETU, Tilannepaiva: AS_OF, Loppukayttaja: 'koto-hub' };
    const xml = buildUmaPersonRequest(request);
    expect(parseXml(xml).namespace).toBe(UMA_NS);
    expect(readUmaPersonRequest(parseXml(xml))).toEqual(request);
  });

  it('reads the answer whatever prefix the sender used', () => {
    const xml = buildUmaPersonResponse(toUmaPersonResponse(residence(), AS_OF))
      .replaceAll('<uma:', '<m:')
      .replaceAll('</uma:', '</m:')
      .replace('xmlns:uma=', 'xmlns:m=');
    expect(parseXml(xml).namespace).toBe(UMA_NS);
    expect(mapUmaPerson(readUmaPersonResponse(parseXml(xml)))).toEqual(residence());
  });

  it('refuses a ground outside the contract, naming the field and not the person', () => {
    const xml = buildUmaPersonResponse(toUmaPersonResponse(residence(), AS_OF)).replace('KANSAINVALINEN_SUOJELU', 'TUNTEMATON');
    const error = errorOf(() => readUmaPersonResponse(parseXml(xml)));
    expect(error).toBeInstanceOf(UmaContractError);
    expect(error.message).toContain('Oleskeluluvat.0.Peruste');
    expect(error.message).not.toContain(HETU);
  });

  it('refuses a boolean that is not true or false', () => {
    const xml = buildUmaPersonResponse(toUmaPersonResponse(residence(), AS_OF)).replace('<uma:Kiintiopakolainen>false', '<uma:Kiintiopakolainen>ehkä');
    expect(errorOf(() => readUmaPersonResponse(parseXml(xml))).message).toContain('Kiintiopakolainen');
  });

  it('a SOAP fault becomes an XRoadFault naming the service', () => {
    const error = errorOf(() => parseUmaPersonSoapResponse(buildSoapFault({ faultCode: 'Server.ServerProxy.ServiceFailed', faultString: `boom ${HETU}` })));
    expect(error).toBeInstanceOf(XRoadFault);
    expect((error as XRoadFault).transient).toBe(true);
    expect(error.message).toContain(UMA_PERSON_SERVICE.serviceCode);
    expect(error.message).not.toContain(HETU);
  });

  it('the canonical schema refuses flags on a record that was not found', () => {
    expect(residenceV1.safeParse(residence({ found: false, firstPermitDate: null, permitType: null, ground: null, compensation: { eligible: false, until: null }, quotaRefugee: true })).success).toBe(false);
  });
});

describe('UMA list of protection recipients', () => {
  const page: UmaListResponse = {
    Kuntakoodi: '049',
    Sivu: 1,
    SivunKoko: 2,
    Yhteensa: 3,
    Henkilot: [
      { Henkilotunnus: HETU, Peruste: 'KANSAINVALINEN_SUOJELU', Kiintiopakolainen: true, IhmiskaupanUhri: false, EnsimmainenOleskeluoikeusPvm: '2024-05-02' },
      // A malformed code travels as it is; the hub quarantines it.
      { Henkilotunnus: '210788-904X', Peruste: 'TYO', Kiintiopakolainen: false, IhmiskaupanUhri: true, EnsimmainenOleskeluoikeusPvm: null },
    ],
  };

  it('round-trips a page, with hasMore from the totals', () => {
    const xml = buildSoapResponse({ ...echoed, service: { ...echoed.service, serviceCode: 'SuojelunSaajatKysely' } }, buildUmaListResponse(page));
    const { answer } = parseUmaListSoapResponse(xml);
    expect(answer).toEqual(page);
    expect(mapUmaList(answer)).toEqual({
      municipality: '049',
      page: 1,
      pageSize: 2,
      total: 3,
      hasMore: true,
      recipients: [
        { hetu: HETU, ground: 'international-protection', quotaRefugee: true, traffickingVictim: false, firstPermitDate: '2024-05-02' },
        { hetu: '210788-904X', ground: 'work', quotaRefugee: false, traffickingVictim: true, firstPermitDate: null },
      ],
    });
    expect(mapUmaList({ ...page, Sivu: 2, Henkilot: [] }).hasMore).toBe(false);
  });

  it('round-trips the request, defaulting page and size', () => {
    const request = { Kuntakoodi: '049', Sivu: 3, SivunKoko: 50 };
    expect(readUmaListRequest(parseXml(buildUmaListRequest(request)))).toEqual(request);
    expect(readUmaListRequest(parseXml(`<SuojelunSaajatKysely xmlns="${UMA_NS}"><Kuntakoodi>049</Kuntakoodi></SuojelunSaajatKysely>`))).toEqual({ Kuntakoodi: '049', Sivu: 1, SivunKoko: 100 });
  });

  it('refuses a page with more persons than its size, and a municipality code without leading zeros', () => {
    expect(() => buildUmaListResponse({ ...page, SivunKoko: 1 })).toThrow(UmaContractError);
    expect(() => buildUmaListRequest({ Kuntakoodi: '49', Sivu: 1, SivunKoko: 10 })).toThrow(UmaContractError);
  });
});
