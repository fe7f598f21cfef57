import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import type { FixturePerson } from '#contracts/population';
import {
  asiakkuusKysely,
  asiakkuusVastaus,
  arviointiKirjaus,
  datastorePath,
  DatastoreContractError,
  kirjausVastaus,
  parseDatastore,
  suunnitelmaKirjaus,
  tarkistusKirjaus,
  palvelusuoritusKirjaus,
  type AsiakkuusVastaus,
} from '#contracts/datastore/wire';
import {
  fromArviointiKirjaus,
  fromAsiakkuusVastaus,
  fromPalvelusuoritusKirjaus,
  fromSuunnitelmaKirjaus,
  fromTarkistusKirjaus,
  integrationStatusV1,
  toArviointiKirjaus,
  toAsiakkuusKysely,
  toPalvelusuoritusKirjaus,
  toSuunnitelmaKirjaus,
  toTarkistusKirjaus,
} from '#contracts/datastore/mapper';
import { addMonths, checkNewPlan, checkReview, nextReviewDue, oneYearFrom, type PlanState } from '#contracts/datastore/rules';
import { createDatastoreMock } from '#mocks/datastore';
import type { MockServer } from '#mocks/framework';

const HETU = makeHetu('1985-04-12', 308);
const REF = '5d7c1c0e-8d5e-4a4f-9d2b-7f0d7e1c2a33';
let refSerial = 0;
const ref = (): string => `5d7c1c0e-8d5e-4a4f-9d2b-${String((refSerial += 1)).padStart(12, '0')}`;

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

const status = (overrides: Partial<AsiakkuusVastaus> = {}): AsiakkuusVastaus => ({
  hetu: HETU,
  asiakas: true,
  arvioinnit: [{ tunniste: 'ARV-1', kunta: '905', arviointipvm: '2025-04-01', valmis: true }],
  suunnitelmat: [
    {
      tunniste: 'SUU-1',
      kunta: '905',
      tyyppi: 'MONIALAINEN',
      voimassaAlkaen: '2025-05-01',
      voimassaAsti: '2027-04-30',
      alkuperainenVoimassaAsti: '2026-04-30',
      seuraavaTarkistusViimeistaan: '2025-11-01',
      tarkistukset: [],
    },
  ],
  palvelusuoritukset: [],
  ...overrides,
});

describe('data store mapper', () => {
  it('maps the customer status to IntegrationStatus, extensions included', () => {
    const canonical = fromAsiakkuusVastaus(asiakkuusVastaus.parse(status()));
    expect(canonical).toEqual({
      hetu: HETU,
      assessments: [{ date: '2025-04-01', completed: true }],
      plans: [{ kind: 'multi-sectoral', validFrom: '2025-05-01', validUntil: '2027-04-30' }],
    });
    expect(integrationStatusV1.parse(canonical)).toEqual(canonical);
  });

  it('maps no customer record to empty lists', () => {
    expect(fromAsiakkuusVastaus(status({ asiakas: false, arvioinnit: [], suunnitelmat: [] }))).toEqual({
      hetu: HETU,
      assessments: [],
      plans: [],
    });
  });

  it('round-trips every write canonical → wire → canonical', () => {
    const assessment = { reference: REF, hetu: HETU, municipality: '905', date: '2025-04-01', completed: false };
    expect(fromArviointiKirjaus(arviointiKirjaus.parse(toArviointiKirjaus(assessment)))).toEqual(assessment);
    for (const kind of ['basic', 'multi-sectoral', 'family'] as const) {
      const plan = { reference: REF, hetu: HETU, municipality: '905', kind, validFrom: '2025-05-01', validUntil: '2026-04-30' };
      expect(fromSuunnitelmaKirjaus(suunnitelmaKirjaus.parse(toSuunnitelmaKirjaus(plan)))).toEqual(plan);
    }
    const review = { reference: REF, hetu: HETU, municipality: '905', planId: 'SUU-1', date: '2025-10-01', extendedUntil: null };
    expect(fromTarkistusKirjaus(tarkistusKirjaus.parse(toTarkistusKirjaus(review)))).toEqual(review);
    const completion = {
      reference: REF,
      hetu: HETU,
      municipality: '905',
      service: 'literacy-training' as const,
      from: '2025-06-01',
      to: null,
      completed: false,
    };
    expect(fromPalvelusuoritusKirjaus(palvelusuoritusKirjaus.parse(toPalvelusuoritusKirjaus(completion)))).toEqual(completion);
  });
});

