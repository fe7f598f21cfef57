/**
 * Run by test/unit/tracer.test.ts in a process of its own, with the environment Lambda gives a
 * function under active tracing (or, to compare, none of it): the X-Ray SDK reads it once, when it
 * is first loaded, so this cannot share a process with tests that load it outside Lambda. Prints
 * what it saw as one JSON line.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { inSubsegment, traceClient, tracer } from '#lib/tracer';
// The SDK Tracer loaded, asked which mode it started in (automatic: an async hook on every promise).
import xray from 'aws-xray-sdk-core';

const name = (): string | undefined => (tracer.getSegment() as { name?: string } | undefined)?.name;
const outer = name();
const seen: (string | undefined)[] = [];
const answer = await inSubsegment('X-Road vtj', async () => (seen.push(name()), 'answer'));
const failure = await inSubsegment('X-Road uma', async () => (seen.push(name()), Promise.reject(new Error('timeout')))).catch((e: Error) => e.message);
const client = traceClient(new SQSClient({ region: 'eu-north-1' }));
console.log(
  JSON.stringify({
    enabled: tracer.isTracingEnabled(),
    automaticMode: xray.isAutomaticMode(),
    clientTraced: client.middlewareStack.identify().some((m) => /XRay/i.test(m)),
    outer,
    seen,
    answer,
    failure,
    after: name(),
  }),
);
