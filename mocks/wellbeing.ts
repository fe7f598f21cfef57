/**
 * Mock of a wellbeing services county's FHIR R4 server (contracts/wellbeing/README.md "The wire:
 * FHIR R4"): what the hub sends a consultation or a cooperation request to, and reads the county's
 * answers back from.
 *
 * REST, as much of it as the hub uses: `POST [base]` a `transaction` Bundle (conditional creates by
 * `ifNoneExist`, `urn:uuid:` references rewritten to the created resources), `POST [base]/{type}`
 * (honouring `If-None-Exist`), `GET [base]/{type}/{id}`, and `GET [base]/{type}?identifier=…`
 * (`Task` also by `group-identifier`), answering a `searchset` Bundle. Errors are OperationOutcomes:
 * 400 a body that is not JSON, 404 no such resource or interaction, 412 a conditional create that
 * matches more than one, 422 a resource that breaks R4 or the hub profile it claims (the county
 * validates what it is sent, with the same validator as the hub, and names element paths only).
 *
 * `[base]` is the county's FHIR base: `fhirBasePath` (e.g. `/R4`) directly, or the same below an
 * X-Road REST service (`/r1/{instance}/{class}/{member}/{subsystem}/{service}/R4/…`, what the
 * security-server stand-in forwards).
 *
 * The county answers each Task it received after a delay, or never (`behaviour`, changeable while
 * it runs). Time is the server's clock (`timing`, real by default): a Task is answered when it is
 * read at or after its creation plus the delay, so a test with an injected clock decides when.
 * Seeded with `resources` (stored as if created before the start) and the fault PRNG's `seed`;
 * besides the framework's faults, the custom fault `invalidTask` answers every Task read with a
 * status R4 does not know, which the hub must refuse.
 */