describe('data store wire schemas', () => {
  it('names each bad field of a write and never its value', () => {
    const error = errorOf(() =>
      parseDatastore(suunnitelmaKirjaus, 'plan', {
        viite: 'not-a-uuid',
        hetu: '131052-308X',
        kunta: 'Vaasa',
        tyyppi: 'HUOLELLINEN',
        voimassaAlkaen: '2025-02-30',
      }),
    );
    expect(error).toBeInstanceOf(DatastoreContractError);
    for (const field of ['viite', 'hetu: invalid personal identity code', 'kunta', 'tyyppi: must be PERUS, MONIALAINEN or PERHE', 'voimassaAlkaen', 'voimassaAsti']) {
      expect(error.message).toContain(field);
    }
    for (const value of ['not-a-uuid', '131052-308X', 'Vaasa', 'HUOLELLINEN', '2025-02-30']) {
      expect(error.message).not.toContain(value);
    }
  });

  it('normalises the identity code of a write', () => {
    const write = arviointiKirjaus.parse({ viite: REF, hetu: ` ${HETU.toLowerCase()} `, kunta: '905', arviointipvm: '2025-04-01', valmis: true });
    expect(write.hetu).toBe(HETU);
  });

  it('names the nested field of a bad status', () => {
    const bad = { ...status(), suunnitelmat: [{ ...status().suunnitelmat[0], tyyppi: 'X', tarkistukset: [{ tunniste: 'T', tarkistuspvm: 'eilen', jatkoAsti: null }] }] };
    const error = errorOf(() => parseDatastore(asiakkuusVastaus, 'customer status', bad));
    expect(error.message).toContain('suunnitelmat[0].tyyppi');
    expect(error.message).toContain('suunnitelmat[0].tarkistukset[0].tarkistuspvm');
    expect(error.message).not.toContain('eilen');
  });

  it('builds the X-Road REST paths, none with personal data: the status is v2, the code in its body', () => {
    expect(datastorePath('FI', 'status')).toBe('/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v2');
    expect(datastorePath('FI-TEST', 'reviews')).toBe('/r1/FI-TEST/GOV/2296962-1/kotoutumistietovaranto/tarkistukset/v1');
  });

  it('builds the status query with the code in the body, and reads it back normalised', () => {
    expect(toAsiakkuusKysely(HETU)).toEqual({ hetu: HETU });
    expect(asiakkuusKysely.parse(toAsiakkuusKysely(HETU))).toEqual({ hetu: HETU });
    expect(parseDatastore(asiakkuusKysely, 'customer status query', { hetu: ` ${HETU.toLowerCase()} ` })).toEqual({ hetu: HETU });
  });

  it('names the bad field of a status query and never its value', () => {
    const malformed = errorOf(() => parseDatastore(asiakkuusKysely, 'customer status query', { hetu: '131052-308X' }));
    expect(malformed).toBeInstanceOf(DatastoreContractError);
    expect(malformed.message).toMatch(/^customer status query is invalid: hetu: invalid personal identity code: /);
    expect(malformed.message).not.toContain('131052');
    expect((malformed as DatastoreContractError).issues.map((i) => i.path)).toEqual(['hetu']);

    for (const body of [{}, { henkilotunnus: HETU }, { hetu: 131052308 }, { hetu: null }]) {
      const error = errorOf(() => parseDatastore(asiakkuusKysely, 'customer status query', body)) as DatastoreContractError;
      expect(error.issues.map((i) => i.path)).toEqual(['hetu']);
      expect(error.message).not.toContain('131052');
    }
    expect((errorOf(() => parseDatastore(asiakkuusKysely, 'customer status query', HETU)) as DatastoreContractError).issues.map((i) => i.path)).toEqual(['(root)']);
  });
});

