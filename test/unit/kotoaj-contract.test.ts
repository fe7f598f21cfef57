/** Koto-AJ's write contract (defined by koto-hub) and the records' writes to both national systems. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arviointiKirjaus as dsArviointi, palvelusuoritusKirjaus as dsPalvelusuoritus, suunnitelmaKirjaus as dsSuunnitelma, tarkistusKirjaus as dsTarkistus } from '#contracts/datastore/wire';
import { toDatastoreWrite } from '#contracts/datastore/records';
import {
  arviointiKirjaus,
  kirjausVastaus,
  kotoAjPath,
  palvelusuoritusKirjaus,
  readKotoAjAnswer,
  suunnitelmaKirjaus,
  tarkistusKirjaus,
} from '#contracts/kotoaj/wire';
import { toKotoAjWrite } from '#contracts/kotoaj/mapper';
import { planViiteOf, recordViite, writeViite } from '#functions/records/viite';
import type { MunicipalRecord } from '#contracts/messages/records';
import { assessmentRecord, completionRecord, planRecord, RECORD_HETU, reviewRecord } from '../support/records.ts';

const refs = (record: MunicipalRecord) => ({ viite: recordViite(record), planViite: planViiteOf(record) });

describe('Koto-AJ wire', () => {
  it('builds the X-Road REST paths, none with personal data', () => {
    expect(kotoAjPath('FI', 'plans')).toBe('/r1/FI/GOV/2296962-1/koto-aj/suunnitelmat/v1');
    expect(kotoAjPath('FI-TEST', 'completions')).toBe('/r1/FI-TEST/GOV/2296962-1/koto-aj/palvelusuoritukset/v1');
  });

  it('reads a first answer and a repeated one as stored', () => {
    const answer = { viite: recordViite(planRecord()), tunniste: 'KAJ-SUU-1', huomautukset: [] };
    expect(readKotoAjAnswer(201, answer)).toEqual({ outcome: 'stored', repeat: false, answer });
    expect(readKotoAjAnswer(200, { ...answer, huomautukset: ['TARKISTUS_MYOHASSA'] })).toMatchObject({ outcome: 'stored', repeat: true });
  });

  it('reads a 409 on a changed document as changed: a refusal, not a retry', () => {
    expect(readKotoAjAnswer(409, { type: 'Client.Conflict', message: 'viite was used for another document', detail: 'viite' })).toEqual({ outcome: 'changed' });
  });

  it('reads a 422 as the rule codes it names, and nothing else from its text', () => {
    expect(readKotoAjAnswer(422, { type: 'Client.RuleViolation', message: 'suunnitelmaViite: no such plan', detail: 'UNKNOWN_PLAN, PLAN_TOO_LONG' })).toEqual({
      outcome: 'refused',
      codes: ['UNKNOWN_PLAN', 'PLAN_TOO_LONG'],
    });
  });

  it('reads 429 and 5xx as transient, whatever the body', () => {
    expect(readKotoAjAnswer(503, 'Service Unavailable')).toEqual({ outcome: 'transient', status: 503 });
    expect(readKotoAjAnswer(429, undefined)).toEqual({ outcome: 'transient', status: 429 });
    expect(readKotoAjAnswer(500, { type: 'Server.ServerProxy.ServiceFailed', message: '', detail: null })).toMatchObject({ outcome: 'transient' });
  });

  it('reads a 400 or an answer off the contract as invalid, naming fields, never values', () => {
    expect(readKotoAjAnswer(400, { type: 'Client.InvalidRequest', message: 'hetu: invalid', detail: `hetu: ${RECORD_HETU}` })).toEqual({
      outcome: 'invalid',
      detail: 'HTTP 400 Client.InvalidRequest',
    });
    const offContract = readKotoAjAnswer(201, { viite: 'KAJ-1', tunniste: '', huomautukset: ['X'] });
    expect(offContract).toMatchObject({ outcome: 'invalid' });
    if (offContract.outcome === 'invalid') {
      expect(offContract.detail).toContain('viite');
      expect(offContract.detail).toContain('huomautukset[0]');
      expect(offContract.detail).not.toContain('KAJ-1');
    }
    expect(readKotoAjAnswer(404, '<html>')).toMatchObject({ outcome: 'invalid' });
  });

  it('validates answers and normalises the identity code of a write', () => {
    expect(kirjausVastaus.safeParse({ viite: recordViite(planRecord()), tunniste: 'T', huomautukset: [] }).success).toBe(true);
    const body = toKotoAjWrite(assessmentRecord(), refs(assessmentRecord())).body;
    expect(arviointiKirjaus.parse({ ...body, hetu: ` ${RECORD_HETU.toLowerCase()} ` }).hetu).toBe(RECORD_HETU);
  });
});

describe('records → Koto-AJ writes', () => {
  it('writes each record with its viite, its municipal record id and the plan’s viite', () => {
    const plan = planRecord({ exceptionReason: 'erityinen syy' });
    expect(toKotoAjWrite(plan, refs(plan))).toEqual({
      service: 'plans',
      body: {
        viite: recordViite(plan),
        kunnanTunniste: 'SUU-1',
        hetu: RECORD_HETU,
        kunta: '905',
        tyyppi: 'PERUS',
        voimassaAlkaen: '2026-03-02',
        voimassaAsti: '2027-03-01',
        poikkeusperuste: 'erityinen syy',
      },
    });
    const review = reviewRecord({ extendedUntil: '2027-09-01' });
    const reviewWrite = toKotoAjWrite(review, refs(review));
    expect(reviewWrite).toEqual({
      service: 'reviews',
      body: {
        viite: recordViite(review),
        kunnanTunniste: 'TAR-1',
        hetu: RECORD_HETU,
        kunta: '905',
        suunnitelmaViite: recordViite(planRecord()),
        tarkistuspvm: '2026-08-31',
        jatkoAsti: '2027-09-01',
        poikkeusperuste: null,
      },
    });
    expect(tarkistusKirjaus.parse(reviewWrite.body)).toEqual(reviewWrite.body);
    expect(suunnitelmaKirjaus.parse(toKotoAjWrite(plan, refs(plan)).body)).toBeTruthy();
  });

  it('writes a completion with or without its plan', () => {
    const withPlan = completionRecord();
    const withoutPlan = completionRecord({ planRecordId: null, service: 'literacy-training', to: null, completed: false });
    const a = toKotoAjWrite(withPlan, refs(withPlan));
    const b = toKotoAjWrite(withoutPlan, refs(withoutPlan));
    expect(a.body).toMatchObject({ suunnitelmaViite: recordViite(planRecord()), palvelu: 'YHTEISKUNTAORIENTAATIO', alkupvm: '2026-03-09', loppupvm: '2026-04-24', suoritettu: true });
    expect(b.body).toMatchObject({ suunnitelmaViite: null, palvelu: 'LUKUTAITOKOULUTUS', loppupvm: null, suoritettu: false });
    expect(palvelusuoritusKirjaus.parse(a.body)).toEqual(a.body);
    expect(palvelusuoritusKirjaus.parse(b.body)).toEqual(b.body);
  });

  it('refuses to write a review without its plan’s viite', () => {
    expect(() => toKotoAjWrite(reviewRecord(), { viite: recordViite(reviewRecord()), planViite: null })).toThrow(/planViite/);
  });
});

describe('records → data store writes', () => {
  it('maps every record to the store’s write contract, which validates it', () => {
    const assessment = assessmentRecord({ jobseeker: true });
    const a = toDatastoreWrite(assessment, { viite: recordViite(assessment), planId: null });
    expect(a).toEqual({
      service: 'assessments',
      body: { viite: recordViite(assessment), hetu: RECORD_HETU, kunta: '905', arviointipvm: '2026-02-16', valmis: true },
    });
    expect(dsArviointi.parse(a.body)).toEqual(a.body);

    const plan = planRecord({ kind: 'family', exceptionReason: 'syy' });
    const p = toDatastoreWrite(plan, { viite: recordViite(plan), planId: null });
    expect(p).toEqual({
      service: 'plans',
      body: { viite: recordViite(plan), hetu: RECORD_HETU, kunta: '905', tyyppi: 'PERHE', voimassaAlkaen: '2026-03-02', voimassaAsti: '2027-03-01' },
    });
    expect(dsSuunnitelma.parse(p.body)).toEqual(p.body);

    const review = reviewRecord({ extendedUntil: '2027-09-01' });
    const r = toDatastoreWrite(review, { viite: recordViite(review), planId: 'SUU-000002' });
    expect(r.body).toEqual({
      viite: recordViite(review),
      hetu: RECORD_HETU,
      kunta: '905',
      suunnitelmaTunniste: 'SUU-000002',
      tarkistuspvm: '2026-08-31',
      jatkoAsti: '2027-09-01',
    });
    expect(dsTarkistus.parse(r.body)).toEqual(r.body);

    const completion = completionRecord({ service: 'self-motivated-study' });
    const c = toDatastoreWrite(completion, { viite: recordViite(completion), planId: null });
    expect(c).toMatchObject({ service: 'completions', body: { palvelu: 'OMAEHTOINEN_OPISKELU', alkupvm: '2026-03-09', loppupvm: '2026-04-24', suoritettu: true } });
    expect(dsPalvelusuoritus.parse(c.body)).toEqual(c.body);
  });

  it('refuses to write a review without the store’s identifier of its plan', () => {
    expect(() => toDatastoreWrite(reviewRecord(), { viite: recordViite(reviewRecord()), planId: null })).toThrow(/planId/);
  });
});

describe('the README’s examples', () => {
  it('carry the viites the hub derives for them', () => {
    const readme = readFileSync(new URL('../../contracts/kotoaj/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`"viite": "${writeViite('905', 'plan', 'SUU-2026-00187')}"`);
    expect(readme).toContain(`"viite": "${writeViite('905', 'plan-review', 'TAR-2026-00533')}"`);
    expect(readme).toContain(`"suunnitelmaViite": "${writeViite('905', 'plan', 'SUU-2026-00187')}"`);
  });
});
