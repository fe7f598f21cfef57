import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import type { FixturePerson, FixtureResidence } from '#contracts/population';
import { mapUmaList, mapUmaPerson } from '#contracts/uma/mapper';
import {
  UmaContractError,
  buildUmaListRequest,
  buildUmaPersonRequest,
  parseUmaListSoapResponse,
  parseUmaPersonSoapResponse,
  umaListServiceId,
  umaPersonServiceId,
} from '#contracts/uma/wire';
import {
  VTJ_MUTPA_KIRJAUSAVAIN_PATH,
  VTJ_MUTPA_MUUTOKSET_PATH,
  buildDeathChange,
  buildMoveChange,
  mapVtjChanges,
  parseKirjausavainResponse,
  parseMuutoksetResponse,
  vtjMutpaServiceId,
} from '#contracts/vtj/changes';
import { VtjPaluukoodiError, mapVtjResponse } from '#contracts/vtj/mapper';
import { buildVtjRequestBody, isVtjFaultResponse, parseVtjSoapResponse, vtjServiceId, type VtjHenkiloVastaussanoma } from '#contracts/vtj/wire';
import { XRoadFault, faultFromRest } from '#contracts/xroad/errors';
import { parseXRoadRestError, xRoadRestHeaders, xRoadRestPath } from '#contracts/xroad/rest';
import { SoapEnvelopeError, buildSoapRequest, verifyEcho, type XRoadRequestHeaders, type XRoadServiceId } from '#contracts/xroad/soap';
import { XmlRejected } from '#contracts/xroad/xml';
import { FIRST_KIRJAUSAVAIN, createVtjMock, type VtjMock } from '#mocks/vtj';
import { createUmaMock } from '#mocks/uma';
import type { MockServer } from '#mocks/framework';

let serial = 100;
/** The answer message of a VTJ answer that holds one (not VTJ's fault answer). */
const vastaussanomaOf = (body: string): VtjHenkiloVastaussanoma => {
  const { sanoma } = parseVtjSoapResponse(body);
  if (isVtjFaultResponse(sanoma)) throw new Error('expected a VTJHenkiloVastaussanoma, got a fault answer');
  return sanoma;
};

const person = (overrides: Partial<FixturePerson> = {}): FixturePerson => ({
  hetu: makeHetu('1985-04-12', (serial += 1)),
  lastName: 'Haddad',
  firstNames: 'Amina Sara',
  dateOfDeath: null,
  nationalities: ['SYR'],
  nativeLanguage: 'ar',
  homeMunicipality: '905',
  homeMunicipalitySince: '2025-02-01',
  address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
  nonDisclosure: false,
  residence: null,
  kela: [],
  integration: { assessmentDate: null, planValidFrom: null, planValidUntil: null },
  ...overrides,
});

const residence = (overrides: Partial<FixtureResidence> = {}): FixtureResidence => ({
  firstPermitDate: '2024-05-02',
  permitType: 'A',
  ground: 'international-protection',
  quotaRefugee: false,
  traffickingVictim: false,
  ...overrides,
});

const plain = person({ residence: residence() });
const protectedPerson = person({ nonDisclosure: true, nationalities: ['ERI', 'SWE'], nativeLanguage: null, homeMunicipality: '091', homeMunicipalitySince: null });
const deceased = person({ dateOfDeath: '2025-03-14', nationalities: ['FIN', 'AFG'], homeMunicipality: '005' });
const quota = person({ residence: residence({ quotaRefugee: true, firstPermitDate: '2023-01-10' }) });
const trafficked = person({ homeMunicipality: '049', residence: residence({ ground: 'work', traffickingVictim: true }) });
const worker = person({ homeMunicipality: '049', residence: residence({ ground: 'work', permitType: 'B' }) });
const malformed = person({ hetu: '120485-1234' });
const child = makeHetu('2012-06-01', 402);
/** Everything the compensation rules read, recorded (in a municipality no list test asks about). */
const familyMember = person({
  homeMunicipality: '179',
  homeMunicipalitySince: null,
  residence: residence({
    ground: 'family',
    traffickingVictim: true,
    permits: [
      { permitType: 'B', ground: 'study', from: '2021-09-01', to: '2023-08-31' },
      { permitType: 'A', ground: 'family', from: '2023-09-01', to: null },
    ],
    firstHomeMunicipality: { code: '091', since: '2021-09-15' },
    finnishCitizenSince: '2026-03-01',
    traffickingVictimPeriod: { from: '2022-01-10', to: '2023-01-09' },
    family: [{ hetu: child, relation: 'child' }],
  }),
});
const population = { persons: [plain, protectedPerson, deceased, quota, trafficked, worker, malformed, familyMember] };

