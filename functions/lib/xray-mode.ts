/**
 * Imported by `#lib/tracer` before Powertools Tracer, for what the X-Ray SDK under it does when it
 * is loaded: in its automatic mode it keeps the segment in continuation-local storage (cls-hooked),
 * an async hook with a destroy callback on every promise the process makes — measured, an `await`
 * costs some twenty times as much with it. Tracer reads that context only when it traces: in Lambda
 * under active tracing. Where it cannot trace — outside Lambda (the embedded runtime, the tests, the
 * benchmark), or with `POWERTOOLS_TRACE_ENABLED=false` — the SDK is started in its manual mode
 * (`AWS_XRAY_MANUAL_MODE`, read once when it loads), which enables no hook. A mode set by the
 * environment is left as it is.
 */
const tracingOff = !process.env.AWS_EXECUTION_ENV || process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false';
if (tracingOff && process.env.AWS_XRAY_MANUAL_MODE === undefined) process.env.AWS_XRAY_MANUAL_MODE = 'true';

export {};
