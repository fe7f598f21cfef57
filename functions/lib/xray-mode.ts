/**
 * Imported by `#lib/tracer` before Powertools Tracer, for what the X-Ray SDK under it does when it
 * is loaded: in its automatic mode it keeps the segment in continuation-local storage (cls-hooked),
 * an async hook with a destroy callback on every promise the process makes — measured, an `await`
 * costs some twenty times as much with it. Tracer reads that context only when it traces: in Lambda
 * under active tracing. Where it cannot trace — outside Lambda (the embedded runtime, the tests, the
 * benchmark), or with `POWERTOOLS_TRACE_ENABLED=false` — the SDK is started in its manual mode
 * (`AWS_XRAY_MANUAL_MODE`, read once when it loads), which enables no hook. A mode set by the
 * environment is left as it is.
 *
 * In Lambda with tracing off the SDK still hands the invocation's facade segment to its context when
 * it loads, which manual mode refuses with an `Error: Cannot set sub/segment on context` and its
 * stack on every cold start: a line that alarms whoever reads the logs and means nothing when nothing
 * is traced. There the missing-context strategy is `IGNORE_ERROR` (unless the environment sets one).
 */
const tracingOff = !process.env.AWS_EXECUTION_ENV || process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false';
if (tracingOff && process.env.AWS_XRAY_MANUAL_MODE === undefined) process.env.AWS_XRAY_MANUAL_MODE = 'true';
if (tracingOff && process.env.AWS_XRAY_CONTEXT_MISSING === undefined) process.env.AWS_XRAY_CONTEXT_MISSING = 'IGNORE_ERROR';

export {};