import { consultationAnswers, cooperationDeclineReasons } from '#contracts/messages/wellbeing';
import { CODE_SYSTEMS, NAMING_SYSTEMS, PROFILES, type ProfileUrl } from '#contracts/wellbeing/fhir/systems';
import { validateFhir, type FhirFinding } from '#contracts/wellbeing/fhir/validate';
import type { CountyId } from '#contracts/wellbeing/counties';
import type { CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import {
  realClock,
  startMockServer,
  type MockClock,
  type MockRequest,
  type MockResponse,
  type MockRoute,
  type MockServer,
  type SystemMockOptions,
} from '#mocks/framework';

type Resource = { resourceType: string; id?: string; meta?: Record<string, unknown> } & Record<string, unknown>;

const RESOURCE_TYPES = ['Patient', 'ServiceRequest', 'Task'] as const;
type ResourceType = (typeof RESOURCE_TYPES)[number];
const isResourceType = (type: unknown): type is ResourceType => RESOURCE_TYPES.includes(type as ResourceType);

/** How the county answers a consultation: each person's answer after `afterMs`, or never. */
export type ConsultationBehaviour =
  | { readonly kind: 'never' }
  | {
      readonly kind: 'answer';
      readonly afterMs: number;
      /** The answer about one person (by pseudonym); default `no-objection` with a short comment. */
      readonly answer?: (pseudonym: string) => { answer: (typeof consultationAnswers)[number]; comment: string };
    };

/** How the county answers a cooperation request: accepts naming a responsible person, declines, or never. */
export type CooperationBehaviour =
  | { readonly kind: 'never' }
  | {
      readonly kind: 'accept';
      readonly afterMs: number;
      readonly responsible: { readonly name: string; readonly phone?: string; readonly email?: string };
    }
  | {
      readonly kind: 'decline';
      readonly afterMs: number;
      readonly reason: (typeof cooperationDeclineReasons)[number];
      readonly explanation?: string;
    };

export interface CountyBehaviour {
  readonly consultation: ConsultationBehaviour;
  readonly cooperation: CooperationBehaviour;
}

export const DEFAULT_COUNTY_BEHAVIOUR: CountyBehaviour = Object.freeze<CountyBehaviour>({
  consultation: { kind: 'answer', afterMs: 0 },
  cooperation: {
    kind: 'accept',
    afterMs: 0,
    responsible: { name: 'Sanna Sosiaaliohjaaja', phone: '+358 40 000 0000', email: 'sosiaaliohjaus@county.example' },
  },
});

export interface CountyMockOptions extends SystemMockOptions {
  readonly county: CountyId;
  /** The FHIR base path the county publishes, empty or like `/R4` (contracts/wellbeing/endpoint.ts `fhirBasePath`). */
  readonly fhirBasePath?: string;
  readonly behaviour?: Partial<CountyBehaviour>;
  /** Resources stored at the start (and again after a reset), each with its `resourceType` and `id`. */
  readonly resources?: readonly Resource[];
  /**
   * Served directly over HTTPS with this certificate and key, admitting only the client certificates
   * registered with `admit` (as a county registers the hub's): what a county reached directly is.
   */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface CountyMock extends MockServer {
  readonly county: CountyId;
  /** Change how the county answers from now on (Tasks already answered stay as they are). */
  behave(behaviour: Partial<CountyBehaviour>): void;
  /** Every stored resource of a type, in creation order, with the county's answers applied as of now. */
  resources(type: ResourceType): Resource[];
  /**
   * The county changes a stored resource (its worker corrects an answer, or a system of its spoils
   * one): `change` gets the resource as it stands, answered if due, and what it returns is stored as
   * a new version (`meta.versionId` one up, `meta.lastUpdated` now), as a FHIR server's update does.
   * The new version, or undefined when there is no such resource.
   */
  update(type: ResourceType, id: string, change: (resource: Resource) => Resource): Resource | undefined;
}

// ---------------------------------------------------------------------------------------------
// OperationOutcome answers

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const fhirJson = (status: number, body: unknown, headers: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { 'content-type': FHIR_JSON, ...headers },
  body: JSON.stringify(body),
});

/** An OperationOutcome naming where the problem is (element paths), never a value. */
export const operationOutcome = (status: number, code: string, issues: readonly { diagnostics: string; expression?: string }[]): MockResponse =>
  fhirJson(status, {
    resourceType: 'OperationOutcome',
    issue: issues.map((issue) => ({
      severity: 'error',
      code,
      diagnostics: issue.diagnostics,
      ...(issue.expression ? { expression: [issue.expression] } : {}),
    })),
  });

const invalid = (findings: readonly FhirFinding[], where: string): MockResponse =>
  operationOutcome(
    422,
    'invariant',
    findings.map((f) => ({ diagnostics: f.message, expression: where ? `${where}.${f.path}` : f.path })),
  );

// ---------------------------------------------------------------------------------------------
// The store

const PROFILE_URLS = new Set<string>(Object.values(PROFILES));

/** Errors of a resource against R4 and the hub profile it claims, if it claims one. */
function findingsOf(resource: Resource): FhirFinding[] {
  const claimed = ((resource.meta?.profile as string[] | undefined) ?? []).find((url) => PROFILE_URLS.has(url)) as ProfileUrl | undefined;
  return validateFhir(resource, claimed);
}

interface Stored {
  resource: Resource;
  readonly createdAt: number;
}

interface Identifier {
  readonly system?: string;
  readonly value?: string;
}

/** `system|value`, `|value` or `value`, as FHIR's token search takes it. */
function tokenMatches(token: string, identifiers: readonly Identifier[]): boolean {
  const bar = token.indexOf('|');
  const system = bar < 0 ? undefined : token.slice(0, bar);
  const value = bar < 0 ? token : token.slice(bar + 1);
  return identifiers.some((id) => id.value === value && (system === undefined || system === '' || id.system === system));
}

class CountyStore {
  private readonly stored = new Map<ResourceType, Stored[]>();
  private sequence = 0;

  constructor(
    private readonly county: CountyId,
    private readonly clock: MockClock,
    private readonly seed: readonly Resource[],
    public behaviour: CountyBehaviour,
  ) {
    this.reset();
  }

  reset(): void {
    this.stored.clear();
    this.sequence = 0;
    for (const resource of this.seed) {
      if (!isResourceType(resource.resourceType)) throw new Error(`a seeded resource must be one of ${RESOURCE_TYPES.join(', ')}`);
      this.list(resource.resourceType).push({ resource: structuredClone(resource), createdAt: this.clock.now() });
    }
  }

  list(type: ResourceType): Stored[] {
    let list = this.stored.get(type);
    if (!list) this.stored.set(type, (list = []));
    return list;
  }

  /** Every resource of the type with the county's answers applied as of now. */
  all(type: ResourceType): Resource[] {
    return this.list(type).map((entry) => this.current(type, entry));
  }

  read(type: ResourceType, id: string): Resource | undefined {
    const entry = this.list(type).find((e) => e.resource.id === id);
    return entry ? this.current(type, entry) : undefined;
  }

  search(type: ResourceType, query: URLSearchParams): Resource[] | { unsupported: string } {
    const filters: ((r: Resource) => boolean)[] = [];
    for (const [name, token] of query) {
      if (name === 'identifier') filters.push((r) => tokenMatches(token, (r.identifier as Identifier[] | undefined) ?? []));
      else if (name === 'group-identifier' && type === 'Task') filters.push((r) => tokenMatches(token, r.groupIdentifier ? [r.groupIdentifier as Identifier] : []));
      else if (!name.startsWith('_')) return { unsupported: name };
    }
    return this.all(type).filter((r) => filters.every((f) => f(r)));
  }

  update(type: ResourceType, id: string, change: (resource: Resource) => Resource): Resource | undefined {
    const entry = this.list(type).find((e) => e.resource.id === id);
    if (!entry) return undefined;
    const changed = change(this.current(type, entry));
    const version = String(Number((entry.resource.meta?.versionId as string | undefined) ?? '1') + 1);
    entry.resource = { ...changed, id, meta: { ...changed.meta, versionId: version, lastUpdated: new Date(this.clock.now()).toISOString() } };
    return structuredClone(entry.resource);
  }

  create(resource: Resource): Resource {
    this.sequence += 1;
    const id = `${this.county}-${String(this.sequence).padStart(6, '0')}`;
    const now = new Date(this.clock.now()).toISOString();
    const created: Resource = { ...structuredClone(resource), id, meta: { ...resource.meta, versionId: '1', lastUpdated: now } };
    this.list(resource.resourceType as ResourceType).push({ resource: created, createdAt: this.clock.now() });
    return created;
  }

  /** The stored resource, a Task first answered if the county's delay has run out. */
  private current(type: ResourceType, entry: Stored): Resource {
    if (type === 'Task' && entry.resource.status === 'requested') {
      const answered = this.answer(entry);
      if (answered) entry.resource = answered;
    }
    return structuredClone(entry.resource);
  }

  private answer(entry: Stored): Resource | undefined {
    const task = entry.resource;
    const kind = (task.code as { coding?: { system?: string; code?: string }[] } | undefined)?.coding?.find(
      (c) => c.system === CODE_SYSTEMS.requestKind,
    )?.code;
    const behaviour = kind === 'consultation' ? this.behaviour.consultation : kind === 'cooperation' ? this.behaviour.cooperation : undefined;
    if (!behaviour || behaviour.kind === 'never' || this.clock.now() < entry.createdAt + behaviour.afterMs) return undefined;
    const now = new Date(this.clock.now()).toISOString();
    const version = String(Number((task.meta?.versionId as string | undefined) ?? '1') + 1);
    const changed: Resource = { ...task, meta: { ...task.meta, versionId: version, lastUpdated: now }, lastModified: now };
    const pseudonym = ((task.identifier as Identifier[] | undefined) ?? []).find((i) => i.system === NAMING_SYSTEMS.requestItem)?.value ?? '';
    const type = (system: string, code: string) => ({ coding: [{ system, code }] });
    switch (behaviour.kind) {
      case 'answer': {
        const { answer, comment } = behaviour.answer?.(pseudonym) ?? { answer: 'no-objection' as const, comment: 'Ei huomautettavaa.' };
        return { ...changed, status: 'completed', output: [{ type: type(CODE_SYSTEMS.consultationAnswer, answer), valueString: comment }] };
      }
      case 'accept': {
        const { name, phone, email } = behaviour.responsible;
        const telecom = [...(phone ? [{ system: 'phone', value: phone }] : []), ...(email ? [{ system: 'email', value: email }] : [])];
        return {
          ...changed,
          status: 'accepted',
          output: [{ type: type(CODE_SYSTEMS.taskParameter, 'responsible-person'), valueContactDetail: { name, telecom } }],
        };
      }
      case 'decline':
        return {
          ...changed,
          status: 'rejected',
          statusReason: { ...type(CODE_SYSTEMS.cooperationDecline, behaviour.reason), ...(behaviour.explanation ? { text: behaviour.explanation } : {}) },
        };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Interactions

const location = (r: Resource): string => `${r.resourceType}/${r.id ?? ''}/_history/${String(r.meta?.versionId ?? '1')}`;
const versionHeaders = (r: Resource): Record<string, string> => ({
  etag: `W/"${String(r.meta?.versionId ?? '1')}"`,
  'last-modified': new Date(String(r.meta?.lastUpdated ?? 0)).toUTCString(),
});

function parseJson(req: MockRequest): { ok: unknown } | { error: MockResponse } {
  try {
    return { ok: JSON.parse(req.body) as unknown };
  } catch {
    return { error: operationOutcome(400, 'structure', [{ diagnostics: 'the body is not JSON' }]) };
  }
}

/** The existing resource a conditional create (`identifier=…`) finds, or an error when it is ambiguous or unsupported. */
function conditional(store: CountyStore, type: ResourceType, criteria: string | undefined): { existing?: Resource } | { error: MockResponse } {
  if (!criteria) return {};
  const found = store.search(type, new URLSearchParams(criteria));
  if ('unsupported' in found) return { error: operationOutcome(400, 'not-supported', [{ diagnostics: `search parameter ${found.unsupported} is not supported` }]) };
  if (found.length > 1) return { error: operationOutcome(412, 'duplicate', [{ diagnostics: 'the conditional create matches more than one resource' }]) };
  return found[0] ? { existing: found[0] } : {};
}

/** Replaces every `reference` that names a `urn:uuid:` of the transaction with the created resource. */
function resolveReferences(value: unknown, created: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, created));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === 'reference' && typeof inner === 'string' && created.has(inner) ? created.get(inner) : resolveReferences(inner, created),
    ]),
  );
}

