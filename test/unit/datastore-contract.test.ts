import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import type { FixturePerson } from '#contracts/population';
import {
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

  it('builds the X-Road REST paths', () => {
    expect(datastorePath('FI', 'status', '010190+123X')).toBe('/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/010190%2B123X');
    expect(datastorePath('FI-TEST', 'reviews')).toBe('/r1/FI-TEST/GOV/2296962-1/kotoutumistietovaranto/tarkistukset/v1');
  });
});

describe('plan rules (Act 681/2023, DESIGN.md flow 4)', () => {
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

  const read = async (hetu: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${store.url}${datastorePath('FI', 'status', hetu)}`, { headers });
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

  it('answers a malformed code with 400 that does not repeat it', async () => {
    const res = await fetch(`${store.url}${datastorePath('FI', 'status', '131052-308X')}`, { headers });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'Client.InvalidRequest', detail: 'hetu' });
    expect(text).not.toContain('131052');
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
    const res = await fetch(`${store.url}${datastorePath('FI', 'status', assessed.hetu)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ detail: 'X-Road-Client' });
  });

  it('masks the identity code in its request log', async () => {
    await read(assessed.hetu);
    const entries = store.requests.entries();
    expect(entries[0]?.path).toBe('/r1/FI/GOV/2296962-1/kotoutumistietovaranto/asiakkuus/v1/***');
    expect(JSON.stringify(store.stats())).not.toContain(assessed.hetu.slice(0, 6));
  });
});
