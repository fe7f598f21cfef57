/**
 * `npm run bench`: figures, not pass/fail. Drives N referrals (default 2,000, `--referrals N`)
 * through ingress and the referral-intake function on the embedded runtime, and prints one JSON
 * line with the throughput and what the hub cost in SQS and DynamoDB requests per message.
 *
 * The outreach benchmark of DESIGN.md (a whole run against a direct baseline) joins it once the
 * outreach flow exists.
 */
import '#infra/local/quiet-warnings';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { makeHetu } from '#contracts/hetu';
import { startRuntime } from '#infra/local/runtime';
import { documentClient } from '#lib/clients';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '#lib/config';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number above zero`);
  return value;
};

const referrals = arg('referrals', 2000);
const dataDir = mkdtempSync(join(tmpdir(), 'koto-hub-bench-'));
const runtime = await startRuntime({ dataDir, inMemory: true });

/** Counts the requests the hub's own clients send, by service. */
const counts = { sqs: 0, dynamodbWrites: 0, dynamodbReads: 0 };
const WRITES = new Set(['PutItemCommand', 'BatchWriteItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
documentClient().middlewareStack.add(
  (next, context) => async (args) => {
    if (WRITES.has(context.commandName ?? '')) counts.dynamodbWrites++;
    else counts.dynamodbReads++;
    return next(args);
  },
  { step: 'initialize', name: 'benchCounter' },
);
const { sqsClient } = await import('#lib/clients');
sqsClient().middlewareStack.add(
  (next) => async (args) => {
    counts.sqs++;
    return next(args);
  },
  { step: 'initialize', name: 'benchCounter' },
);

const envelope = (n: number) => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type: 'outreach.referral.v1',
  source: 'authority:te-services',
  target: 'hub',
  municipality: '905',
  occurredAt: new Date().toISOString(),
  payload: {
    referrer: { authority: 'te-services', businessId: '2296962-1' },
    hetu: makeHetu(new Date(Date.UTC(1960, 0, 1) + (n % 9000) * 86_400_000).toISOString().slice(0, 10), 2 + Math.floor(n / 9000)),
    reason: 'OTHER',
    referredOn: '2026-11-01',
  },
});

const started = performance.now();
const posts: Promise<Response>[] = [];
for (let i = 0; i < referrals; i += 10) {
  const batch = Array.from({ length: Math.min(10, referrals - i) }, (_, k) => envelope(i + k));
  posts.push(fetch(runtime.ingressUrl, { method: 'POST', body: JSON.stringify(batch) }));
  if (posts.length >= 8) await Promise.all(posts.splice(0));
}
await Promise.all(posts);
const ingressSeconds = (performance.now() - started) / 1000;

const recorded = async (): Promise<number> => {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new ScanCommand({ TableName: tableName('correlation'), Select: 'COUNT', ExclusiveStartKey: start }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
};
const before = { ...counts };
for (;;) {
  const done = await recorded();
  process.stderr.write(`\r  recorded ${done} / ${referrals}`);
  if (done >= referrals) break;
  await new Promise((resolve) => setTimeout(resolve, 250));
}
process.stderr.write('\n');
const seconds = (performance.now() - started) / 1000;
// The progress polling above is the benchmark's own reading, not the hub's work.
const hub = { sqs: counts.sqs, dynamodbWrites: counts.dynamodbWrites, dynamodbReads: before.dynamodbReads };
await runtime.stop();
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    benchmark: 'referral-intake',
    referrals,
    seconds: Number(seconds.toFixed(2)),
    ingressSeconds: Number(ingressSeconds.toFixed(2)),
    referralsPerSecond: Math.round(referrals / seconds),
    sqsSendRequestsPerReferral: Number((hub.sqs / referrals).toFixed(3)),
    dynamodbWritesPerReferral: Number((hub.dynamodbWrites / referrals).toFixed(3)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
