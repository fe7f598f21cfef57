import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import type { FixturePerson } from '#contracts/population';
import { fromKelmuWirePage, fromKelmuWireRow, kelmuRowV1, toKelmuWirePage, toKelmuWireRow, type KelmuRow } from '#contracts/kelmu/mapper';
import { KelmuContractError, kelmuListPath, kelmuWireRow, parseKelmuPage, type KelmuWireRow } from '#contracts/kelmu/wire';
import { xRoadRestError } from '#contracts/xroad/rest';
import { createKelmuMock } from '#mocks/kelmu';
import type { MockServer } from '#mocks/framework';

const HETU = '131052-308T';

const wireRow = (overrides: Partial<KelmuWireRow> = {}): KelmuWireRow => ({
  hetu: HETU,
  sukunimi: 'Haddad',
  etunimet: 'Amina Sara',
  etuus: 'PERUSTOIMEENTULOTUKI',
  tilapainen: false,
  alkupvm: '2025-03-01',
  loppupvm: null,
  ...overrides,
});

const row = (overrides: Partial<KelmuRow> = {}): KelmuRow => ({
  hetu: HETU,
  lastName: 'Haddad',
  firstNames: 'Amina Sara',
  benefit: 'basic-social-assistance',
  temporary: false,
  from: '2025-03-01',
  to: null,
  ...overrides,
});

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('Kelmu mapper', () => {
  it('maps a wire row to the canonical row, keeping the code as given', () => {
    expect(fromKelmuWireRow(wireRow({ hetu: ' 131052-308t', tilapainen: true, loppupvm: '2025-12-31' }))).toEqual(
      row({ hetu: ' 131052-308t', temporary: true, to: '2025-12-31' }),
    );
    expect(fromKelmuWireRow(wireRow({ etuus: 'KOTIHOIDONTUKI' })).benefit).toBe('child-home-care-allowance');
  });

  it('round-trips canonical → wire → canonical for both benefits', () => {
    for (const benefit of ['basic-social-assistance', 'child-home-care-allowance'] as const) {
      const canonical = row({ benefit, to: '2026-01-31' });
      const wire = toKelmuWireRow(canonical);
      expect(kelmuWireRow.parse(wire)).toEqual(wire);
      expect(fromKelmuWireRow(wire)).toEqual(canonical);
      expect(kelmuRowV1.parse(fromKelmuWireRow(wire))).toEqual(canonical);
    }
  });

  it('pages a list: sivuja = ceil(rows / size), the last page short, past the end empty', () => {
    const list = Array.from({ length: 5 }, (_, i) => row({ hetu: makeHetu('1980-01-01', 10 + i) }));
    const request = { municipality: '905', date: '2026-11-01', pageSize: 2 };
    const pages = [1, 2, 3, 4].map((page) => toKelmuWirePage(list, { ...request, page }));
    expect(pages.map((p) => p.rivit.length)).toEqual([2, 2, 1, 0]);
    expect(pages.every((p) => p.sivuja === 3 && p.rivejaYhteensa === 5)).toBe(true);
    const canonical = fromKelmuWirePage(parseKelmuPage(pages[0]));
    expect(canonical).toMatchObject({ municipality: '905', date: '2026-11-01', page: 1, pages: 3, pageSize: 2, totalRows: 5 });
    expect(canonical.rows).toEqual(list.slice(0, 2));
    expect(toKelmuWirePage([], { ...request, page: 1 })).toMatchObject({ sivuja: 0, rivejaYhteensa: 0, rivit: [] });
  });

  it('builds the X-Road REST path of a page', () => {
    expect(kelmuListPath({ instance: 'FI-TEST', municipality: '091', date: '2026-11-01', page: 2, pageSize: 50 })).toBe(
      '/r1/FI-TEST/GOV/0246246-0/kelmu/kotoutumislista/v1/091?paiva=2026-11-01&sivu=2&sivukoko=50',
    );
  });
});

