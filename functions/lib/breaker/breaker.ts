/**
 * The circuit breaker of one external system, shared through a `BreakerStore`: each step reads the
 * record, applies a transition of functions/lib/breaker/state.ts and writes it back under its
 * version, again on a lost race. Time comes from a `Clock`; each change of phase is reported once,
 * by the instance whose write made it (the metric `breakerTransitions`).
 */
import type { Clock } from '#lib/rate-limit';
import type { BreakerStore } from '#lib/breaker/store';
import { admit, afterAnswer, afterFailure, openIfDue, releaseProbe, type Admission, type BreakerPhase, type BreakerPolicy, type BreakerState } from '#lib/breaker/state';

export type TransitionListener = (system: string, to: BreakerPhase, state: BreakerState) => void;

/** Attempts at one read-and-write before giving up (a lost race means another instance just wrote). */
const ATTEMPTS = 8;

export class CircuitBreaker {
  constructor(
    readonly system: string,
    private readonly store: BreakerStore,
    readonly policy: BreakerPolicy,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly onTransition: TransitionListener = () => undefined,
  ) {}

  state(): Promise<BreakerState> {
    return this.store.read(this.system).then((r) => r.state);
  }

  /** May a call go out now? Claims the probe when one is due. Resolves with the state seen, too. */
  async admit(): Promise<{ admission: Admission; state: BreakerState }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { state, version } = await this.store.read(this.system);
      const { admission, next } = admit(state, this.clock.now(), this.policy);
      if (!next) return { admission, state };
      if (await this.store.write(this.system, next, version)) {
        this.onTransition(this.system, next.phase, next);
        return { admission, state: next };
      }
    }
    // Others keep writing: they are probing; this call waits as long as a first probe.
    const state = await this.state();
    return { admission: { kind: 'wait', until: this.clock.now() + this.policy.firstProbeMs }, state };
  }

  /** The system answered a call. */
  answered(): Promise<BreakerState> {
    return this.update((state) => afterAnswer(state));
  }

  /** A call made with `admission` failed transiently; resolves with the state after it. */
  async failed(admission: Admission): Promise<BreakerState> {
    if (admission.kind === 'probe') return this.update((state) => afterFailure(state, admission, this.clock.now(), this.policy));
    const counted = await this.store.countFailure(this.system);
    if (!counted) return this.state(); // open already: a call let through before, ending late
    if (counted.state.failures < this.policy.failuresToOpen) return counted.state;
    return this.update((state) => openIfDue(state, this.clock.now(), this.policy));
  }

  /**
   * The probe `admit` claimed (resolving with `claimed`) never left: the next caller probes at once.
   * Not reported as a transition: the breaker did not open again, nothing was learnt.
   */
  probeNotSent(claimed: BreakerState): Promise<BreakerState> {
    const claimedAt = claimed.probeStartedAt;
    if (claimedAt === null) return this.state();
    return this.update((state) => releaseProbe(state, claimedAt, this.clock.now()), false);
  }

  private async update(transition: (state: BreakerState) => BreakerState, report = true): Promise<BreakerState> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { state, version } = await this.store.read(this.system);
      const next = transition(state);
      if (next === state) return state;
      if (await this.store.write(this.system, next, version)) {
        if (report && next.phase !== state.phase) this.onTransition(this.system, next.phase, next);
        return next;
      }
    }
    throw new Error(`breaker: could not update the breaker of ${this.system} after ${ATTEMPTS} attempts`);
  }
}