interface TransactionEntry {
  readonly fullUrl?: string;
  readonly resource?: Resource;
  readonly request?: { readonly method?: string; readonly url?: string; readonly ifNoneExist?: string };
}

/**
 * A transaction: every entry is checked before any is stored (all or nothing), then created or
 * found by its conditional create, in order; references between entries then point at the stored ones.
 */
function transaction(store: CountyStore, bundle: Resource): MockResponse {
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction') {
    return operationOutcome(400, 'not-supported', [{ diagnostics: 'POST to the base takes a Bundle of type transaction', expression: 'Bundle.type' }]);
  }
  const entries = (bundle.entry as TransactionEntry[] | undefined) ?? [];
  for (const [at, entry] of entries.entries()) {
    const where = `Bundle.entry[${at}]`;
    const resource = entry.resource;
    if (entry.request?.method !== 'POST' || !resource || !isResourceType(resource.resourceType) || entry.request.url !== resource.resourceType) {
      return operationOutcome(400, 'not-supported', [{ diagnostics: `only POST of ${RESOURCE_TYPES.join(', ')} to its type is supported`, expression: `${where}.request` }]);
    }
    const findings = findingsOf(resource);
    if (findings.length > 0) return invalid(findings, `${where}.resource`);
    const found = conditional(store, resource.resourceType, entry.request.ifNoneExist);
    if ('error' in found) return found.error;
  }
  const created = new Map<string, string>();
  const outcomes: { resource: Resource; fresh: boolean }[] = [];
  for (const entry of entries) {
    const resource = entry.resource as Resource;
    const found = conditional(store, resource.resourceType as ResourceType, entry.request?.ifNoneExist) as { existing?: Resource };
    const stored = found.existing ?? store.create(resolveReferences(resource, created) as Resource);
    if (entry.fullUrl) created.set(entry.fullUrl, `${stored.resourceType}/${stored.id ?? ''}`);
    outcomes.push({ resource: stored, fresh: !found.existing });
  }
  // A resource created before one it refers to (a Patient before its Task is fine; the reverse is
  // not in the hub's order) has its references fixed once everything has an id.
  for (const { resource, fresh } of outcomes) {
    if (!fresh) continue;
    const entry = store.list(resource.resourceType as ResourceType).find((e) => e.resource.id === resource.id);
    if (entry) entry.resource = resolveReferences(entry.resource, created) as Resource;
  }
  return fhirJson(200, {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: outcomes.map(({ resource, fresh }) => ({
      response: {
        status: fresh ? '201 Created' : '200 OK',
        location: location(resource),
        etag: `W/"${String(resource.meta?.versionId ?? '1')}"`,
        lastModified: resource.meta?.lastUpdated,
      },
    })),
  });
}