describe('Kelmu wire schema', () => {
  const page = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    kunta: '905',
    paiva: '2026-11-01',
    sivu: 1,
    sivuja: 1,
    sivukoko: 100,
    rivejaYhteensa: 1,
    rivit: [wireRow()],
    ...overrides,
  });

  it('accepts a page and ignores fields it does not know', () => {
    expect(parseKelmuPage(page({ lisatieto: 'x' })).rivit).toHaveLength(1);
  });

  it('names the bad field of a bad row, and never its value', () => {
    const error = errorOf(() =>
      parseKelmuPage(page({ rivit: [wireRow(), { ...wireRow(), etuus: 'ASUMISTUKI', alkupvm: '1.3.2025', sukunimi: 'Virtanen-X', tilapainen: 'no' }] })),
    );
    expect(error).toBeInstanceOf(KelmuContractError);
    expect(error.message).toContain('rivit[1].etuus: must be PERUSTOIMEENTULOTUKI or KOTIHOIDONTUKI');
    expect(error.message).toContain('rivit[1].alkupvm: must be an ISO date YYYY-MM-DD');
    expect(error.message).toContain('rivit[1].tilapainen');
    expect(error.message).not.toContain('ASUMISTUKI');
    expect(error.message).not.toContain('1.3.2025');
    expect(error.message).not.toContain(HETU);
  });

  it('names a missing field', () => {
    const { hetu: _hetu, ...withoutHetu } = wireRow();
    const error = errorOf(() => parseKelmuPage(page({ rivit: [withoutHetu] })));
    expect(error.message).toContain('rivit[0].hetu');
  });

  it('keeps a malformed code: that is the hub’s to judge', () => {
    expect(parseKelmuPage(page({ rivit: [wireRow({ hetu: '131052308T' })] })).rivit[0]?.hetu).toBe('131052308T');
  });

  it('rejects a page whose paging does not add up', () => {
    expect(errorOf(() => parseKelmuPage(page({ sivuja: 2 }))).message).toContain('sivuja: must equal ceil(rivejaYhteensa / sivukoko)');
    expect(errorOf(() => parseKelmuPage(page({ sivukoko: 0 }))).message).toContain('sivukoko');
    expect(errorOf(() => parseKelmuPage(page({ kunta: '91' }))).message).toContain('kunta: must be a three-digit municipality code');
  });

  it('rejects what is not a page at all', () => {
    expect(errorOf(() => parseKelmuPage('<html>')).message).toContain('(root)');
  });
});

