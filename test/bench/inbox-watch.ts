/** What the benchmark reads of the hub's answers: when each reached an inbox, and percentiles of the waits. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import { localTableName } from '#infra/local/dynamodb';
import type { Runtime } from '#infra/local/runtime';
import { scanItems } from '#lib/dynamo-pages';

export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/**
 * Every envelope of `type` (or of any of `types`) delivered to an inbox, by `keyOf` (its correlation
 * id unless told), with the moment it was first seen there.
 */
export const watchInboxes = (runtime: Runtime, types: string | readonly string[], keyOf: (envelope: Envelope<unknown>) => string = (envelope) => envelope.correlationId) => {
  const seen = new Map<string, number>();
  const values = Object.fromEntries([types].flat().map((type, i) => [`:type${i}`, type]));
  let stopped = false;
  const documents = DynamoDBDocumentClient.from(runtime.dynamodb);
  const loop = (async () => {
    while (!stopped) {
      const items = scanItems(documents, {
        TableName: localTableName('inbox'),
        FilterExpression: `#type IN (${Object.keys(values).join(', ')})`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: values,
      });
      for await (const item of items) {
        const envelope = JSON.parse(item.envelope as string) as Envelope<unknown>;
        const key = keyOf(envelope);
        if (!seen.has(key)) seen.set(key, performance.now());
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { seen, stop: async () => ((stopped = true), await loop) };
};
