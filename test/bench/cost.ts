/**
 * An estimate of what a million candidates cost in AWS, from the requests the hub actually sent in
 * the benchmark. List prices of eu-north-1 (Stockholm) as published on 2026-11-01, before free
 * tiers; they change, so the figures say which they used.
 */
import type { FunctionStatus } from '#infra/local/status';
import { functionSpec, type FunctionName } from '#infra/topology';

export const PRICES = {
  date: '2026-11-01',
  region: 'eu-north-1',
  sqsPerMillionRequests: 0.4,
  dynamodbPerMillionWriteUnits: 0.625,
  lambdaPerMillionInvocations: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
} as const;

export const estimateCost = (
  candidates: number,
  counts: { sqs: number; runnerSqs: number; dynamodbWriteItems: number },
  functions: readonly FunctionStatus[],
) => {
  const perMillion = 1_000_000 / Math.max(1, candidates);
  const invocations = functions.reduce((n, f) => n + f.invocations, 0);
  const gbSeconds = functions.reduce((sum, f) => sum + (f.invocations * f.averageMs * functionSpec(f.name as FunctionName).memoryMb) / 1024 / 1000, 0);
  const usd = {
    sqs: ((counts.sqs + counts.runnerSqs) * perMillion * PRICES.sqsPerMillionRequests) / 1e6,
    dynamodbWrites: (counts.dynamodbWriteItems * perMillion * PRICES.dynamodbPerMillionWriteUnits) / 1e6,
    lambda: (invocations * perMillion * PRICES.lambdaPerMillionInvocations) / 1e6 + gbSeconds * perMillion * PRICES.lambdaArmPerGbSecond,
  };
  return {
    estimate: 'USD per million candidates',
    prices: PRICES,
    ...Object.fromEntries(Object.entries(usd).map(([k, v]) => [k, Number(v.toFixed(2))])),
    total: Number((usd.sqs + usd.dynamodbWrites + usd.lambda).toFixed(2)),
    note: 'Lambda time is measured on the embedded runtime (one process, two cores), so it overstates what arm64 Lambdas bill',
  };
};
