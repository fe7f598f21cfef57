/**
 * The one declaration of the hub's wiring: every queue, table and function, and which queue feeds
 * which function. The CDK stack (infra/cdk) and the embedded runtime (infra/local) are both built
 * by looping over this file, and the handlers find their queues and tables through the names here.
 *
 * Pure data and a few lookups: no AWS construct and no I/O, so it can be imported anywhere.
 */

export interface QueueSpec {
  /** What the queue carries, for the dashboard and the operators. */
  readonly description: string;
  /** Seconds a received message stays invisible; at least six times the consuming function's timeout (AWS guidance for SQS event sources). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the queue's DLQ. */
  readonly maxReceiveCount: number;
  /** Seconds a message may wait before the "oldest message" alarm fires. */
  readonly maxAgeSeconds: number;
  /** Days a message is kept on the queue (its DLQ keeps messages 14 days, the SQS maximum). */
  readonly retentionDays: number;
  /** The flow whose row of the dashboard shows the queue (see `flows`). */
  readonly flow?: FlowName;
}

export interface TableSpec {
  readonly description: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Attribute holding an epoch-seconds expiry, when items expire. */
  readonly ttlAttribute?: string;
  /**
   * Global secondary indexes (all attributes projected). An item without an index's partition key
   * is simply not in that index (a sparse index).
   */
  readonly indexes?: readonly TableIndexSpec[];
}