describe('Kelmu mock', () => {
  const resident = (birth: string, n: number, overrides: Partial<FixturePerson> = {}): FixturePerson => ({
    hetu: makeHetu(birth, n),
    lastName: 'Warsame',
    firstNames: 'Hodan',
    dateOfDeath: null,
    nationalities: ['SOM'],
    nativeLanguage: 'so',
    homeMunicipality: '905',
    homeMunicipalitySince: '2025-01-01',
    address: null,
    nonDisclosure: false,
    residence: null,
    kela: [{ benefit: 'basic-social-assistance', temporary: false, from: '2025-01-01', to: null }],
    integration: { assessmentDate: null, planValidFrom: null, planValidUntil: null },
    ...overrides,
  });
  const persons = [
    ...Array.from({ length: 6 }, (_, i) => resident(`19${80 + i}-05-0${i + 1}`, 100 + i)),
    resident('1990-01-01', 222, {
      kela: [
        { benefit: 'basic-social-assistance', temporary: true, from: '2025-01-01', to: null },
        { benefit: 'child-home-care-allowance', temporary: false, from: '2025-02-01', to: '2026-12-31' },
      ],
    }),
    resident('1991-01-01', 224, { kela: [{ benefit: 'basic-social-assistance', temporary: false, from: '2027-01-01', to: null }] }),
    resident('1992-01-01', 226, { homeMunicipality: '091' }),
  ];
  const headers = { 'X-Road-Client': 'FI/MUN/0209602-6/koto-hub', 'X-Road-Id': 'b3c8c1a6-3d3d-4a53-9d1c-8a0f6f8f2a11' };
  let kelmu: MockServer;
  beforeAll(async () => {
    kelmu = await createKelmuMock({ persons });
  });
  afterAll(() => kelmu.close());

  const fetchPage = (query: string, municipality = '905', init: RequestInit = { headers }): Promise<Response> =>
    fetch(`${kelmu.url}/r1/FI/GOV/0246246-0/kelmu/kotoutumislista/v1/${municipality}?${query}`, init);

  it('pages the list in hetu order; pages put together give the whole list once', async () => {
    const rows: KelmuRow[] = [];
    let pages = 1;
    for (let sivu = 1; sivu <= pages; sivu++) {
      const res = await fetchPage(`paiva=2026-11-01&sivu=${sivu}&sivukoko=3`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-road-id')).toBe(headers['X-Road-Id']);
      const page = fromKelmuWirePage(parseKelmuPage(await res.json()));
      pages = page.pages;
      rows.push(...page.rows);
    }
    expect(pages).toBe(3);
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => r.hetu)).toEqual([...rows.map((r) => r.hetu)].sort());
    expect(rows.filter((r) => r.hetu === persons[6]?.hetu).map((r) => [r.benefit, r.temporary])).toEqual([
      ['basic-social-assistance', true],
      ['child-home-care-allowance', false],
    ]);
    expect(rows.some((r) => r.hetu === persons[7]?.hetu)).toBe(false);
  });

  it('answers the same page the same way every time', async () => {
    const a = await (await fetchPage('paiva=2026-11-01&sivu=2&sivukoko=3')).text();
    const b = await (await fetchPage('paiva=2026-11-01&sivu=2&sivukoko=3')).text();
    expect(a).toBe(b);
  });

  it('uses page 1 and 100 rows when sivu and sivukoko are left out', async () => {
    const page = parseKelmuPage(await (await fetchPage('paiva=2026-11-01')).json());
    expect(page).toMatchObject({ sivu: 1, sivukoko: 100, sivuja: 1, rivejaYhteensa: 8 });
  });

  it('answers an empty list with page 1 of 0', async () => {
    const page = parseKelmuPage(await (await fetchPage('paiva=2026-11-01', '837')).json());
    expect(page).toMatchObject({ sivu: 1, sivuja: 0, rivejaYhteensa: 0, rivit: [] });
  });

  it('answers bad requests with an X-Road REST error naming the parameter', async () => {
    const cases: [string, string, RequestInit | undefined, number, string][] = [
      ['sivu=1', '905', undefined, 400, 'paiva'],
      ['paiva=2026-02-30', '905', undefined, 400, 'paiva'],
      ['paiva=2026-11-01&sivukoko=5000', '905', undefined, 400, 'sivukoko'],
      ['paiva=2026-11-01&sivu=0', '905', undefined, 400, 'sivu'],
      ['paiva=2026-11-01', 'VAA', undefined, 400, 'kunta'],
      ['paiva=2026-11-01&sivu=9&sivukoko=3', '905', undefined, 404, 'sivu'],
      ['paiva=2026-11-01', '905', {}, 400, 'X-Road-Client'],
    ];
    for (const [query, municipality, init, status, detail] of cases) {
      const res = await fetchPage(query, municipality, init ?? { headers });
      expect(res.status, query).toBe(status);
      const body = xRoadRestError.parse(await res.json());
      expect(body.detail, query).toBe(detail);
    }
  });

  it('a soapFault effect becomes an X-Road REST error, a custom variant breaks a benefit code', async () => {
    kelmu.faults.set([
      { times: 1, effect: { kind: 'soapFault', faultcode: 'Server.ServerProxy.ServiceFailed', faultstring: 'Service failed' } },
      { times: 1, effect: { kind: 'custom', name: 'unknownBenefit' } },
    ]);
    const failed = await fetchPage('paiva=2026-11-01');
    expect(failed.status).toBe(500);
    expect(xRoadRestError.parse(await failed.json()).type).toBe('Server.ServerProxy.ServiceFailed');
    const broken = await (await fetchPage('paiva=2026-11-01')).json();
    expect(errorOf(() => parseKelmuPage(broken)).message).toContain('rivit[0].etuus');
    kelmu.faults.clear();
  });

  it('keeps identity codes out of its request log', async () => {
    await (await fetchPage('paiva=2026-11-01')).text();
    const stats = JSON.stringify(kelmu.stats());
    for (const p of persons) expect(stats).not.toContain(p.hetu);
    expect(kelmu.requests.count('kelmu.list')).toBeGreaterThan(0);
  });
});
