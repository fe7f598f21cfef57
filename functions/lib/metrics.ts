/**
 * Powertools metrics (CloudWatch EMF), named in the topology (`hubMetrics`) so that the dashboard
 * and the alarms read what the handlers write. Dimensions never carry personal data: the service,
 * the function, an external system and a failure's kind only.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { hubMetrics, type ExternalSystem } from '#infra/topology';

/**
 * A function's metrics: dimensions `service` and, where the runtime names the function
 * (KOTO_FUNCTION_NAME, which the stack sets to its topology name), `function`.
 */
export const createHubMetrics = (env: NodeJS.ProcessEnv = process.env): Metrics => {
  const functionName = env.KOTO_FUNCTION_NAME;
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || hubMetrics.namespace,
    serviceName: env.POWERTOOLS_SERVICE_NAME || hubMetrics.service,
    ...(functionName ? { defaultDimensions: { [hubMetrics.dimensions.function]: functionName } } : {}),
  });
};

/** What an instance is made from: the environment Powertools and `createHubMetrics` read. */
const METRICS_ENV = ['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_METRICS_FUNCTION_NAME', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV', 'KOTO_FUNCTION_NAME'] as const;
const metricsEnvOf = (env: NodeJS.ProcessEnv): string => JSON.stringify(METRICS_ENV.map((name) => env[name] ?? null));

/**
 * The function's instance. Powertools reads its environment (POWERTOOLS_METRICS_DISABLED, say)
 * when an instance is made, so a runtime that sets the environment after importing this module
 * (infra/local) makes a new one with `resetMetrics` before it loads the handlers.
 */
export let metrics = createHubMetrics();
let madeFrom = metricsEnvOf(process.env);

export type FailureKind = 'transient' | 'permanent';

/**
 * Metrics with dimensions of their own: EMF gives every metric of a document the same dimensions,
 * so each is written at once in its own document by a single-metric instance per dimension set,
 * made on first use (after the runtime's environment is set).
 */
export class MetricsByDimensions {
  private readonly instances = new Map<string, Metrics>();

  /** The single-metric instance of one dimension set. */
  of(dimensions: Readonly<Record<string, string>>): Metrics {
    const key = JSON.stringify(dimensions);
    let instance = this.instances.get(key);
    if (!instance) {
      instance = new Metrics({
        namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || hubMetrics.namespace,
        serviceName: process.env.POWERTOOLS_SERVICE_NAME || hubMetrics.service,
        singleMetric: true,
        defaultDimensions: dimensions,
      });
      this.instances.set(key, instance);
    }
    return instance;
  }

  /** Forget the instances (the embedded runtime, on another environment). */
  reset(): void {
    this.instances.clear();
  }
}

/**
 * The metrics of the calls to external systems have the system as their dimension, not the
 * function, so that the dashboard shows one line per system whoever called it.
 */
const external = new MetricsByDimensions();

/** One call to an external system: its duration, and if it failed, how (`externalLatency`, `externalFailures`). */
export const recordExternalCall = (system: ExternalSystem, durationMs: number, failure?: FailureKind): void => {
  const { dimensions } = hubMetrics;
  external.of({ [dimensions.system]: system }).addMetric(hubMetrics.externalLatency, MetricUnit.Milliseconds, Math.max(0, durationMs));
  if (failure) {
    external.of({ [dimensions.system]: system, [dimensions.kind]: failure }).addMetric(hubMetrics.externalFailures, MetricUnit.Count, 1);
  }
};

/** A circuit breaker changed phase (`breakerTransitions`, dimensions system and state). */
export const recordBreakerTransition = (system: ExternalSystem, state: 'open' | 'half-open' | 'closed'): void => {
  const { dimensions } = hubMetrics;
  external.of({ [dimensions.system]: system, [dimensions.state]: state }).addMetric(hubMetrics.breakerTransitions, MetricUnit.Count, 1);
};

/** A message re-sent to wait while its system's breaker is open (`breakerDeferred`, dimension system). */
export const recordBreakerDeferral = (system: ExternalSystem): void => {
  external.of({ [hubMetrics.dimensions.system]: system }).addMetric(hubMetrics.breakerDeferred, MetricUnit.Count, 1);
};

/** Forget the external-call instances, so the next ones read the environment again (tests). */
export const resetExternalMetrics = (): void => external.reset();

/**
 * Makes the function's instance anew when the environment it is made from has changed, and the
 * external-call instances anew in any case. A handler's middleware publishes the instance there was
 * when the handler was built, and its records are counted into `metrics`: replacing an instance
 * made from the same environment (a second runtime in one process, as in the benchmark) would leave
 * the middleware publishing an empty one, warning each time, while the counts grew in the other.
 */
export const resetMetrics = (): void => {
  const now = metricsEnvOf(process.env);
  if (now !== madeFrom) {
    metrics = createHubMetrics();
    madeFrom = now;
  }
  resetExternalMetrics();
};

export { MetricUnit };