export interface TableIndexSpec {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export type TableAccess = 'read' | 'write' | 'readwrite';

export interface BindingSpec {
  /** The queue whose messages invoke the function (Lambda SQS event source mapping). */
  readonly queue: QueueName;
  /** Messages per invocation, at most 10 (one ReceiveMessage call). */
  readonly batchSize: number;
  /** Concurrent invocations the event source may start (2–1000 in AWS). */
  readonly maxConcurrency: number;
}

export interface RateScheduleSpec {
  /**
   * Minutes between invocations: an EventBridge `rate` rule in AWS; on the embedded runtime a
   * scheduler that never overlaps an invocation with the previous one (KOTO_SCHEDULE_SECONDS
   * shortens the period for local runs).
   */
  readonly everyMinutes: number;
}

/** Fields of an EventBridge cron expression (UTC); a field left out is `*` (day and weekDay: `?`). */
export interface CronFields {
  readonly minute?: string;
  readonly hour?: string;
  readonly day?: string;
  readonly month?: string;
  readonly weekDay?: string;
}

export interface CronScheduleSpec {
  /**
   * Calendar times (UTC): an EventBridge `cron` rule in AWS. The embedded runtime keeps no
   * calendar: such a function runs when triggered (`runtime.trigger`), or every
   * KOTO_SCHEDULE_SECONDS when that is set.
   */
  readonly cron: CronFields;
}

export type ScheduleSpec = RateScheduleSpec | CronScheduleSpec;

export interface FunctionSpec {
  readonly description: string;
  /** Module that exports `handler`, relative to the repository root. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly consumes?: BindingSpec;
  /** Invoked on a schedule rather than by a queue: a function with a schedule has no `consumes`. */
  readonly schedule?: ScheduleSpec;
  /** Queues the function sends to; its IAM role gets SendMessage on exactly these. */
  readonly sends: readonly QueueName[];
  /** Tables the function uses and how; its IAM role gets exactly these actions. */
  readonly tables: Readonly<Partial<Record<TableName, TableAccess>>>;
  /**
   * External systems the function calls (through the X-Road security server). In AWS such a
   * function runs in the VPC of the security server and presents the hub's TLS client certificate.
   */
  readonly calls?: readonly ExternalSystem[];
  /** Sends VTJ's own username and password in its queries: may read that secret (Secrets Manager in AWS). */
  readonly vtjCredentials?: true;
  /**
   * Invoked over HTTPS through the door rather than by a queue: in AWS an API Gateway REST API on
   * the hub's custom domain with mutual TLS (the client certificate is the caller's identity).
   */
  readonly http?: 'mtls';
  /** Buckets the function uses and how; its IAM role gets exactly these actions. */
  readonly buckets?: Readonly<Partial<Record<BucketName, BucketAccess>>>;
  /** The flow whose row of the dashboard shows the function; default the flow of its queue (`flowOfFunction`). */
  readonly flow?: FlowName;
  /** Signs webhook pushes: may read the clients' webhook signing secrets (Secrets Manager in AWS). */
  readonly signsWebhooks?: true;
  /**
   * Prepares requests to the wellbeing services counties: reads the counties' endpoint configuration
   * (KOTO_WELLBEING_COUNTIES) and the pseudonym key (a Secrets Manager secret in AWS, a generated
   * file locally).
   */
  readonly wellbeingCounties?: true;
}

/**
 * The business flows, one row each on the operators' dashboard. A queue names its flow; a function
 * is in the flow of the queue it consumes (or, if none, the first it sends to) unless it names one.
 */
export interface FlowSpec {
  readonly title: string;
  readonly description: string;
}

export const flows = {
  'referral-intake': {
    title: 'Referral intake',
    description: 'outreach.referral.v1 posted to ingress by other authorities, recorded as pending candidates',
  },
  'outreach-run': {
    title: 'Outreach run',
    description: "A municipality's monthly run: source lists, candidates, fan-out, decisions, assembly; the schedule and the watchdog",
  },
  'single-decisions': {
    title: 'Single decisions',
    description: 'People who moved in (VTJ change poller) and referrals, each decided as its lookup completes',
  },
  lookups: {
    title: 'Register lookups',
    description: 'Person lookups through VTJ, UMA and the data store, shared by runs and single decisions',
  },
  records: {
    title: 'Municipal records',
    description: 'record.*.v1 posted by municipal systems: checked by the plan rules, acknowledged to the sender (docs/DESIGN.md "Municipal records")',
  },
  wellbeing: {
    title: 'Wellbeing services counties',
    description:
      'wellbeing.consultation / cooperation.requested.v1 posted by municipalities: routed to the county serving them, answers matched back, overdue raised (docs/DESIGN.md "Wellbeing services counties")',
  },
  claims: {
    title: 'Compensation claims',
    description: 'claims.costs.submitted.v1 from finance systems and the CSV import: each row judged against UMA by the compensation rules, accepted rows grouped into claims (docs/DESIGN.md "Compensation claims")',
  },
  delivery: {
    title: 'Delivery to municipalities',
    description: "Target lists ready and single decisions waiting for the municipalities' systems to collect them",
  },
} as const satisfies Record<string, FlowSpec>;

export type FlowName = keyof typeof flows;

/** `write`: PutObject only; `read`: GetObject only (the inbox path that hands a municipality its own list). */
export type BucketAccess = 'write' | 'read';

export interface BucketSpec {
  readonly description: string;
  /** Days an object is kept before S3 removes it (older versions: `noncurrentDays`). */
  readonly expireAfterDays: number;
  /** Days a replaced or deleted object's previous version is kept. */
  readonly noncurrentDays: number;
}

/** S3 buckets (AWS only: on the embedded runtime results go to the data folder, KOTO_RESULTS_DIR). */
export const buckets = {
  results: {
    description: "Delivered outreach results: each run's target list (personal data) and exclusion report",
    expireAfterDays: 400,
    noncurrentDays: 30,
  },
} as const satisfies Record<string, BucketSpec>;

export type BucketName = keyof typeof buckets;

export const tables = {
  correlation: {
    description: 'Process state keyed by correlation id: pending candidates, runs, request/reply matching',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expiresAt',
  },
  audit: {
    description: 'Append-only hop log with a keyed hash of the HETU and a causation digest chain',
    partitionKey: 'correlationId',
    sortKey: 'hop',
    ttlAttribute: 'expiresAt',
    // A person's hops by the keyed hash of their HETU (`koto-hub trace --person`); hops that
    // concern no person carry no `subjectHash` and stay out of it.
    indexes: [{ name: 'bySubject', partitionKey: 'subjectHash', sortKey: 'recordedAt' }],
  },
  inbox: {
    description:
      "Each municipality's inbox: the messages for it in cursor order, a marker per message id, each client's acknowledged cursor (functions/inbox/)",
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expiresAt',
  },
  clients: {
    description: 'The client registry: the systems that may call the hub, their municipalities, message types and certificate fingerprint (contracts/clients.ts)',
    partitionKey: 'clientId',
    // The door finds the caller by the SHA-256 fingerprint of its TLS client certificate.
    indexes: [{ name: 'byCertificate', partitionKey: 'certificateSha256' }],
  },
  pacing: {
    description:
      "Per external system, shared by every instance that calls it: the next moment a request may start (functions/lib/rate-limit.ts) and its circuit breaker's state (functions/lib/breaker)",
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof tables;

/** Queues of an outreach run's own steps. */
function outreachQueue(description: string, flow: FlowName = 'outreach-run'): QueueSpec {
  return { description, visibilityTimeoutSeconds: 90, maxReceiveCount: 5, maxAgeSeconds: 900, retentionDays: 4, flow };
}

/**
 * Queues feeding the adapters of national systems: long enough visibility for a slow register.
 *
 * Sized for a register that is down for an hour (a maintenance break), in AWS as locally: the
 * receives (5, backing off 2+4+8+16 s) are for a failure of one call; an outage opens the system's
 * breaker (`breakerPolicy` below), and while it is open the adapter re-sends each message with a
 * delay instead of failing it, so the wait counts no receive and the budget is the breaker's hold
 * of 6 hours. The visibility timeout stays six times the function's 20 s (AWS guidance).
 */
const adapterQueue = (description: string, flow: FlowName): QueueSpec => ({
  description,
  visibilityTimeoutSeconds: 120,
  maxReceiveCount: 5,
  maxAgeSeconds: 1800,
  retentionDays: 4,
  flow,
});

export const queues = {
  'referral-intake': {
    description: 'outreach.referral.v1 from other authorities, posted to ingress',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    maxAgeSeconds: 900,
    retentionDays: 14,
    flow: 'referral-intake',
  },
  'records-intake': {
    description: 'record.assessment / plan / plan-review / service-completion.v1 from municipal systems, posted to ingress',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    maxAgeSeconds: 900,
    retentionDays: 14,
    flow: 'records',
  },
  'wellbeing-intake': {
    description: 'wellbeing.consultation.requested.v1 and wellbeing.cooperation.requested.v1 from municipal systems, posted to ingress',
    visibilityTimeoutSeconds: 90,
    maxReceiveCount: 5,
    maxAgeSeconds: 900,
    retentionDays: 14,
    flow: 'wellbeing',
  },
  'county-requests': adapterQueue(
    "A request to send to its county (wellbeing.*.requested.v1) or a request whose answers to read (wellbeing.replies.poll.v1): one call to the county's FHIR server per message",
    'wellbeing',
  ),
  'claims-intake': {
    description: 'claims.costs.submitted.v1 from finance systems (ingress) and the CSV import: one batch of cost rows per message',
    // Six times the function's timeout: a batch of 500 persons waits on UMA's rate for about a minute.
    visibilityTimeoutSeconds: 720,
    maxReceiveCount: 5,
    maxAgeSeconds: 3600,
    retentionDays: 14,
    flow: 'claims',
  },
  'ya-claims': adapterQueue('claims.claim.send.requested.v1 and claims.supplement.answered.v1: one claim, or one answer to a supplement request, to send to YA (KEHA centre) per message', 'claims'),
  'kotoaj-writes': adapterQueue('record.write.requested.v1 of people who are not jobseekers: one write to Koto-AJ (KEHA centre) per message', 'records'),
  'datastore-writes': adapterQueue("record.write.requested.v1 of jobseekers: one write to the employment services data store per message", 'records'),
  'vtj-lookups': adapterQueue('lookup.requested.v1 whose next step is VTJ (population information system)', 'lookups'),
  'uma-lookups': adapterQueue('lookup.requested.v1 whose next step is UMA (Migri register of aliens)', 'lookups'),
  'datastore-lookups': adapterQueue('lookup.requested.v1 whose next step is the national integration data store', 'lookups'),
  'kelmu-lists': adapterQueue("kelmu.list.requested.v1: one page of Kela's Kelmu list per message", 'outreach-run'),
  'uma-lists': adapterQueue("uma.protection-list.requested.v1: one page of Migri's list of protection recipients", 'outreach-run'),
  'person-events': {
    description: 'person.moved-in / moved-out / changed events from the VTJ change poller',
    visibilityTimeoutSeconds: 90,
    maxReceiveCount: 5,
    maxAgeSeconds: 3600,
    retentionDays: 14,
    flow: 'single-decisions',
  },
  'outreach-candidates': {
    description: 'Pages of the Kelmu and UMA lists of an outreach run, to be split into candidates',
    visibilityTimeoutSeconds: 90,
    maxReceiveCount: 5,
    maxAgeSeconds: 900,
    retentionDays: 4,
    flow: 'outreach-run',
  },
  'outreach-decisions': {
    description: 'lookup.completed.v1 / lookup.failed.v1 of outreach candidates, to be decided by the outreach rules',
    visibilityTimeoutSeconds: 90,
    maxReceiveCount: 5,
    maxAgeSeconds: 900,
    retentionDays: 4,
    flow: 'outreach-run',
  },
  'outreach-runs': outreachQueue('outreach.run.requested.v1: a run for a municipality and a day (schedule, CLI or ingress)'),
  'outreach-fanout': outreachQueue("outreach.run.fanout.v1: one page of a run's candidates to start the lookups of"),
  'outreach-results': { ...outreachQueue('outreach.run.decided.v1: every candidate of a run has an outcome; assemble and deliver'), visibilityTimeoutSeconds: 360 },
  'single-decisions': outreachQueue('lookup.completed.v1 / lookup.failed.v1 of single candidates (referrals, moves), to be decided at once', 'single-decisions'),
  'ops-events': {
    description: 'outreach.run.stalled.v1 and other events for IT operations (read with koto-hub dlq-style tools or the alarms)',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 10,
    maxAgeSeconds: 86_400,
    retentionDays: 14,
    flow: 'outreach-run',
  },
  'municipality-outbox': {
    description: "outreach.list.ready.v1 and single decisions, each written by municipality-inbox to its municipality's inbox",
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 10,
    maxAgeSeconds: 86_400,
    retentionDays: 14,
    flow: 'delivery',
  },
  'webhook-deliveries': {
    description: 'inbox.webhook.requested.v1: push one inbox message to one client\'s webhook, retried with backoff until its receiver answers 2xx',
    // A failed push comes back after 2 s × 2^(n-1) (capped at the visibility timeout): 12 tries over
    // about 68 minutes; a receiver down longer leaves a dead letter an operator redrives.
    visibilityTimeoutSeconds: 3600,
    maxReceiveCount: 12,
    maxAgeSeconds: 3 * 3600,
    retentionDays: 4,
    flow: 'delivery',
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof queues;

export interface ExternalSystemSpec {
  readonly description: string;
  /**
   * Requests per second the hub may send the system in all, as the register counts them: arrivals
   * in any one-second window (KOTO_RATE_LIMIT_<SYSTEM> overrides). Every caller shares it: paced
   * evenly with a margin for the way there (functions/lib/rate-limit.ts), across instances through
   * the `pacing` table. For a system of many servers (`breakerPer`) it is each server's, unless the
   * server's own configuration names another.
   */
  readonly ratePerSecond: number;
  /**
   * The system is many servers of one kind, each with a breaker of its own (`<system>:<part>`, e.g.
   * `wellbeing:helsinki`) and a rate limit of its own (functions/lib/xroad.ts), so one that is slow
   * or down holds only its own work. None: one breaker and one limit for the system.
   */
  readonly breakerPer?: 'county';
}

/** The external systems the adapters call, each behind its own queue and rate limit. */
export const externalSystems = {
  vtj: { description: 'VTJ, population information system (DVV), over X-Road', ratePerSecond: 20 },
  uma: { description: 'UMA, register of aliens (Migri), over X-Road', ratePerSecond: 10 },
  kelmu: { description: 'Kelmu, Kela benefit register lists, over X-Road', ratePerSecond: 5 },
  datastore: { description: 'National integration data store (KEHA centre), over X-Road', ratePerSecond: 20 },
  kotoaj: { description: "Koto-AJ, KEHA centre's integration customer information system, over X-Road", ratePerSecond: 10 },
  // Each county its own server: its own limit (this figure, unless its endpoint names a `ratePerSecond`) and its own breaker.
  wellbeing: { description: "The wellbeing services counties' FHIR R4 servers, over X-Road or directly with mutual TLS", ratePerSecond: 5, breakerPer: 'county' },
  ya: { description: "YA, KEHA centre's general e-service system (compensation claims), over X-Road", ratePerSecond: 2 },
} as const satisfies Record<string, ExternalSystemSpec>;

export type ExternalSystem = keyof typeof externalSystems;

/**
 * The circuit breaker of every external system (functions/lib/breaker): after `failuresToOpen`
 * transient failures in a row it opens, and the adapters stop calling the system. A probe goes out
 * `firstProbeSeconds` later, then at double the previous interval up to `maxProbeSeconds` (15
 * minutes, the longest SQS delay); the first answer closes it. Work waits on the queue meanwhile,
 * re-sent with a delay until the next probe, for at most `holdSeconds` in all; after that it takes
 * the ordinary retries and dead-letters. A register down for an hour is probed at 30 s, 1.5, 3.5,
 * 7.5, 15.5, 30.5, 45.5 and 60.5 minutes, so the work resumes within 15 minutes of its return.
 * KOTO_BREAKER_<FIELD> (FAILURES_TO_OPEN, FIRST_PROBE_SECONDS, …) overrides a figure (tests scale time).
 */
export interface BreakerPolicySpec {
  readonly failuresToOpen: number;
  readonly firstProbeSeconds: number;
  readonly maxProbeSeconds: number;
  /** A probe that has not ended after this long (its instance died) is given up, and another goes out. */
  readonly probeTimeoutSeconds: number;
  readonly holdSeconds: number;
}

export const breakerPolicy: BreakerPolicySpec = {
  failuresToOpen: 5,
  firstProbeSeconds: 30,
  maxProbeSeconds: 900,
  probeTimeoutSeconds: 60,
  holdSeconds: 6 * 3600,
};

/** Queue of the adapter that asks each system for a person lookup. */
export const lookupQueues = {
  vtj: 'vtj-lookups',
  uma: 'uma-lookups',
  datastore: 'datastore-lookups',
} as const satisfies Record<string, QueueName>;

/** Queue of the adapter that writes each accepted municipal record to its store. */
export const recordWriteQueues = {
  kotoaj: 'kotoaj-writes',
  datastore: 'datastore-writes',
} as const satisfies Record<string, QueueName>;

/** A record writer: one write per message, re-sent to its own queue while the store's breaker is open or the record's plan is not stored yet. */
function recordWriter(system: keyof typeof recordWriteQueues, description: string): FunctionSpec {
  return {
    description,
    entry: `functions/${system}-writer/handler.ts`,
    memoryMb: 256,
    timeoutSeconds: 20,
    consumes: { queue: recordWriteQueues[system], batchSize: 1, maxConcurrency: 2 },
    sends: [recordWriteQueues[system], 'municipality-outbox'],
    tables: { correlation: 'readwrite', audit: 'readwrite', pacing: 'readwrite' },
    calls: [system],
  };
}

/** A lookup adapter passes the slip on to any other lookup queue, or delivers it to a requester's queue. */
const LOOKUP_SENDS = ['vtj-lookups', 'uma-lookups', 'datastore-lookups', 'outreach-decisions', 'single-decisions'] as const satisfies readonly QueueName[];

function lookupAdapter(system: keyof typeof lookupQueues, description: string): FunctionSpec {
  return {
    description,
    entry: `functions/${system}-adapter/handler.ts`,
    memoryMb: 512,
    timeoutSeconds: 20,
    consumes: { queue: lookupQueues[system], batchSize: 10, maxConcurrency: 4 },
    sends: LOOKUP_SENDS,
    tables: { audit: 'readwrite', pacing: 'readwrite' },
    calls: [system],
  };
}

/** A step of an outreach run: keeps the run's state in the correlation table. */
function outreachFunction(
  name: string,
  description: string,
  wiring: Pick<FunctionSpec, 'consumes' | 'sends'> & Partial<Pick<FunctionSpec, 'memoryMb' | 'timeoutSeconds' | 'buckets'>>,
): FunctionSpec {
  return {
    description,
    entry: `functions/${name}/handler.ts`,
    memoryMb: 512,
    timeoutSeconds: 15,
    tables: { correlation: 'readwrite', audit: 'readwrite' },
    ...wiring,
  };
}

export const functions = {
  ingress: {
    description: 'Validates envelopes posted by municipal systems and authorities and enqueues them by type',
    entry: 'functions/ingress/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    http: 'mtls',
    // Every queue of `ingressRoutes` (below): in AWS the role may send only to these.
    sends: ['referral-intake', 'outreach-runs', 'records-intake', 'wellbeing-intake', 'claims-intake', 'ya-claims'],
    tables: { audit: 'write', clients: 'read' },
  },
  'referral-intake': {
    description: 'Records a referral as a pending outreach candidate of its municipality and starts its lookup',
    entry: 'functions/referral-intake/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    consumes: { queue: 'referral-intake', batchSize: 10, maxConcurrency: 2 },
    sends: ['vtj-lookups'],
    tables: { correlation: 'readwrite', audit: 'readwrite' },
  },
  'records-intake': {
    description: "Checks a municipal record by the plan rules, keeps what the rules need of the person's plans, and acknowledges it to the sender",
    entry: 'functions/records-intake/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    consumes: { queue: 'records-intake', batchSize: 10, maxConcurrency: 2 },
    sends: ['municipality-outbox', 'kotoaj-writes', 'datastore-writes'],
    tables: { correlation: 'readwrite', audit: 'readwrite' },
  },
  'claims-intake': {
    description: "Judges each cost row of a batch by the compensation rules against UMA, groups the accepted rows into claims once per batch, and tells the municipality each row's verdict",
    entry: 'functions/claims-intake/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 120,
    // One batch at a time: its UMA lookups take the system's rate (shared with the outreach lookups).
    consumes: { queue: 'claims-intake', batchSize: 1, maxConcurrency: 2 },
    sends: ['claims-intake', 'municipality-outbox', 'ya-claims'],
    tables: { correlation: 'readwrite', audit: 'readwrite', pacing: 'readwrite' },
    calls: ['uma'],
  },
  'ya-adapter': {
    description: "Sends each claim to YA as its Korvaushakemus document, once per claim number, and records YA's receipt; sends a municipality's answer to a supplement request on the same claim",
    entry: 'functions/ya-adapter/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 20,
    consumes: { queue: 'ya-claims', batchSize: 1, maxConcurrency: 2 },
    sends: ['ya-claims'],
    tables: { correlation: 'readwrite', audit: 'readwrite', pacing: 'readwrite' },
    calls: ['ya'],
  },
  'ya-answer-poller': {
    description: "Reads YA's answers in YA's order and delivers each decision and payment to the municipality of its claim, once",
    entry: 'functions/ya-answer-poller/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    schedule: { everyMinutes: 5 },
    sends: ['municipality-outbox'],
    tables: { correlation: 'readwrite', audit: 'write', pacing: 'readwrite' },
    calls: ['ya'],
    flow: 'claims',
  },
  'kotoaj-writer': recordWriter('kotoaj', 'Writes each accepted record of a person who is not a jobseeker to Koto-AJ, once per viite, and acknowledges it to the sender'),
  'datastore-writer': recordWriter('datastore', "Writes each accepted record of a jobseeker to the employment services data store, once per viite, and acknowledges it to the sender"),
  'records-review-watch': {
    description: "Raises plan.review.overdue.v1 to a plan's municipality, once, when the plan's next review fell due and none came",
    entry: 'functions/records-review-watch/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    // 04:00 UTC every day (06:00 or 07:00 in Finland): a review is overdue from the day after it fell due.
    schedule: { cron: { minute: '0', hour: '4' } },
    sends: ['municipality-outbox'],
    tables: { correlation: 'readwrite', audit: 'write' },
    flow: 'records',
  },
  'wellbeing-intake': {
    description:
      "Routes a municipality's consultation or cooperation request to the county serving it, keeps its process and pseudonyms, and hands it to the county adapter; a request no county can take is refused to the sender",
    entry: 'functions/wellbeing-intake/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    consumes: { queue: 'wellbeing-intake', batchSize: 5, maxConcurrency: 2 },
    sends: ['county-requests', 'municipality-outbox'],
    tables: { correlation: 'readwrite', audit: 'readwrite' },
    wellbeingCounties: true,
  },
  'county-adapter': {
    description:
      "Sends each request's FHIR transaction to its county (over X-Road or directly with mutual TLS) and reads the county's answers back, delivering the new ones to the municipality and telling the operators of those set aside",
    entry: 'functions/county-adapter/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 20,
    consumes: { queue: 'county-requests', batchSize: 1, maxConcurrency: 2 },
    sends: ['county-requests', 'municipality-outbox', 'ops-events'],
    tables: { correlation: 'readwrite', audit: 'readwrite', pacing: 'readwrite' },
    calls: ['wellbeing'],
    wellbeingCounties: true,
  },
  'wellbeing-reply-poller': {
    description: 'Asks the county adapter to read the answers of every open wellbeing request, and closes the requests that need no more reading',
    entry: 'functions/wellbeing-reply-poller/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    schedule: { everyMinutes: 15 },
    sends: ['county-requests'],
    tables: { correlation: 'readwrite', audit: 'write' },
  },
  'wellbeing-overdue-watch': {
    description: "Raises a wellbeing request's overdue event to its municipality and the operators, once, when its deadline passed with someone unanswered",
    entry: 'functions/wellbeing-overdue-watch/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 60,
    // Every half hour: an overdue event at most 30 minutes after the deadline.
    schedule: { everyMinutes: 30 },
    sends: ['municipality-outbox', 'ops-events'],
    tables: { correlation: 'readwrite', audit: 'write' },
    flow: 'wellbeing',
  },
  'vtj-adapter': { ...lookupAdapter('vtj', 'VTJ person query (HenkilonTunnusKysely) for each lookup whose next step is VTJ'), vtjCredentials: true },
  'uma-adapter': lookupAdapter('uma', 'UMA person query (residence permits, compensation) for each lookup whose next step is UMA'),
  'datastore-adapter': lookupAdapter('datastore', 'Customer status in the national integration data store for each lookup'),
  'kelmu-adapter': {
    description: "Fetches Kela's Kelmu list one page per message and passes each page on",
    entry: 'functions/kelmu-adapter/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 20,
    consumes: { queue: 'kelmu-lists', batchSize: 1, maxConcurrency: 2 },
    sends: ['kelmu-lists', 'outreach-candidates'],
    tables: { audit: 'readwrite', pacing: 'readwrite' },
    calls: ['kelmu'],
  },
  'uma-list-adapter': {
    description: "Fetches Migri's list of protection recipients of a municipality one page per message",
    entry: 'functions/uma-list-adapter/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 20,
    consumes: { queue: 'uma-lists', batchSize: 1, maxConcurrency: 2 },
    sends: ['uma-lists', 'outreach-candidates'],
    tables: { audit: 'readwrite', pacing: 'readwrite' },
    calls: ['uma'],
  },
  'vtj-change-poller': {
    description: "Reads VTJ's change interface (VTJmutpa) for each municipality the hub serves and emits person events",
    entry: 'functions/vtj-change-poller/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    schedule: { everyMinutes: 15 },
    sends: ['person-events'],
    tables: { correlation: 'readwrite', audit: 'readwrite', pacing: 'readwrite' },
    calls: ['vtj'],
  },
  'outreach-scheduler': {
    description: 'Requests the monthly outreach run of each municipality the hub serves: one run per municipality and month',
    entry: 'functions/outreach-scheduler/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    // 05:00 UTC on the first of the month (07:00 or 08:00 in Finland), the run's day D.
    schedule: { cron: { minute: '0', hour: '5', day: '1' } },
    sends: ['outreach-runs'],
    tables: { correlation: 'read', audit: 'write' },
  },
  'outreach-run': outreachFunction('outreach-run', 'Starts an outreach run: records it once and asks for the first page of both source lists', {
    consumes: { queue: 'outreach-runs', batchSize: 1, maxConcurrency: 2 },
    sends: ['kelmu-lists', 'uma-lists'],
  }),
  'outreach-splitter': outreachFunction('outreach-splitter', "Splits the pages of a run's source lists into one candidate per distinct person", {
    consumes: { queue: 'outreach-candidates', batchSize: 1, maxConcurrency: 2 },
    sends: ['outreach-fanout'],
  }),
  'outreach-fanout': outreachFunction('outreach-fanout', "Starts the lookups of a run's candidates one page at a time and learns how many to expect", {
    consumes: { queue: 'outreach-fanout', batchSize: 1, maxConcurrency: 2 },
    sends: ['outreach-fanout', 'vtj-lookups', 'outreach-results'],
  }),
  'outreach-decide': outreachFunction('outreach-decide', 'Decides each candidate by the outreach rules and counts the run towards completion', {
    consumes: { queue: 'outreach-decisions', batchSize: 10, maxConcurrency: 4 },
    sends: ['outreach-results', 'vtj-lookups', 'uma-lookups', 'datastore-lookups'],
  }),
  'outreach-assemble': outreachFunction('outreach-assemble', "Assembles a decided run's target list and exclusion report and delivers it", {
    consumes: { queue: 'outreach-results', batchSize: 1, maxConcurrency: 2 },
    sends: ['municipality-outbox'],
    memoryMb: 1024,
    timeoutSeconds: 60,
    buckets: { results: 'write' },
  }),
  'outreach-watchdog': {
    description: 'Finds outreach runs with no progress: reconciles their counters, closes the complete, raises the stalled, puts lost work back',
    entry: 'functions/outreach-watchdog/handler.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    schedule: { everyMinutes: 5 },
    // Recovery (functions/outreach-recovery) puts back list pages, fan-outs and single candidates' lookups.
    sends: ['outreach-results', 'ops-events', 'kelmu-lists', 'uma-lists', 'outreach-fanout', 'vtj-lookups'],
    tables: { correlation: 'readwrite', audit: 'readwrite' },
  },
  'person-event-intake': outreachFunction('person-event-intake', 'Makes a person who moved into a municipality its pending outreach candidate and starts the lookup', {
    consumes: { queue: 'person-events', batchSize: 10, maxConcurrency: 2 },
    sends: ['vtj-lookups'],
  }),
  'outreach-single-decide': outreachFunction('outreach-single-decide', 'Decides a single candidate as its lookup completes and delivers the decision to the municipality', {
    consumes: { queue: 'single-decisions', batchSize: 10, maxConcurrency: 2 },
    sends: ['municipality-outbox', 'vtj-lookups', 'uma-lookups', 'datastore-lookups'],
  }),
  'municipality-inbox': {
    description: "Writes each message for a municipality to that municipality's inbox, once, and asks for its webhook pushes",
    entry: 'functions/municipality-inbox/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    consumes: { queue: 'municipality-outbox', batchSize: 10, maxConcurrency: 2 },
    sends: ['webhook-deliveries'],
    tables: { inbox: 'readwrite', audit: 'readwrite', clients: 'read' },
  },
  'webhook-delivery': {
    description: "Pushes one inbox message to a client's webhook, signed as the Standard Webhooks specification says",
    entry: 'functions/webhook-delivery/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 20,
    consumes: { queue: 'webhook-deliveries', batchSize: 5, maxConcurrency: 4 },
    sends: [],
    tables: { inbox: 'read', audit: 'readwrite', clients: 'read' },
    signsWebhooks: true,
  },
  'inbox-api': {
    description: "A client's pull API: its municipalities' inbox messages after a cursor, acknowledgement, and its own target lists",
    entry: 'functions/inbox-api/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 15,
    http: 'mtls',
    sends: [],
    // The door's: the caller by its certificate, and each refusal audited.
    tables: { inbox: 'readwrite', clients: 'read', audit: 'write' },
    buckets: { results: 'read' },
    flow: 'delivery',
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;


/** Which queue ingress puts an accepted envelope on, by message type. */
export const ingressRoutes: Readonly<Record<string, QueueName>> = {
  'outreach.referral.v1': 'referral-intake',
  'outreach.run.requested.v1': 'outreach-runs',
  'record.assessment.v1': 'records-intake',
  'record.plan.v1': 'records-intake',
  'record.plan-review.v1': 'records-intake',
  'record.service-completion.v1': 'records-intake',
  'wellbeing.consultation.requested.v1': 'wellbeing-intake',
  'wellbeing.cooperation.requested.v1': 'wellbeing-intake',
  'claims.costs.submitted.v1': 'claims-intake',
  // The answer goes to YA by the adapter that sent the claim, behind the same rate limit and breaker.
  'claims.supplement.answered.v1': 'ya-claims',
};

/**
 * The message types delivered to a municipality's inbox (and pushed to its clients' webhooks):
 * what `municipality-inbox` takes from `municipality-outbox`. With `ingressRoutes` it is what a
 * municipality's system sends and receives (the AsyncAPI document, docs/integrators/).
 */
export const inboxTypes = [
  'outreach.list.ready.v1',
  'outreach.decision.v1',
  'record.acknowledged.v1',
  'plan.review.overdue.v1',
  'wellbeing.consultation.answered.v1',
  'wellbeing.consultation.overdue.v1',
  'wellbeing.cooperation.accepted.v1',
  'wellbeing.cooperation.declined.v1',
  'wellbeing.cooperation.overdue.v1',
  'wellbeing.request.refused.v1',
  'claims.row.decided.v1',
  'claims.deadline.near.v1',
  'claims.claim.decided.v1',
  'claims.claim.paid.v1',
  'claims.supplement.requested.v1',
] as const;

/** Name of the DLQ that belongs to a queue. */
export const dlqName = (queue: QueueName): string => `${queue}-dlq`;

/** Environment variable through which a function finds a queue's URL. */
export const queueUrlEnv = (queue: QueueName): string => `KOTO_QUEUE_${envSuffix(queue)}_URL`;

/** Environment variable through which a function finds a DLQ's URL. */
export const dlqUrlEnv = (queue: QueueName): string => `KOTO_DLQ_${envSuffix(queue)}_URL`;

/** Environment variable through which a function finds a table's name. */
export const tableNameEnv = (table: TableName): string => `KOTO_TABLE_${envSuffix(table)}`;

/** Environment variable through which a function finds a bucket's name (`results`: KOTO_RESULTS_BUCKET). */
export const bucketNameEnv = (bucket: BucketName): string => `KOTO_${envSuffix(bucket)}_BUCKET`;

/** Environment variable with the ARN of the KMS key a bucket's objects are written with (SSE-KMS). */
export const bucketKeyEnv = (bucket: BucketName): string => `KOTO_${envSuffix(bucket)}_BUCKET_KEY_ARN`;

/** Environment variables every runtime sets the same way (CDK in AWS, infra/local on one machine). */
export const AUDIT_KEY_SECRET_ARN_ENV = 'KOTO_AUDIT_KEY_SECRET_ARN';
export const AUDIT_KEY_FILE_ENV = 'KOTO_AUDIT_KEY_FILE';
export const XROAD_SECURITY_SERVER_ENV = 'KOTO_XROAD_SECURITY_SERVER';
export const XROAD_CLIENT_ENV = 'KOTO_XROAD_CLIENT';
/**
 * The spread of start-to-arrival time, in ms, the pacing of the registers allows for
 * (functions/lib/rate-limit.ts): in AWS the stack parameter `XRoadPacingMarginMs`.
 */
export const XROAD_PACING_MARGIN_ENV = 'KOTO_RATE_MARGIN_MS';
/**
 * The TLS client certificate the hub presents to its security server, its key, and the CA the
 * security server's own certificate is checked against: in AWS one Secrets Manager secret, JSON
 * `{certificate, privateKey, securityServerCa}` (PEM each); locally three PEM files.
 */
export const XROAD_TLS_SECRET_ARN_ENV = 'KOTO_XROAD_TLS_SECRET_ARN';
export const XROAD_TLS_CERT_FILE_ENV = 'KOTO_XROAD_TLS_CERT_FILE';
export const XROAD_TLS_KEY_FILE_ENV = 'KOTO_XROAD_TLS_KEY_FILE';
export const XROAD_TLS_CA_FILE_ENV = 'KOTO_XROAD_TLS_CA_FILE';
/**
 * The TLS the hub speaks with the wellbeing services counties reached directly (not over X-Road):
 * its client certificate, its key, and per county the CA that county's server certificate is checked
 * against. In AWS one Secrets Manager secret, JSON `{certificate, privateKey, "ca-<county>": …}` (PEM
 * each); locally two PEM files and a folder of `<county>.crt`.
 */
export const COUNTY_TLS_SECRET_ARN_ENV = 'KOTO_COUNTY_TLS_SECRET_ARN';
export const COUNTY_TLS_CERT_FILE_ENV = 'KOTO_COUNTY_TLS_CERT_FILE';
export const COUNTY_TLS_KEY_FILE_ENV = 'KOTO_COUNTY_TLS_KEY_FILE';
export const COUNTY_TLS_CA_DIR_ENV = 'KOTO_COUNTY_TLS_CA_DIR';
/** In AWS: VTJ's username and password, a Secrets Manager secret, JSON `{username, password}`. */
export const VTJ_CREDENTIALS_SECRET_ARN_ENV = 'KOTO_VTJ_CREDENTIALS_SECRET_ARN';
/** Locally: the folder holding each client's webhook signing secret, `<clientId>.secret` (owner-only). */
export const WEBHOOK_SECRETS_DIR_ENV = 'KOTO_WEBHOOK_SECRETS_DIR';
/** In AWS: the Secrets Manager name prefix of the webhook signing secrets, `<prefix><clientId>`. */
export const WEBHOOK_SECRET_PREFIX_ENV = 'KOTO_WEBHOOK_SECRET_PREFIX';
/** The prefix the stack gives: a client's secret is `koto-hub/webhook/<clientId>`. */
export const WEBHOOK_SECRET_PREFIX = 'koto-hub/webhook/';
/**
 * The wellbeing services counties' endpoints, JSON of `countyEndpointsV1` (contracts/wellbeing/endpoint.ts):
 * a deployment parameter in AWS, the county mocks' locally.
 */
export const WELLBEING_COUNTIES_ENV = 'KOTO_WELLBEING_COUNTIES';
/** The pseudonym key of the wellbeing requests (contracts/wellbeing/pseudonym.ts): a Secrets Manager secret in AWS, a generated file locally. */
export const PSEUDONYM_KEY_SECRET_ARN_ENV = 'KOTO_PSEUDONYM_KEY_SECRET_ARN';
export const PSEUDONYM_KEY_FILE_ENV = 'KOTO_PSEUDONYM_KEY_FILE';
/** The municipalities the hub serves, comma-separated three-digit codes (scheduled functions work per municipality). */
export const MUNICIPALITIES_ENV = 'KOTO_MUNICIPALITIES';

const envSuffix = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

export const queueNames = Object.keys(queues) as QueueName[];
export const bucketNames = Object.keys(buckets) as BucketName[];
export const flowNames = Object.keys(flows) as FlowName[];
export const tableNames = Object.keys(tables) as TableName[];
export const functionNames = Object.keys(functions) as FunctionName[];

export const queueSpec = (name: QueueName): QueueSpec => queues[name];
export const tableSpec = (name: TableName): TableSpec => tables[name];
export const functionSpec = (name: FunctionName): FunctionSpec => functions[name];

/** The functions invoked on a schedule. */
export const scheduledFunctionNames: readonly FunctionName[] = functionNames.filter((name) => functionSpec(name).schedule);

/** The function fed by a queue, if any. */
export const consumerOf = (queue: QueueName): FunctionName | undefined =>
  functionNames.find((name) => functionSpec(name).consumes?.queue === queue);

/** The flow of a queue: its own, else that of the function consuming it. */
export const flowOfQueue = (queue: QueueName): FlowName | undefined => {
  const consumer = consumerOf(queue);
  return queueSpec(queue).flow ?? (consumer ? functionSpec(consumer).flow : undefined);
};

/** The flow of a function: its own, else that of the queue it consumes, else that of the first queue it sends to. */
export const flowOfFunction = (name: FunctionName): FlowName | undefined => {
  const spec = functionSpec(name);
  const queue = spec.consumes?.queue ?? spec.sends[0];
  return spec.flow ?? (queue ? queueSpec(queue).flow : undefined);
};

/**
 * The hub's own CloudWatch metrics (Powertools EMF), named once for the handlers that emit them
 * and the dashboard and alarms that read them. Dimensions never carry personal data.
 */
export const hubMetrics = {
  namespace: 'KotoHub',
  /** The `service` dimension of every hub metric (POWERTOOLS_SERVICE_NAME). */
  service: 'koto-hub',
  /** Dimension names: the topology function that emitted a metric, an external system, a failure's kind. */
  dimensions: { function: 'function', system: 'system', kind: 'kind', state: 'state' },
  /** Per queue-fed function (dimensions service, function), counts of the records of each batch. */
  records: {
    processed: 'processed',
    duplicates: 'duplicates',
    failed: 'failed',
    retried: 'retried',
    deadLettered: 'deadLettered',
  },
  /**
   * Requests refused at the door (dimensions service, kind = the rule that refused, e.g.
   * `municipality-not-yours`); the alarm "door refusals" watches its sum for bursts.
   */
  doorRefusals: 'doorRefusals',
  /** Runs the outreach scheduler requested in one invocation (dimensions service, function). */
  outreachRunsRequested: 'outreachRunsRequested',
  /** Per external system (dimensions service, system): each X-Road call's duration in milliseconds. */
  externalLatency: 'externalLatency',
  /** Per external system and kind, transient or permanent (dimensions service, system, kind): failed X-Road calls. */
  externalFailures: 'externalFailures',
  /**
   * Open outreach runs with no progress for too long, counted by the outreach watchdog each time it
   * looks (dimensions service, function = the watchdog); the alarm "outreach run stalled" watches it.
   */
  outreachRunsStalled: { name: 'outreachRunsStalled', emittedBy: 'outreach-watchdog' },
  /**
   * Per external system and state (dimensions service, system, state = open | half-open | closed):
   * a circuit breaker's transitions; the alarm "register unavailable" watches its openings.
   */
  breakerTransitions: 'breakerTransitions',
  /** Per external system (dimensions service, system): messages re-sent to wait while its breaker is open. */
  breakerDeferred: 'breakerDeferred',
} as const satisfies {
  outreachRunsStalled: { name: string; emittedBy: FunctionName };
  [key: string]: unknown;
};
