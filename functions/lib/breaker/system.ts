/**
 * The breaker of each external system as the adapters use it: the topology's policy (with the
 * KOTO_BREAKER_* overrides), the state in the `pacing` table, the process's clock, and every change
 * of phase logged and counted in the metrics.
 */
import { breakerPolicy, type BreakerPolicySpec, type ExternalSystem } from '#infra/topology';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { logger } from '#lib/logger';
import { recordBreakerTransition } from '#lib/metrics';
import { systemClock } from '#lib/rate-limit';
import { CircuitBreaker } from '#lib/breaker/breaker';
import { DynamoBreakerStore } from '#lib/breaker/store';
import { breakerName, systemOfBreaker } from '#lib/breaker/names';
import type { BreakerPolicy } from '#lib/breaker/state';

const ENV: Record<keyof BreakerPolicySpec, string> = {
  failuresToOpen: 'KOTO_BREAKER_FAILURES_TO_OPEN',
  firstProbeSeconds: 'KOTO_BREAKER_FIRST_PROBE_SECONDS',
  maxProbeSeconds: 'KOTO_BREAKER_MAX_PROBE_SECONDS',
  probeTimeoutSeconds: 'KOTO_BREAKER_PROBE_TIMEOUT_SECONDS',
  holdSeconds: 'KOTO_BREAKER_HOLD_SECONDS',
};

/** The topology's figures, each replaced by its KOTO_BREAKER_* variable when set; a bad value is a configuration error naming it. */
export const breakerSpecFromEnv = (env: NodeJS.ProcessEnv = process.env): BreakerPolicySpec => {
  const figure = (field: keyof BreakerPolicySpec): number => {
    const raw = env[ENV[field]];
    if (raw === undefined || raw === '') return breakerPolicy[field];
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`configuration: ${ENV[field]} must be a number above zero`);
    return value;
  };
  return {
    failuresToOpen: Math.ceil(figure('failuresToOpen')),
    firstProbeSeconds: figure('firstProbeSeconds'),
    maxProbeSeconds: figure('maxProbeSeconds'),
    probeTimeoutSeconds: figure('probeTimeoutSeconds'),
    holdSeconds: figure('holdSeconds'),
  };
};

export const toPolicy = (spec: BreakerPolicySpec): BreakerPolicy => ({
  failuresToOpen: spec.failuresToOpen,
  firstProbeMs: spec.firstProbeSeconds * 1000,
  maxProbeMs: spec.maxProbeSeconds * 1000,
  probeTimeoutMs: spec.probeTimeoutSeconds * 1000,
  holdMs: spec.holdSeconds * 1000,
});

const store = new DynamoBreakerStore(documentClient, () => tableName('pacing'));

const reportTransition = (name: string, to: 'open' | 'half-open' | 'closed'): void => {
  recordBreakerTransition(systemOfBreaker(name), to);
  const line = { system: name, breaker: to };
  if (to === 'open') logger.warn('breaker opened: the system is not called until a probe answers', line);
  else if (to === 'closed') logger.info('breaker closed: the system answered', line);
  else logger.info('breaker half-open: probing the system', line);
};

/**
 * The breaker of `system`, or of one `part` of it (a county of `wellbeing`): cheap to make (its
 * state is in DynamoDB), so made per use with the environment as it is. Every part has the
 * system's policy and a record of its own, the same shape as a system's.
 */
export const breakerFor = (system: ExternalSystem, part?: string): CircuitBreaker =>
  new CircuitBreaker(breakerName(system, part), store, toPolicy(breakerSpecFromEnv()), systemClock, reportTransition);
