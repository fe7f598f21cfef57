/**
 * Mock of the national integration data store (kotoutumisen tietovaranto), in the wire format of
 * contracts/datastore (defined by koto-hub).
 *
 * Reads answer from the population's `integration` field — a non-null `assessmentDate` is one
 * completed assessment; `planValidFrom` and `planValidUntil` together are one basic plan — plus
 * every write accepted since the start (or the last reset), kept in memory. A person with no
 * record is not an error: 200 with `asiakas: false` and empty lists. The status is read with
 * `POST …/asiakkuus/v2` and the code in the body; the retired `GET …/asiakkuus/v1/{hetu}` is refused
 * with 410 and never read. Writes are checked against the schemas and the plan rules of
 * contracts/datastore/rules.ts; a repeated `viite` gets the first answer again.
 */
import type { FixturePopulation, FixturePerson } from '#contracts/population';
import {
  DATASTORE_ERROR_TYPES,
  DATASTORE_SERVICE,
  arviointiKirjaus,
  asiakkuusKysely,
  palvelusuoritusKirjaus,
  suunnitelmaKirjaus,
  tarkistusKirjaus,
  type AsiakkuusVastaus,
  type KirjausVastaus,
  type Palvelu,
  type SuunnitelmaTyyppi,
} from '#contracts/datastore/wire';
import {
  checkCompletion,
  checkNewPlan,
  checkReview,
  nextReviewDue,
  type NoticeCode,
  type PlanState,
  type RuleViolation,
} from '#contracts/datastore/rules';
import {
  json,
  startMockServer,
  xroadEchoHeaders,
  xroadRestError,
  type MockRequest,
  type MockResponse,
  type MockRoute,
  type MockServer,
  type SystemMockOptions,
} from '#mocks/framework';
import { asPopulationIndex, type PopulationIndex } from '#mocks/population-index';
import type * as z from '#contracts/zod';

interface StoredAssessment {
  id: string;
  municipality: string;
  date: string;
  completed: boolean;
}

interface StoredPlan extends PlanState {
  municipality: string;
  kind: SuunnitelmaTyyppi;
  validUntil: string;
  reviews: { id: string; date: string; extendUntil: string | null }[];
}

interface StoredCompletion {
  id: string;
  municipality: string;
  service: Palvelu;
  from: string;
  to: string | null;
  completed: boolean;
}

interface CustomerRecord {
  assessments: StoredAssessment[];
  plans: StoredPlan[];
  completions: StoredCompletion[];
}

const s = DATASTORE_SERVICE;
const base = `^/r1/([^/]+)/${s.memberClass}/${s.memberCode}/${s.subsystemCode}`;
const servicePath = (service: keyof typeof s.services): RegExp => new RegExp(`${base}/${s.services[service]}/${s.versions[service]}/?$`);
/** The retired status v1, `GET …/asiakkuus/v1/{hetu}`: only recognised, to be refused. */
const RETIRED_STATUS_V1 = new RegExp(`${base}/${s.services.status}/v1(?:/.*)?$`);

/** The store: population-seeded records and accepted writes. */
class DatastoreState {
  private records = new Map<string, CustomerRecord>();
  private references = new Map<string, { fingerprint: string; answer: KirjausVastaus }>();
  private sequence = 0;

  constructor(private readonly population: PopulationIndex) {}