describe('the data store’s plan rules (Act 681/2023; contracts/datastore/README.md "Rules")', () => {
  const plan = (overrides: Partial<PlanState> = {}): PlanState => ({
    id: 'SUU-1',
    kind: 'PERUS',
    validFrom: '2025-03-01',
    validUntil: '2026-02-28',
    originalValidUntil: '2026-02-28',
    reviews: [],
    ...overrides,
  });

  it('a first plan lasts at most one year: to the day before the same date a year later', () => {
    expect(oneYearFrom('2025-03-01')).toBe('2026-02-28');
    expect(oneYearFrom('2024-02-29')).toBe('2025-02-28');
    expect(checkNewPlan({ kind: 'PERUS', validFrom: '2025-03-01', validUntil: '2026-02-28' }, [])).toEqual([]);
    expect(checkNewPlan({ kind: 'PERUS', validFrom: '2025-03-01', validUntil: '2026-03-01' }, []).map((v) => v.code)).toEqual([
      'FIRST_PLAN_OVER_ONE_YEAR',
    ]);
    expect(checkNewPlan({ kind: 'PERUS', validFrom: '2025-03-01', validUntil: '2025-02-28' }, []).map((v) => v.code)).toEqual([
      'PLAN_ENDS_BEFORE_START',
    ]);
  });

  it('a new plan may not overlap a plan of the same kind; another kind may', () => {
    expect(checkNewPlan({ kind: 'PERUS', validFrom: '2026-02-28', validUntil: '2026-12-31' }, [plan()]).map((v) => v.code)).toEqual([
      'PLAN_OVERLAPS',
    ]);
    expect(checkNewPlan({ kind: 'PERUS', validFrom: '2026-03-01', validUntil: '2026-12-31' }, [plan()])).toEqual([]);
    expect(checkNewPlan({ kind: 'PERHE', validFrom: '2025-06-01', validUntil: '2026-05-31' }, [plan()])).toEqual([]);
  });

  it('a review falls within the plan and not before the previous review', () => {
    expect(checkReview({ date: '2025-03-01', extendUntil: null }, plan()).violations).toEqual([]);
    expect(checkReview({ date: '2026-02-28', extendUntil: null }, plan({ reviews: [{ date: '2025-09-01' }] })).violations).toEqual([]);
    expect(checkReview({ date: '2026-03-01', extendUntil: null }, plan()).violations.map((v) => v.code)).toEqual(['REVIEW_OUTSIDE_PLAN']);
    expect(checkReview({ date: '2025-08-01', extendUntil: null }, plan({ reviews: [{ date: '2025-09-01' }] })).violations.map((v) => v.code)).toEqual([
      'REVIEW_BEFORE_PREVIOUS',
    ]);
    expect(checkReview({ date: '2025-08-01', extendUntil: null }, undefined).violations.map((v) => v.code)).toEqual(['UNKNOWN_PLAN']);
  });

  it('reviews are due every six months; a late one is accepted with a notice', () => {
    expect(nextReviewDue(plan())).toBe('2025-09-01');
    expect(nextReviewDue(plan({ reviews: [{ date: '2025-08-31' }] }))).toBe('2026-02-28');
    expect(addMonths('2025-08-31', 6)).toBe('2026-02-28');
    expect(checkReview({ date: '2025-09-01', extendUntil: null }, plan())).toEqual({ violations: [], notices: [] });
    expect(checkReview({ date: '2025-09-02', extendUntil: null }, plan())).toEqual({ violations: [], notices: ['TARKISTUS_MYOHASSA'] });
  });

  it('extends one year at a time, by at most two years in all', () => {
    const codes = (extendUntil: string, state = plan()): string[] =>
      checkReview({ date: '2026-02-01', extendUntil }, state).violations.map((v) => v.code);
    expect(codes('2027-02-28')).toEqual([]);
    expect(codes('2027-03-01')).toEqual(['EXTENSION_OVER_ONE_YEAR']);
    expect(codes('2026-02-28')).toEqual(['EXTENSION_NOT_LATER']);
    const extendedOnce = plan({ validUntil: '2027-02-28', reviews: [{ date: '2026-01-15' }] });
    expect(checkReview({ date: '2027-01-15', extendUntil: '2028-02-28' }, extendedOnce).violations).toEqual([]);
    const extendedTwice = plan({ validUntil: '2028-02-28', reviews: [{ date: '2027-01-15' }] });
    expect(checkReview({ date: '2028-01-15', extendUntil: '2028-06-30' }, extendedTwice).violations.map((v) => v.code)).toEqual([
      'EXTENSIONS_OVER_TWO_YEARS',
    ]);
  });
});