function countyRoutes(store: CountyStore, base: string): MockRoute<null>[] {
  const typed = (suffix: string) => new RegExp(`^${base}/(${RESOURCE_TYPES.join('|')})${suffix}$`);
  return [
    {
      name: 'county.transaction',
      method: 'POST',
      pattern: new RegExp(`^${base}/?$`),
      handle(req) {
        const parsed = parseJson(req);
        return 'error' in parsed ? parsed.error : transaction(store, parsed.ok as Resource);
      },
    },
    {
      name: 'county.create',
      method: 'POST',
      pattern: typed(''),
      handle(req, match) {
        const type = match[1] as ResourceType;
        const parsed = parseJson(req);
        if ('error' in parsed) return parsed.error;
        const resource = parsed.ok as Resource;
        if (resource?.resourceType !== type) return operationOutcome(400, 'invalid', [{ diagnostics: `the body must be a ${type}`, expression: 'resourceType' }]);
        const findings = findingsOf(resource);
        if (findings.length > 0) return invalid(findings, '');
        const header = req.headers['if-none-exist'];
        const found = conditional(store, type, typeof header === 'string' ? header : undefined);
        if ('error' in found) return found.error;
        if (found.existing) return fhirJson(200, found.existing, versionHeaders(found.existing));
        const created = store.create(resource);
        return fhirJson(201, created, { location: location(created), ...versionHeaders(created) });
      },
    },
    {
      name: 'county.read',
      method: 'GET',
      pattern: typed('/([A-Za-z0-9.-]{1,64})'),
      handle(_req, match) {
        const resource = store.read(match[1] as ResourceType, match[2] ?? '');
        return resource
          ? fhirJson(200, resource, versionHeaders(resource))
          : operationOutcome(404, 'not-found', [{ diagnostics: `no ${match[1] ?? ''} with this id` }]);
      },
    },
    {
      name: 'county.search',
      method: 'GET',
      pattern: typed(''),
      handle(req, match) {
        const found = store.search(match[1] as ResourceType, req.query);
        if ('unsupported' in found) return operationOutcome(400, 'not-supported', [{ diagnostics: `search parameter ${found.unsupported} is not supported` }]);
        return fhirJson(200, {
          resourceType: 'Bundle',
          type: 'searchset',
          total: found.length,
          entry: found.map((resource) => ({ fullUrl: `${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode: 'match' } })),
        });
      },
    },
  ];
}

/** The custom fault `invalidTask`: every Task in the answer gets a status R4 does not know. */
async function invalidTask(normal: () => Promise<MockResponse>): Promise<MockResponse> {
  const answer = await normal();
  const body = JSON.parse(answer.body) as Resource;
  const spoil = (r: Resource): Resource => (r.resourceType === 'Task' ? { ...r, status: 'answered' } : r);
  const spoilt =
    body.resourceType === 'Bundle'
      ? { ...body, entry: ((body.entry as { resource?: Resource }[] | undefined) ?? []).map((e) => (e.resource ? { ...e, resource: spoil(e.resource) } : e)) }
      : spoil(body);
  return { ...answer, body: JSON.stringify(spoilt) };
}

/** Starts a county's FHIR server mock. */
export async function createCountyMock(options: CountyMockOptions): Promise<CountyMock> {
  const basePath = options.fhirBasePath ?? '';
  if (!/^(\/[A-Za-z0-9._~-]+)*$/.test(basePath)) throw new Error('fhirBasePath must be empty or a path like /R4');
  const store = new CountyStore(options.county, options.timing ?? realClock, options.resources ?? [], {
    ...DEFAULT_COUNTY_BEHAVIOUR,
    ...options.behaviour,
  });
  // Directly at the base, or below an X-Road REST service: /r1/{instance}/{class}/{member}/{subsystem}/{service}.
  const base = `(?:/r1/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+)?${basePath.replace(/[.]/g, '\\.')}`;
  const server = await startMockServer<null>({
    host: options.host,
    port: options.port,
    seed: options.seed,
    faults: options.faults,
    maxLogEntries: options.maxLogEntries,
    timing: options.timing,
    system: `wellbeing:${options.county}`,
    population: null,
    routes: countyRoutes(store, base),
    notFound: () => operationOutcome(404, 'not-supported', [{ diagnostics: 'no such FHIR interaction on this server' }]),
    faultBody: (code, message) => operationOutcome(500, 'exception', [{ diagnostics: `${code}: ${message}` }]),
    custom: { invalidTask: (_req, ctx) => invalidTask(ctx.normal) },
    onReset: () => store.reset(),
    ...(options.tls
      ? { tls: { ...options.tls, refused: operationOutcome(401, 'security', [{ diagnostics: 'the client did not present a registered TLS certificate' }]) } }
      : {}),
  });
  return {
    ...server,
    county: options.county,
    behave: (behaviour) => {
      store.behaviour = { ...store.behaviour, ...behaviour };
    },
    resources: (type) => store.all(type),
    update: (type, id, change) => store.update(type, id, change),
  };
}

// ---------------------------------------------------------------------------------------------
// The counties the embedded runtime starts

/**
 * The counties the mocks stand in for, and how each is reached: Pohjanmaa (Vaasa's county, the
 * demo municipality's) over X-Road under a made-up member code, Helsinki directly at its https URL,
 * admitting only the client certificates registered with `admit` (the hub's).
 * Every other county has no endpoint: a request for one is refused as unconfigured.
 */
export const MOCK_COUNTY_XROAD = Object.freeze({
  xRoadInstance: 'FI',
  memberClass: 'GOV',
  /** Not a real county's business ID (the check digit holds, so the hub's checks take it). */
  memberCode: '9000001-1',
  subsystemCode: 'pohjanmaa-fhir',
  serviceCode: 'fhir',
});

export interface CountyMocks {
  readonly mocks: readonly CountyMock[];
  /** The endpoint configuration of each (contracts/wellbeing/endpoint.ts), for the hub. */
  readonly endpoints: readonly CountyEndpointV1[];
  /** Member code → system name, for the security-server stand-in. */
  readonly members: Readonly<Record<string, string>>;
  /** The CA each county reached directly proves its server certificate by (PEM), by county: what the hub is told to trust for it. */
  readonly directCas: Readonly<Partial<Record<CountyId, string>>>;
  /** Registers a caller's client certificate (and its issuer) with every county reached directly. */
  admit(certificate: string, issuer: string): void;
  close(): Promise<void>;
}

/**
 * Starts the county mocks: Pohjanmaa behind X-Road (plain HTTP behind the stand-in, as the other
 * registers), Helsinki directly over mutual TLS with `tls` as its server certificate and `tls.ca` the
 * CA that issued it.
 */
export async function startCountyMocks(
  tls: { readonly cert: string; readonly key: string; readonly ca: string },
  options: Omit<CountyMockOptions, 'county' | 'fhirBasePath' | 'tls'> = {},
): Promise<CountyMocks> {
  const pohjanmaa = await createCountyMock({ ...options, county: 'pohjanmaa', fhirBasePath: '/R4' });
  const helsinki = await createCountyMock({ ...options, county: 'helsinki', fhirBasePath: '/fhir', tls: { cert: tls.cert, key: tls.key } }).catch(async (error: unknown) => {
    await pohjanmaa.close();
    throw error;
  });
  return {
    mocks: [pohjanmaa, helsinki],
    endpoints: [
      { county: 'pohjanmaa', transport: { kind: 'x-road', service: { ...MOCK_COUNTY_XROAD }, fhirBasePath: '/R4' } },
      { county: 'helsinki', transport: { kind: 'direct', fhirBaseUrl: `${helsinki.url}/fhir`, authentication: 'mutual-tls' } },
    ],
    members: { [MOCK_COUNTY_XROAD.memberCode]: 'wellbeing:pohjanmaa' },
    directCas: { helsinki: tls.ca },
    admit: (certificate, issuer) => helsinki.admit!(certificate, issuer),
    close: async () => {
      await helsinki.close();
      await pohjanmaa.close();
    },
  };
}
