/**
 * The circuit breaker of one external system as pure state and transitions (after Nygard's
 * "Release It!" pattern): `closed`, calls go through and transient failures in a row are counted;
 * `open`, no call goes out until the next probe is due; `half-open`, one probe is out and everyone
 * else waits for its answer. The probe interval doubles with every failed probe, up to a ceiling;
 * any answer of the system closes the breaker.
 *
 * Hand-written rather than a library (opossum, cockatiel): those keep their state in the process,
 * and here every Lambda instance must see one state, read and written in DynamoDB
 * (functions/lib/breaker/store.ts); what is left is these few pure functions.
 */

export type BreakerPhase = 'closed' | 'open' | 'half-open';

export interface BreakerState {
  readonly phase: BreakerPhase;
  /** Transient failures in a row while closed. */
  readonly failures: number;
  /** Epoch ms the breaker opened (this outage began); null while closed. */
  readonly openedAt: number | null;
  /** The wait before the next probe, in ms; doubles with each failed probe. */
  readonly probeIntervalMs: number;
  /** Epoch ms the next probe may go out; null while closed. */
  readonly nextProbeAt: number | null;
  /** Epoch ms the probe now out started; null unless half-open. */
  readonly probeStartedAt: number | null;
  /** Probes of this outage that failed. */
  readonly failedProbes: number;
}

export interface BreakerPolicy {
  readonly failuresToOpen: number;
  readonly firstProbeMs: number;
  readonly maxProbeMs: number;
  readonly probeTimeoutMs: number;
  /** How long one message may wait for the system in all before it takes the ordinary retries. */
  readonly holdMs: number;
}

export const closedState: BreakerState = {
  phase: 'closed',
  failures: 0,
  openedAt: null,
  probeIntervalMs: 0,
  nextProbeAt: null,
  probeStartedAt: null,
  failedProbes: 0,
};

/** What a caller may do now: call the system, call it as the probe, or wait until `until` (epoch ms). */
export type Admission = { readonly kind: 'call' } | { readonly kind: 'probe' } | { readonly kind: 'wait'; readonly until: number };

/** The admission and, when it claims the probe, the state to write for it. */
export const admit = (state: BreakerState, now: number, policy: BreakerPolicy): { admission: Admission; next?: BreakerState } => {
  if (state.phase === 'closed') return { admission: { kind: 'call' } };
  if (state.phase === 'open' && now < state.nextProbeAt!) return { admission: { kind: 'wait', until: state.nextProbeAt! } };
  if (state.phase === 'half-open' && now < state.probeStartedAt! + policy.probeTimeoutMs) {
    // The probe's answer is near: wait no longer than the first probe interval for it.
    return { admission: { kind: 'wait', until: Math.min(state.probeStartedAt! + policy.probeTimeoutMs, now + policy.firstProbeMs) } };
  }
  // Due (or the last probe's instance never answered): this caller is the probe.
  return { admission: { kind: 'probe' }, next: { ...state, phase: 'half-open', probeStartedAt: now } };
};

/**
 * The probe claimed at `claimedAt` ended without leaving (no rate-limit slot before its deadline):
 * it tells nothing of the system, so the probe is free again at once rather than at its timeout.
 * A claim another caller has taken over since (the timeout passed) is left to it.
 */
export const releaseProbe = (state: BreakerState, claimedAt: number, now: number): BreakerState =>
  state.phase === 'half-open' && state.probeStartedAt === claimedAt ? { ...state, phase: 'open', nextProbeAt: now, probeStartedAt: null } : state;

/** After a transient failure of a call made with `admission`. */
export const afterFailure = (state: BreakerState, admission: Admission, now: number, policy: BreakerPolicy): BreakerState => {
  if (admission.kind === 'probe' && state.phase === 'half-open') {
    const probeIntervalMs = Math.min(policy.maxProbeMs, state.probeIntervalMs * 2);
    return { ...state, phase: 'open', probeIntervalMs, nextProbeAt: now + probeIntervalMs, probeStartedAt: null, failedProbes: state.failedProbes + 1 };
  }
  if (state.phase !== 'closed') return state; // a call let through before the breaker opened, ending late
  return openIfDue({ ...state, failures: state.failures + 1 }, now, policy);
};

/** A closed breaker whose failures in a row (counted already) have reached the policy's number: open. */
export const openIfDue = (state: BreakerState, now: number, policy: BreakerPolicy): BreakerState => {
  if (state.phase !== 'closed' || state.failures < policy.failuresToOpen) return state;
  return {
    phase: 'open',
    failures: state.failures,
    openedAt: now,
    probeIntervalMs: policy.firstProbeMs,
    nextProbeAt: now + policy.firstProbeMs,
    probeStartedAt: null,
    failedProbes: 0,
  };
};

/** After the system answered (whatever the answer: a permanent fault is an answer too): closed, with no failures counted. */
export const afterAnswer = (state: BreakerState): BreakerState => (state.phase === 'closed' && state.failures === 0 ? state : closedState);