  reset(): void {
    this.records.clear();
    this.references.clear();
    this.sequence = 0;
  }

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}-${String(this.sequence).padStart(6, '0')}`;
  }

  /** The person's record, seeded from the population on first use; undefined when there is none. */
  find(hetu: string): CustomerRecord | undefined {
    const known = this.records.get(hetu);
    if (known) return known;
    const person = this.population.byHetu(hetu);
    const seeded = person ? seedRecord(person, this.population.persons.indexOf(person)) : undefined;
    if (seeded) this.records.set(hetu, seeded);
    return seeded;
  }

  store(hetu: string, record: CustomerRecord): void {
    this.records.set(hetu, record);
  }

  replay(reference: string, fingerprint: string): MockResponse | undefined {
    const earlier = this.references.get(reference);
    if (!earlier) return undefined;
    return earlier.fingerprint === fingerprint
      ? json(200, earlier.answer)
      : xroadRestError(409, DATASTORE_ERROR_TYPES.conflict, 'viite was already used for a different document', 'viite');
  }

  remember(reference: string, fingerprint: string, answer: KirjausVastaus): MockResponse {
    this.references.set(reference, { fingerprint, answer });
    return json(201, answer);
  }
}

function seedRecord(person: FixturePerson, position: number): CustomerRecord | undefined {
  const { assessmentDate, planValidFrom, planValidUntil } = person.integration;
  const tag = `P${String(position).padStart(6, '0')}`;
  const record: CustomerRecord = { assessments: [], plans: [], completions: [] };
  if (assessmentDate !== null) {
    record.assessments.push({ id: `ARV-${tag}`, municipality: person.homeMunicipality, date: assessmentDate, completed: true });
  }
  if (planValidFrom !== null && planValidUntil !== null) {
    record.plans.push({
      id: `SUU-${tag}`,
      municipality: person.homeMunicipality,
      kind: 'PERUS',
      validFrom: planValidFrom,
      validUntil: planValidUntil,
      originalValidUntil: planValidUntil,
      reviews: [],
    });
  }
  return record.assessments.length + record.plans.length > 0 ? record : undefined;
}

function statusOf(hetu: string, record: CustomerRecord | undefined): AsiakkuusVastaus {
  return {
    hetu,
    asiakas: record !== undefined,
    arvioinnit: (record?.assessments ?? []).map((a) => ({
      tunniste: a.id,
      kunta: a.municipality,
      arviointipvm: a.date,
      valmis: a.completed,
    })),
    suunnitelmat: (record?.plans ?? []).map((p) => ({
      tunniste: p.id,
      kunta: p.municipality,
      tyyppi: p.kind,
      voimassaAlkaen: p.validFrom,
      voimassaAsti: p.validUntil,
      alkuperainenVoimassaAsti: p.originalValidUntil,
      seuraavaTarkistusViimeistaan: nextReviewDue(p),
      tarkistukset: p.reviews.map((r) => ({ tunniste: r.id, tarkistuspvm: r.date, jatkoAsti: r.extendUntil })),
    })),
    palvelusuoritukset: (record?.completions ?? []).map((c) => ({
      tunniste: c.id,
      kunta: c.municipality,
      palvelu: c.service,
      alkupvm: c.from,
      loppupvm: c.to,
      suoritettu: c.completed,
    })),
  };
}

const missingClient = (req: MockRequest): MockResponse | undefined =>
  typeof req.headers['x-road-client'] === 'string'
    ? undefined
    : xroadRestError(400, DATASTORE_ERROR_TYPES.invalid, 'the X-Road-Client header is missing', 'X-Road-Client');

const ruleError = (violations: readonly RuleViolation[]): MockResponse =>
  xroadRestError(
    422,
    DATASTORE_ERROR_TYPES.rule,
    violations.map((v) => `${v.field}: ${v.message}`).join('; '),
    violations.map((v) => v.code).join(','),
  );

/**
 * Parses a request body (a write, or the status query) with its schema. Answers 400 naming the
 * fields; the values are left out (zod's issues do not carry the input).
 */
function parseBody<S extends z.ZodMiniType>(schema: S, what: string, req: MockRequest): { ok: z.infer<S> } | { error: MockResponse } {
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    return { error: xroadRestError(400, DATASTORE_ERROR_TYPES.invalid, `the ${what} is not JSON`, '(body)') };
  }
  const result = schema.safeParse(body);
  if (result.success) return { ok: result.data };
  const fields = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  return {
    error: xroadRestError(400, DATASTORE_ERROR_TYPES.invalid, `invalid ${what}`, fields.join('; ')),
  };
}

/**
 * Shared shape of a write route: X-Road client, schema, idempotent replay, then `apply` which
 * returns rule violations or the new record's identifier.
 */
function writeRoute<S extends z.ZodMiniType<{ viite: string; hetu: string }>>(
  name: string,
  service: Exclude<keyof typeof s.services, 'status'>,
  schema: S,
  what: string,
  state: DatastoreState,
  apply: (write: z.infer<S>, record: CustomerRecord) => { violations: RuleViolation[]; notices?: NoticeCode[]; id?: string },
): MockRoute<PopulationIndex> {
  return {
    name,
    method: 'POST',
    pattern: servicePath(service),
    handle(req) {
      const noClient = missingClient(req);
      if (noClient) return noClient;
      const parsed = parseBody(schema, what, req);
      if ('error' in parsed) return parsed.error;
      const write = parsed.ok;
      const fingerprint = JSON.stringify(write);
      const replayed = state.replay(write.viite, fingerprint);
      if (replayed) return replayed;
      const existing = state.find(write.hetu);
      const record = existing ?? { assessments: [], plans: [], completions: [] };
      const outcome = apply(write, record);
      if (outcome.violations.length > 0 || outcome.id === undefined) return ruleError(outcome.violations);
      // A first write makes the person a customer.
      if (!existing) state.store(write.hetu, record);
      return state.remember(write.viite, fingerprint, { viite: write.viite, tunniste: outcome.id, huomautukset: outcome.notices ?? [] });
    },
  };
}

function datastoreRoutes(state: DatastoreState): MockRoute<PopulationIndex>[] {
  const statusRoute: MockRoute<PopulationIndex> = {
    name: 'datastore.status',
    method: 'POST',
    pattern: servicePath('status'),
    handle(req, match) {
      const noClient = missingClient(req);
      if (noClient) return noClient;
      const parsed = parseBody(asiakkuusKysely, 'customer status query', req);
      if ('error' in parsed) return parsed.error;
      const hetu = parsed.ok.hetu;
      const service = `${match[1] ?? ''}/${s.memberClass}/${s.memberCode}/${s.subsystemCode}/${s.services.status}/${s.versions.status}`;
      return json(200, statusOf(hetu, state.find(hetu)), xroadEchoHeaders(req, service));
    },
  };

  // What the real store would do with a client still on v1: refuse it at once and plainly, without
  // reading the code in the path (a 404 would be indistinguishable from a wrong path behind X-Road).
  const retiredStatus: MockRoute<PopulationIndex> = {
    name: 'datastore.status.v1',
    method: 'GET',
    pattern: RETIRED_STATUS_V1,
    handle: () =>
      xroadRestError(
        410,
        DATASTORE_ERROR_TYPES.gone,
        `the customer status v1 is retired: POST /${s.services.status}/${s.versions.status} with the identity code in the body`,
        `${s.services.status}/v1`,
      ),
  };

  const assessments = writeRoute('datastore.assessments', 'assessments', arviointiKirjaus, 'assessment', state, (write, record) => {
    const id = state.nextId('ARV');
    record.assessments.push({ id, municipality: write.kunta, date: write.arviointipvm, completed: write.valmis });
    return { violations: [], id };
  });

  const plans = writeRoute('datastore.plans', 'plans', suunnitelmaKirjaus, 'plan', state, (write, record) => {
    const plan = { kind: write.tyyppi, validFrom: write.voimassaAlkaen, validUntil: write.voimassaAsti };
    const violations = checkNewPlan(plan, record.plans);
    if (violations.length > 0) return { violations };
    const id = state.nextId('SUU');
    record.plans.push({ ...plan, id, municipality: write.kunta, originalValidUntil: write.voimassaAsti, reviews: [] });
    return { violations: [], id };
  });

  const reviews = writeRoute('datastore.reviews', 'reviews', tarkistusKirjaus, 'review', state, (write, record) => {
    const plan = record.plans.find((p) => p.id === write.suunnitelmaTunniste);
    const check = checkReview({ date: write.tarkistuspvm, extendUntil: write.jatkoAsti }, plan);
    if (!plan || check.violations.length > 0) return { violations: check.violations };
    const id = state.nextId('TAR');
    plan.reviews.push({ id, date: write.tarkistuspvm, extendUntil: write.jatkoAsti });
    if (write.jatkoAsti !== null) plan.validUntil = write.jatkoAsti;
    return { violations: [], notices: check.notices, id };
  });

  const completions = writeRoute(
    'datastore.completions',
    'completions',
    palvelusuoritusKirjaus,
    'service completion',
    state,
    (write, record) => {
      const violations = checkCompletion({ from: write.alkupvm, to: write.loppupvm });
      if (violations.length > 0) return { violations };
      const id = state.nextId('PAL');
      record.completions.push({
        id,
        municipality: write.kunta,
        service: write.palvelu,
        from: write.alkupvm,
        to: write.loppupvm,
        completed: write.suoritettu,
      });
      return { violations: [], id };
    },
  );

  return [statusRoute, retiredStatus, assessments, plans, reviews, completions];
}

/** Starts the data store mock over a population. */
export function createDatastoreMock(
  population: FixturePopulation | PopulationIndex,
  options: SystemMockOptions = {},
): Promise<MockServer> {
  const index = asPopulationIndex(population);
  const state = new DatastoreState(index);
  return startMockServer({
    ...options,
    system: 'datastore',
    routes: datastoreRoutes(state),
    population: index,
    faultBody: (faultcode, faultstring) => xroadRestError(500, faultcode, faultstring, ''),
    onReset: () => state.reset(),
    // A client still on the retired status v1 puts the identity code, valid or not, after it: mask the rest.
    redactPath: (path) => path.replace(/(\/asiakkuus\/v1\/).+$/, '$1***'),
  });
}