describe('data store mock', () => {
  const base = (n: number, integration: FixturePerson['integration']): FixturePerson => ({
    hetu: makeHetu('1990-06-15', n),
    lastName: 'Tesfamariam',
    firstNames: 'Selam',
    dateOfDeath: null,
    nationalities: ['ERI'],
    nativeLanguage: 'ti',
    homeMunicipality: '091',
    homeMunicipalitySince: '2025-01-01',
    address: null,
    nonDisclosure: false,
    residence: null,
    kela: [],
    integration,
  });
  const assessed = base(10, { assessmentDate: '2025-04-01', planValidFrom: '2025-05-01', planValidUntil: '2026-04-30' });
  const untouched = base(12, { assessmentDate: null, planValidFrom: null, planValidUntil: null });
  const headers = { 'content-type': 'application/json', 'X-Road-Client': 'FI/MUN/0201256-6/koto-hub' };

  let store: MockServer;
  beforeAll(async () => {
    store = await createDatastoreMock({ persons: [assessed, untouched] });
  });
  afterAll(() => store.close());
  beforeEach(() => store.reset());

  const query = (body: unknown, init: { headers?: Record<string, string> } = {}): Promise<Response> =>
    fetch(`${store.url}${datastorePath('FI', 'status')}`, {
      method: 'POST',
      headers: init.headers ?? headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const read = async (hetu: string): Promise<{ status: number; body: unknown }> => {
    const res = await query({ hetu });
    return { status: res.status, body: await res.json() };
  };
  const write = async (service: 'assessments' | 'plans' | 'reviews' | 'completions', body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${store.url}${datastorePath('FI', service)}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers from the population: an assessment date is a completed assessment, plan dates a basic plan', async () => {
    const { status: code, body } = await read(assessed.hetu);
    expect(code).toBe(200);
    const parsed = parseDatastore(asiakkuusVastaus, 'customer status', body);
    expect(parsed.asiakas).toBe(true);
    expect(parsed.suunnitelmat[0]).toMatchObject({ tyyppi: 'PERUS', kunta: '091', seuraavaTarkistusViimeistaan: '2025-11-01', tarkistukset: [] });
    expect(fromAsiakkuusVastaus(parsed)).toEqual({
      hetu: assessed.hetu,
      assessments: [{ date: '2025-04-01', completed: true }],
      plans: [{ kind: 'basic', validFrom: '2025-05-01', validUntil: '2026-04-30' }],
    });
  });

  it('answers a person with no record, known or not, with 200 and empty lists', async () => {
    for (const hetu of [untouched.hetu, makeHetu('1970-01-01', 500)]) {
      const { status: code, body } = await read(hetu);
      expect(code).toBe(200);
      expect(body).toEqual({ hetu, asiakas: false, arvioinnit: [], suunnitelmat: [], palvelusuoritukset: [] });
    }
  });

  it('answers a status query whose body breaks its schema with 400 naming the field, not the value', async () => {
    const res = await query({ hetu: '131052-308X' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'Client.InvalidRequest', message: 'invalid customer status query' });
    expect(JSON.parse(text).detail).toMatch(/^hetu: invalid personal identity code: /);
    expect(text).not.toContain('131052');

    const missing = await query({ henkilotunnus: HETU });
    expect(missing.status).toBe(400);
    const missingText = await missing.text();
    expect(JSON.parse(missingText).detail).toMatch(/^hetu: /);
    expect(missingText).not.toContain(HETU.slice(0, 6));

    const notJson = await query('{"hetu":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ type: 'Client.InvalidRequest', detail: '(body)' });
  });

  it('refuses the retired v1, the code in the path, with 410 and without reading or repeating it', async () => {
    const res = await fetch(`${store.url}/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/${encodeURIComponent(assessed.hetu)}`, { headers });
    expect(res.status).toBe(410);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'Client.Gone', detail: 'asiakkuus/v1' });
    expect(JSON.parse(text).message).toContain('POST /asiakkuus/v2');
    expect(text).not.toContain(assessed.hetu.slice(0, 6));
    expect(store.requests.count('datastore.status.v1')).toBe(1);
    expect(store.requests.count('datastore.status')).toBe(0);
    // Nor is the status read with a GET of the new version.
    expect((await fetch(`${store.url}${datastorePath('FI', 'status')}`, { headers })).status).toBe(404);
  });

  it('keeps writes and shows them in later reads', async () => {
    const hetu = untouched.hetu;
    const a = await write('assessments', { viite: ref(), hetu, kunta: '091', arviointipvm: '2026-01-10', valmis: true });
    expect(a.status).toBe(201);
    expect(kirjausVastaus.parse(a.body).huomautukset).toEqual([]);

    const p = await write('plans', { viite: ref(), hetu, kunta: '091', tyyppi: 'PERUS', voimassaAlkaen: '2026-02-01', voimassaAsti: '2027-01-31' });
    expect(p.status).toBe(201);
    const planId = String(p.body.tunniste);

    const r = await write('reviews', { viite: ref(), hetu, kunta: '091', suunnitelmaTunniste: planId, tarkistuspvm: '2026-07-15', jatkoAsti: '2028-01-31' });
    expect(r.status).toBe(201);

    const c = await write('completions', { viite: ref(), hetu, kunta: '091', palvelu: 'YHTEISKUNTAORIENTAATIO', alkupvm: '2026-03-01', loppupvm: '2026-04-30', suoritettu: true });
    expect(c.status).toBe(201);

    const parsed = parseDatastore(asiakkuusVastaus, 'customer status', (await read(hetu)).body);
    expect(parsed.asiakas).toBe(true);
    expect(parsed.palvelusuoritukset).toHaveLength(1);
    expect(parsed.suunnitelmat[0]).toMatchObject({
      tunniste: planId,
      voimassaAsti: '2028-01-31',
      alkuperainenVoimassaAsti: '2027-01-31',
      seuraavaTarkistusViimeistaan: '2027-01-15',
    });
    expect(fromAsiakkuusVastaus(parsed)).toEqual({
      hetu,
      assessments: [{ date: '2026-01-10', completed: true }],
      plans: [{ kind: 'basic', validFrom: '2026-02-01', validUntil: '2028-01-31' }],
    });
  });

  it('adds writes to a population-seeded record, and reset forgets them', async () => {
    await write('assessments', { viite: ref(), hetu: assessed.hetu, kunta: '091', arviointipvm: '2026-01-10', valmis: false });
    expect(fromAsiakkuusVastaus(parseDatastore(asiakkuusVastaus, 'status', (await read(assessed.hetu)).body)).assessments).toHaveLength(2);
    await fetch(`${store.url}/__reset`, { method: 'POST' });
    expect(fromAsiakkuusVastaus(parseDatastore(asiakkuusVastaus, 'status', (await read(assessed.hetu)).body)).assessments).toHaveLength(1);
  });

  it('answers a repeated viite with the first answer and stores the write once; another document under it is a conflict', async () => {
    const doc = { viite: ref(), hetu: untouched.hetu, kunta: '091', arviointipvm: '2026-01-10', valmis: true };
    const first = await write('assessments', doc);
    const again = await write('assessments', doc);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const changed = await write('assessments', { ...doc, valmis: false });
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({ type: 'Client.Conflict', detail: 'viite' });
    expect(fromAsiakkuusVastaus(parseDatastore(asiakkuusVastaus, 'status', (await read(untouched.hetu)).body)).assessments).toHaveLength(1);
  });

  it('rejects a plan over one year and an extension over one year with 422 and the rule code', async () => {
    const hetu = untouched.hetu;
    const long = await write('plans', { viite: ref(), hetu, kunta: '091', tyyppi: 'PERUS', voimassaAlkaen: '2026-02-01', voimassaAsti: '2027-02-01' });
    expect(long.status).toBe(422);
    expect(long.body).toMatchObject({ type: 'Client.RuleViolation', detail: 'FIRST_PLAN_OVER_ONE_YEAR' });
    expect(String(long.body.message)).toContain('voimassaAsti');

    const review = await write('reviews', {
      viite: ref(),
      hetu: assessed.hetu,
      kunta: '091',
      suunnitelmaTunniste: 'SUU-P000000',
      tarkistuspvm: '2026-01-15',
      jatkoAsti: '2027-05-01',
    });
    expect(review.status).toBe(422);
    expect(review.body.detail).toBe('EXTENSION_OVER_ONE_YEAR');

    const late = await write('reviews', {
      viite: ref(),
      hetu: assessed.hetu,
      kunta: '091',
      suunnitelmaTunniste: 'SUU-P000000',
      tarkistuspvm: '2026-01-15',
      jatkoAsti: null,
    });
    expect(late.status).toBe(201);
    expect(late.body.huomautukset).toEqual(['TARKISTUS_MYOHASSA']);

    const foreign = await write('reviews', { viite: ref(), hetu, kunta: '091', suunnitelmaTunniste: 'SUU-P000000', tarkistuspvm: '2026-01-15', jatkoAsti: null });
    expect(foreign.status).toBe(422);
    expect(foreign.body.detail).toBe('UNKNOWN_PLAN');
  });

  it('rejects a write that breaks its schema with 400 naming the fields, not the values', async () => {
    const res = await write('completions', { viite: ref(), hetu: '131052-308X', kunta: '091', palvelu: 'SAUNA', alkupvm: '2026-03-01', suoritettu: 'yes' });
    expect(res.status).toBe(400);
    const detail = String(res.body.detail);
    for (const field of ['hetu', 'palvelu', 'loppupvm', 'suoritettu']) expect(detail).toContain(field);
    expect(detail).not.toContain('131052');
    expect(detail).not.toContain('SAUNA');
    const notJson = await fetch(`${store.url}${datastorePath('FI', 'plans')}`, { method: 'POST', headers, body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('requires the X-Road-Client header', async () => {
    const res = await query({ hetu: assessed.hetu }, { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ detail: 'X-Road-Client' });
  });

  it('keeps no identity code in its request log, not even one a client still on v1 put in the path', async () => {
    await read(assessed.hetu);
    await fetch(`${store.url}/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/${encodeURIComponent(assessed.hetu)}`, { headers });
    await fetch(`${store.url}/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/not-a-code-${assessed.hetu.slice(0, 6)}`, { headers });
    expect(store.requests.entries().map((e) => [e.route, e.path])).toEqual([
      ['datastore.status', '/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v2'],
      ['datastore.status.v1', '/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/***'],
      ['datastore.status.v1', '/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/***'],
    ]);
    expect(JSON.stringify(store.stats())).not.toContain(assessed.hetu.slice(0, 6));
  });
});
