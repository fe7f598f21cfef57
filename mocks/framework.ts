/**
 * The mock server framework every mock external system is built on (docs/DESIGN.md "The systems it
 * connects": each mock speaks its wire format, holds the shared fixture population, and can be told
 * to be slow, fail, time out or answer garbage). Its pieces, under mocks/framework/:
 *
 *   server.ts   `startMockServer`: the HTTP server, routing, faults applied, `close()`
 *   routes.ts   requests, responses and routes; JSON and X-Road REST answers
 *   faults.ts   the fault language (rules as JSON, which fire, the answers they give)
 *   admin.ts    the control endpoints under `/__` (faults, stats, reset)
 *   stats.ts    the request log and per-route counters; HETU masking of logged paths
 *   clock.ts    the server's time: real by default, injectable for tests
 *   soap.ts     the SOAP 1.1 fault envelope
 *   prng.ts     the seeded PRNG of fault draws and generated populations
 *   traffic.ts  the process-wide observer of every mock's starts and request targets
 *
 * This module re-exports their public parts: import from `#mocks/framework`.
 */
export { startMockServer, type MockServer, type MockServerOptions, type SystemMockOptions } from '#mocks/framework/server';
export { json, xroadEchoHeaders, xroadRestError, type MockRequest, type MockResponse, type MockRoute } from '#mocks/framework/routes';
export {
  faultEffectSchema,
  faultRuleSchema,
  faultSettingsSchema,
  truncate,
  type ActiveFaultRule,
  type CustomFault,
  type CustomFaultContext,
  type FaultController,
  type FaultEffect,
  type FaultRule,
  type FaultRuleJson,
} from '#mocks/framework/faults';
export { maskHetus, type LoggedRequest, type MockStats, type RequestLog, type RouteCounter } from '#mocks/framework/stats';
export { realClock, type MockClock } from '#mocks/framework/clock';
export { readSoapRequest, soapAnswer, soapFaultAnswer } from '#mocks/framework/soap';
export { createPrng } from '#mocks/framework/prng';
export { observeMockTraffic, reportMockTraffic, type MockTrafficEvent, type MockTrafficObserver } from '#mocks/framework/traffic';