const CLIENT = { xRoadInstance: 'FI-TEST', memberClass: 'MUN', memberCode: '0209602-6', subsystemCode: 'koto-hub' };

const headersFor = (service: XRoadServiceId): XRoadRequestHeaders => ({
  client: CLIENT,
  service,
  id: randomUUID(),
  userId: 'koto-hub',
  protocolVersion: '4.0',
});

const post = async (url: string, body: string): Promise<{ status: number; body: string }> => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
  return { status: response.status, body: await response.text() };
};

describe('VTJ mock', () => {
  let vtj: VtjMock;
  beforeAll(async () => {
    vtj = await createVtjMock(population, { clock: () => new Date('2026-10-15T12:00:00Z') });
  });
  afterAll(() => vtj.close());
  beforeEach(() => vtj.reset());

  const query = async (hetu: string, headers = headersFor(vtjServiceId('FI-TEST'))) => {
    const body = buildVtjRequestBody({ SoSoNimi: 'PERUSJHHS2', Kayttajatunnus: 'kotohub', Salasana: 'x', Loppukayttaja: 'koto-hub', Henkilotunnus: hetu });
    const answer = await post(`${vtj.url}/`, buildSoapRequest(headers, body));
    return { ...answer, headers };
  };

  it('answers a known person 0000 over real HTTP on 127.0.0.1, echoing the X-Road headers', async () => {
    expect(vtj.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await query(plain.hetu);
    expect(answer.status).toBe(200);
    const parsed = parseVtjSoapResponse(answer.body);
    expect(() => verifyEcho(answer.headers, parsed.headers)).not.toThrow();
    expect(vastaussanomaOf(answer.body).tietojenPoimintaaika).toBe('20261015120000');
    expect(mapVtjResponse(parsed.sanoma)).toEqual({
      outcome: 'found',
      paluukoodi: '0000',
      person: {
        hetu: plain.hetu,
        lastName: 'Haddad',
        firstNames: 'Amina Sara',
        kotikunta: { code: '905', since: '2025-02-01' },
        address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
        turvakielto: false,
        dateOfDeath: null,
        nationalities: ['SYR'],
        citizenship: 'not-citizen',
        nativeLanguage: 'ar',
      },
    });
  });

  it('writes nationalities as numeric codes, dates as vvvvkkpp and municipality names on the wire', async () => {
    const sanoma = vastaussanomaOf((await query(deceased.hetu)).body);
    // As PERUSJHHS2 answers: Finnish citizenship as SuomenKansalaisuusTietokoodi, the others as groups.
    expect(sanoma.Henkilo?.Kansalaisuus.map((k) => k.Kansalaisuuskoodi3).sort()).toEqual(['004']);
    expect(sanoma.Henkilo?.SuomenKansalaisuusTietokoodi).toBe('1');
    expect(sanoma.Henkilo?.Kotikunta).toMatchObject({ Kuntanumero: '005', KuntaS: 'Alajärvi', KuntasuhdeAlkupvm: '20250201' });
    expect(sanoma.Henkilo?.Kuolintiedot).toEqual({ Kuollut: '1', Kuolinpvm: '20250314' });
  });

  it('answers an unknown or malformed code with the fault answer 0001, as VTJ does', async () => {
    for (const hetu of [makeHetu('1970-01-01', 999), malformed.hetu]) {
      const { sanoma } = parseVtjSoapResponse((await query(hetu)).body);
      expect(sanoma).toEqual({ faultCode: '0001', faultString: 'Hakuperusteella ei löydy tietoja vtj:stä' });
      expect(mapVtjResponse(sanoma)).toEqual({ outcome: 'not-found', paluukoodi: '0001' });
    }
  });

  it('can answer an unknown code with Paluukoodi 0001 instead', async () => {
    const paluukoodi = await createVtjMock(population, { unknownCodeAnswer: 'paluukoodi' });
    try {
      const body = buildVtjRequestBody({ SoSoNimi: 'PERUSJHHS2', Kayttajatunnus: 'k', Salasana: '', Loppukayttaja: 'koto-hub', Henkilotunnus: makeHetu('1970-01-01', 999) });
      const answer = await post(paluukoodi.url, buildSoapRequest(headersFor(vtjServiceId('FI-TEST')), body));
      const sanoma = vastaussanomaOf(answer.body);
      expect(sanoma.Paluukoodi.koodi).toBe('0001');
      expect(sanoma.Henkilo).toBeUndefined();
    } finally {
      await paluukoodi.close();
    }
  });

  it('answers a deceased person 0007 with the record', async () => {
    const outcome = mapVtjResponse(parseVtjSoapResponse((await query(deceased.hetu)).body).sanoma);
    expect(outcome).toMatchObject({ outcome: 'deceased', paluukoodi: '0007', person: { dateOfDeath: '2025-03-14', nationalities: ['AFG'], citizenship: 'citizen' } });
  });

  it('flags turvakielto and sends the address anyway; the mapper drops it', async () => {
    const answer = await query(protectedPerson.hetu);
    const sanoma = vastaussanomaOf(answer.body);
    expect(sanoma.Henkilo?.Turvakielto?.TurvakieltoTieto).toBe('1');
    expect(sanoma.Henkilo?.VakinainenKotimainenLahiosoite?.LahiosoiteS).toBe('Kauppapuistikko 1 A 2');
    const outcome = mapVtjResponse(sanoma);
    expect(outcome).toMatchObject({ outcome: 'found', person: { turvakielto: true, address: null, nativeLanguage: 'und', kotikunta: { code: '091', since: null } } });
  });

  it('can leave the address of a protected person out', async () => {
    const omitting = await createVtjMock(population, { turvakieltoAddress: 'omit' });
    try {
      const body = buildVtjRequestBody({ SoSoNimi: 'PERUSJHHS2', Kayttajatunnus: 'k', Salasana: '', Loppukayttaja: 'koto-hub', Henkilotunnus: protectedPerson.hetu });
      const answer = await post(omitting.url, buildSoapRequest(headersFor(vtjServiceId('FI-TEST')), body));
      expect(vastaussanomaOf(answer.body).Henkilo?.VakinainenKotimainenLahiosoite).toBeUndefined();
    } finally {
      await omitting.close();
    }
  });

  it('refuses a request for another service with an X-Road fault', async () => {
    const other = { ...vtjServiceId('FI-TEST'), serviceCode: 'Muu' };
    const answer = await query(plain.hetu, headersFor(other));
    expect(answer.status).toBe(500);
    const error = (() => {
      try {
        parseVtjSoapResponse(answer.body, { httpStatus: answer.status });
      } catch (e) {
        return e as XRoadFault;
      }
      throw new Error('expected a fault');
    })();
    expect(error).toBeInstanceOf(XRoadFault);
    expect(error.faultCode).toBe('Server.ServerProxy.UnknownService');
    expect(error.transient).toBe(false);
  });

  it('answers garbage with a Client.InvalidSoap fault', async () => {
    const answer = await post(vtj.url, '<not-soap');
    expect(() => parseVtjSoapResponse(answer.body)).toThrow(expect.objectContaining({ faultCode: 'Client.InvalidSoap', transient: false }));
  });

  describe('faults', () => {
    it('soapFault: a SOAP 1.1 fault envelope the hub reads as a transient XRoadFault', async () => {
      vtj.faults.set([{ route: 'vtj.person', times: 1, effect: { kind: 'soapFault', faultcode: 'Server.ClientProxy.NetworkError', faultstring: 'down' } }]);
      const answer = await query(plain.hetu);
      expect(answer.status).toBe(500);
      expect(() => parseVtjSoapResponse(answer.body)).toThrow(expect.objectContaining({ name: 'XRoadFault', faultCode: 'Server.ClientProxy.NetworkError', transient: true }));
      // The rule fired once; the next call is normal.
      expect((await query(plain.hetu)).status).toBe(200);
    });

    it('malformed: a truncated answer is rejected as malformed XML', async () => {
      vtj.faults.set([{ route: 'vtj.person', effect: { kind: 'malformed' } }]);
      const answer = await query(plain.hetu);
      expect(() => parseVtjSoapResponse(answer.body)).toThrow(XmlRejected);
    });

    it('wrongPaluukoodi: a valid-looking answer with a code the hub does not handle', async () => {
      vtj.faults.set([{ route: 'vtj.person', effect: { kind: 'custom', name: 'wrongPaluukoodi' } }]);
      const sanoma = vastaussanomaOf((await query(plain.hetu)).body);
      expect(sanoma.Paluukoodi.koodi).toBe('9999');
      expect(() => mapVtjResponse(sanoma)).toThrow(VtjPaluukoodiError);
    });

    it('wrongPaluukoodi with parameters: a negative code, Henkilo dropped', async () => {
      vtj.faults.set([{ route: 'vtj.person', effect: { kind: 'custom', name: 'wrongPaluukoodi', params: { koodi: '-0005', teksti: 'Tekninen virhe', dropHenkilo: true } } }]);
      const sanoma = vastaussanomaOf((await query(plain.hetu)).body);
      expect(sanoma.Henkilo).toBeUndefined();
      expect(() => mapVtjResponse(sanoma)).toThrow(expect.objectContaining({ kind: 'vtj-error', paluukoodi: '-0005' }));
    });

    it('wrongMessageId: the answer echoes another message id', async () => {
      vtj.faults.set([{ route: 'vtj.person', effect: { kind: 'custom', name: 'wrongMessageId' } }]);
      const answer = await query(plain.hetu);
      const parsed = parseVtjSoapResponse(answer.body);
      expect(() => verifyEcho(answer.headers, parsed.headers)).toThrow(SoapEnvelopeError);
    });

    it('doctype: an entity-expansion document is rejected unexpanded', async () => {
      vtj.faults.set([{ route: 'vtj.person', effect: { kind: 'custom', name: 'doctype' } }]);
      const answer = await query(plain.hetu);
      expect(() => parseVtjSoapResponse(answer.body)).toThrow(expect.objectContaining({ name: 'XmlRejected', reason: 'entity' }));
    });
  });

  describe('change interface (VTJmutpa)', () => {
    const service = vtjMutpaServiceId('FI-TEST');
    const restHeaders = { ...xRoadRestHeaders({ client: CLIENT, id: 'id-1' }), 'content-type': 'application/json' };
    const getKey = async (date: string) => {
      const response = await fetch(`${vtj.url}${xRoadRestPath(service, ...VTJ_MUTPA_KIRJAUSAVAIN_PATH(date))}`, { headers: restHeaders });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-road-id')).toBe('id-1');
      return parseKirjausavainResponse(await response.json()).viimeisinKirjausavain;
    };
    const read = async (key: number, hetulista: string[], headers: Record<string, string> = restHeaders) =>
      fetch(`${vtj.url}${xRoadRestPath(service, ...VTJ_MUTPA_MUUTOKSET_PATH)}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ viimeisinKirjausavain: key, hetulista }),
      });

    it('serves appended changes from the key of a date, for the codes asked, then is up to date', async () => {
      vtj.appendChange(
        buildMoveChange({ hetu: worker.hetu, from: '049', to: '905', on: '2026-02-27', changedAt: '2026-02-27T09:00:00.000Z' }),
        buildMoveChange({ hetu: plain.hetu, from: '049', to: '905', on: '2026-03-01', changedAt: '2026-03-02T09:00:00.000Z' }),
        buildDeathChange({ hetu: quota.hetu, dateOfDeath: '2026-03-01', changedAt: '2026-03-02T10:00:00.000Z' }),
      );
      const key = await getKey('2026-03-01');
      expect(key).toBe(FIRST_KIRJAUSAVAIN + 1);

      const response = await read(key, [plain.hetu, quota.hetu]);
      expect(response.status).toBe(200);
      const answer = parseMuutoksetResponse(await response.json());
      expect(answer.ajanTasalla).toBe(true);
      expect(answer.viimeisinKirjausavain).toBe(FIRST_KIRJAUSAVAIN + 3);
      expect(mapVtjChanges(answer, '905').map((e) => [e.type, e.hetu])).toEqual([
        ['person.moved-in', plain.hetu],
        ['person.changed', quota.hetu],
      ]);

      const again = parseMuutoksetResponse(await (await read(answer.viimeisinKirjausavain, [plain.hetu])).json());
      expect(again).toEqual({ viimeisinKirjausavain: FIRST_KIRJAUSAVAIN + 3, ajanTasalla: true, muutokset: [] });
    });

    it('pages the feed: not up to date until the last change is read', async () => {
      const paged = await createVtjMock(population, { changesPageSize: 2 });
      try {
        for (let day = 1; day <= 5; day++) {
          paged.appendChange(buildDeathChange({ hetu: plain.hetu, dateOfDeath: `2026-01-0${day}`, changedAt: `2026-01-0${day}T08:00:00.000Z` }));
        }
        const url = `${paged.url}${xRoadRestPath(service, ...VTJ_MUTPA_MUUTOKSET_PATH)}`;
        let key = FIRST_KIRJAUSAVAIN;
        const seen: number[] = [];
        for (let round = 0; round < 5; round++) {
          const answer = parseMuutoksetResponse(await (await fetch(url, { method: 'POST', headers: restHeaders, body: JSON.stringify({ viimeisinKirjausavain: key, hetulista: [plain.hetu] }) })).json());
          seen.push(answer.muutokset.length);
          key = answer.viimeisinKirjausavain;
          if (answer.ajanTasalla) break;
        }
        expect(seen).toEqual([2, 2, 1]);
      } finally {
        await paged.close();
      }
    });

    it('forgets appended changes on reset', async () => {
      vtj.appendChange(buildDeathChange({ hetu: plain.hetu, dateOfDeath: '2026-01-01', changedAt: '2026-01-01T08:00:00.000Z' }));
      expect(vtj.changes()).toHaveLength(1);
      vtj.reset();
      expect(vtj.changes()).toHaveLength(0);
    });

    it('refuses an invalid request or a missing X-Road-Client with the X-Road REST error body', async () => {
      const bad = await read(FIRST_KIRJAUSAVAIN, []);
      expect(bad.status).toBe(400);
      const error = parseXRoadRestError(await bad.text());
      expect(error?.type).toBe('Client.InvalidRequest');
      expect(error?.detail).toContain('hetulista');
      expect(faultFromRest(error!, 400).transient).toBe(false);

      const anonymous = await read(FIRST_KIRJAUSAVAIN, [plain.hetu], { 'content-type': 'application/json' });
      expect(anonymous.status).toBe(400);
    });

    it('restError: the X-Road REST error body, read as a transient fault', async () => {
      vtj.faults.set([{ route: 'vtj.muutokset', effect: { kind: 'custom', name: 'restError', params: { status: 502, type: 'Server.ClientProxy.NetworkError' } } }]);
      const response = await read(FIRST_KIRJAUSAVAIN, [plain.hetu]);
      expect(response.status).toBe(502);
      const error = parseXRoadRestError(await response.text());
      expect(error).not.toBeNull();
      expect(faultFromRest(error!, response.status)).toMatchObject({ faultCode: 'Server.ClientProxy.NetworkError', transient: true });
    });

    it('never logs a personal identity code', async () => {
      vtj.appendChange(buildDeathChange({ hetu: plain.hetu, dateOfDeath: '2026-01-01', changedAt: '2026-01-01T08:00:00.000Z' }));
      await read(FIRST_KIRJAUSAVAIN, [plain.hetu]);
      await query(plain.hetu);
      expect(JSON.stringify(vtj.stats())).not.toContain(plain.hetu);
    });
  });
});

describe('UMA mock', () => {
  let uma: MockServer;
  beforeAll(async () => {
    uma = await createUmaMock(population);
  });
  afterAll(() => uma.close());
  beforeEach(() => uma.reset());

  const personQuery = async (hetu: string, asOf = '2026-11-01') => {
    const headers = headersFor(umaPersonServiceId('FI-TEST'));
    const answer = await post(uma.url, buildSoapRequest(headers, buildUmaPersonRequest({ Henkilotunnus: hetu, Tilannepaiva: asOf, Loppukayttaja: 'koto-hub' })));
    return { ...answer, headers };
  };

  const listQuery = async (municipality: string, page: number, size: number) => {
    const headers = headersFor(umaListServiceId('FI-TEST'));
    return post(uma.url, buildSoapRequest(headers, buildUmaListRequest({ Kuntakoodi: municipality, Sivu: page, SivunKoko: size })));
  };

  it('answers a person with a residence record, compensation as of the day asked', async () => {
    const answer = await personQuery(plain.hetu);
    expect(answer.status).toBe(200);
    const parsed = parseUmaPersonSoapResponse(answer.body);
    expect(() => verifyEcho(answer.headers, parsed.headers)).not.toThrow();
    expect(parsed.answer.Oleskeluluvat[0]).toMatchObject({ Lupatyyppi: 'A', Peruste: 'KANSAINVALINEN_SUOJELU', Lainkohta: '87 §' });
    expect(mapUmaPerson(parsed.answer)).toEqual({
      hetu: plain.hetu,
      found: true,
      firstPermitDate: '2024-05-02',
      permitType: 'A',
      ground: 'international-protection',
      quotaRefugee: false,
      traffickingVictim: false,
      compensation: { eligible: true, until: '2027-05-01' },
      permits: [{ permitType: 'A', ground: 'international-protection', grantedOn: '2024-05-02', from: '2024-05-02', until: null }],
      firstHomeMunicipality: { code: '905', since: '2025-02-01' },
      finnishCitizenSince: null,
      traffickingVictimPeriod: null,
      familyLinks: [],
    });
    const later = mapUmaPerson(parseUmaPersonSoapResponse((await personQuery(plain.hetu, '2027-05-02')).body).answer);
    expect(later.compensation).toEqual({ eligible: false, until: '2027-05-01' });
  });

  it('answers what the compensation rules read: permit history, first home municipality, citizenship, trafficking period, family', async () => {
    expect(mapUmaPerson(parseUmaPersonSoapResponse((await personQuery(familyMember.hetu)).body).answer)).toMatchObject({
      ground: 'family',
      permits: [
        { permitType: 'B', ground: 'study', grantedOn: '2021-09-01', from: '2021-09-01', until: '2023-08-31' },
        { permitType: 'A', ground: 'family', grantedOn: '2023-09-01', from: '2023-09-01', until: null },
      ],
      firstHomeMunicipality: { code: '091', since: '2021-09-15' },
      finnishCitizenSince: '2026-03-01',
      traffickingVictimPeriod: { from: '2022-01-10', until: '2023-01-09' },
      familyLinks: [{ hetu: child, relation: 'child' }],
    });
    // Left out of the fixture: the home municipality's start when VTJ records one, none otherwise;
    // a victim of trafficking from the first permit on.
    expect(mapUmaPerson(parseUmaPersonSoapResponse((await personQuery(trafficked.hetu)).body).answer)).toMatchObject({
      firstHomeMunicipality: { code: '049', since: '2025-02-01' },
      traffickingVictimPeriod: { from: '2024-05-02', until: null },
    });
  });

  it('gives quota refugees four years of compensation, and a work permit none', async () => {
    expect(mapUmaPerson(parseUmaPersonSoapResponse((await personQuery(quota.hetu)).body).answer)).toMatchObject({
      quotaRefugee: true,
      compensation: { eligible: true, until: '2027-01-09' },
    });
    expect(mapUmaPerson(parseUmaPersonSoapResponse((await personQuery(worker.hetu)).body).answer).compensation).toEqual({ eligible: false, until: null });
  });

  it('answers EI_LOYTYNYT for a person without a record or unknown to the population', async () => {
    for (const hetu of [deceased.hetu, makeHetu('1970-01-01', 998)]) {
      const residence = mapUmaPerson(parseUmaPersonSoapResponse((await personQuery(hetu)).body).answer);
      expect(residence).toMatchObject({ hetu, found: false, firstPermitDate: null, ground: null });
    }
  });

  it('pages the list of protection recipients of a municipality', async () => {
    const first = mapUmaList(parseUmaListSoapResponse((await listQuery('905', 1, 1)).body).answer);
    expect(first).toMatchObject({ municipality: '905', page: 1, pageSize: 1, total: 2, hasMore: true });
    const second = mapUmaList(parseUmaListSoapResponse((await listQuery('905', 2, 1)).body).answer);
    expect(second.hasMore).toBe(false);
    expect([...first.recipients, ...second.recipients].map((r) => r.hetu).sort()).toEqual([plain.hetu, quota.hetu].sort());
    const espoo = mapUmaList(parseUmaListSoapResponse((await listQuery('049', 1, 100)).body).answer);
    // The trafficking victim is listed whatever the ground; the worker is not.
    expect(espoo.recipients).toEqual([{ hetu: trafficked.hetu, ground: 'work', quotaRefugee: false, traffickingVictim: true, firstPermitDate: '2024-05-02' }]);
    const past = mapUmaList(parseUmaListSoapResponse((await listQuery('905', 9, 1)).body).answer);
    expect(past.recipients).toEqual([]);
  });

  it('soapFault: a SOAP fault envelope the hub reads as an XRoadFault', async () => {
    uma.faults.set([{ effect: { kind: 'soapFault', faultcode: 'Server.ServerProxy.ServiceFailed', faultstring: 'failed' } }]);
    const answer = await personQuery(plain.hetu);
    expect(answer.status).toBe(500);
    expect(() => parseUmaPersonSoapResponse(answer.body)).toThrow(expect.objectContaining({ name: 'XRoadFault', transient: true }));
  });

  it('malformed: a truncated answer is rejected as malformed XML', async () => {
    uma.faults.set([{ effect: { kind: 'malformed' } }]);
    const answer = await personQuery(plain.hetu);
    expect(() => parseUmaPersonSoapResponse(answer.body)).toThrow(XmlRejected);
  });

  it('unknownPeruste: a ground outside the contract is a contract error', async () => {
    uma.faults.set([{ effect: { kind: 'custom', name: 'unknownPeruste' } }]);
    const answer = await personQuery(plain.hetu);
    expect(() => parseUmaPersonSoapResponse(answer.body)).toThrow(UmaContractError);
  });

  it('refuses a request for a service it does not have', async () => {
    const headers = headersFor({ ...umaPersonServiceId('FI-TEST'), serviceCode: 'Muu' });
    const answer = await post(uma.url, buildSoapRequest(headers, '<x/>'));
    expect(() => parseUmaPersonSoapResponse(answer.body)).toThrow(expect.objectContaining({ faultCode: 'Server.ServerProxy.UnknownService' }));
  });
});
