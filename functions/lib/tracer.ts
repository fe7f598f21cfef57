/**
 * X-Ray tracing: Powertools Tracer, one per process. In AWS (active tracing on every function) each
 * SQS, DynamoDB and S3 call of a client passed through `traceClient` is a subsegment, and each
 * X-Road call one named by its system (`inSubsegment`), so a trace shows where an invocation's time
 * went.
 *
 * Tracer turns itself off outside Lambda (it needs `AWS_EXECUTION_ENV`, which only the Lambda
 * runtime sets) and with `POWERTOOLS_TRACE_ENABLED=false`: on the embedded runtime and in the tests
 * `traceClient` returns the client as it is and `inSubsegment` just runs the call. There the X-Ray
 * SDK is loaded in its manual mode (`#lib/xray-mode`), without the async hook its automatic mode
 * puts on every promise.
 *
 * Subsegments carry names, timings, HTTP statuses and error classes, never a payload: the hub's
 * errors are free of personal data, and the SDK's subsegments record operation and resource names.
 */
// First: it decides the X-Ray SDK's mode, which the SDK reads once, when Tracer loads it.
import '#lib/xray-mode';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'koto-hub' });

/** The client, with X-Ray middleware that makes each of its calls a subsegment (when tracing is on). */
export const traceClient = <T>(client: T): T => tracer.captureAWSv3Client(client);

/**
 * Runs `work` in a subsegment `name` of the current segment, closed when it settles and marked with
 * the error it threw. Without tracing, or outside a traced invocation, it only runs `work`.
 */
export const inSubsegment = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  if (!tracer.isTracingEnabled() || !tracer.getSegment()) return work();
  return (await tracer.provider.captureAsyncFunc(name, async (subsegment) => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error) subsegment?.addError(error);
      throw error;
    } finally {
      subsegment?.close();
    }
  })) as T;
};
