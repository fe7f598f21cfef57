/**
 * Whom each municipality follows in VTJ's change interface. VTJmutpa answers only about the codes
 * in a request's `hetulista`, so the hub keeps, per municipality, the people its integration
 * services follow (outreach candidates and targets, referred persons), in the correlation table:
 *
 *   pk `VTJ-MUTPA#<municipality>`, sk `FOLLOW#<keyed hash of the HETU>`, `hetu`, `followedAt`, `expiresAt`
 *
 * The code is kept because VTJ must be asked with it (encrypted at rest like every table); the key
 * is its keyed hash, as for pending candidates. The same partition holds the poller's cursor.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isValidHetu } from '#contracts/hetu';
import { hashHetu } from '#lib/audit/key';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { batchWrite } from '#lib/batch-write';
import { queryItems } from '#lib/dynamo-pages';

/** Partition of a municipality's VTJmutpa state: its follow list and its cursor. */
export const vtjMutpaPartition = (municipality: string): string => `VTJ-MUTPA#${municipality}`;

const FOLLOW_PREFIX = 'FOLLOW#';

/** Days a person stays on a follow list unless followed again: the three-year outreach window. */
export const FOLLOW_DAYS = 3 * 366;

/** BatchWriteItem requests (25 follows each) one call of followPersons keeps in flight. */
const FOLLOW_WRITERS = 8;

export interface FollowListDeps {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
  readonly hashHetu: (hetu: string) => Promise<string>;
  readonly now?: () => Date;
}

/** The follow lists of this runtime: the correlation table, keyed by the audit key's hash. */
export const followListDeps = (): FollowListDeps => ({
  db: documentClient(),
  table: tableName('correlation'),
  hashHetu,
});

/** Adds people to a municipality's follow list (again: their follow is renewed). */
export const followPersons = async (municipality: string, hetus: readonly string[], deps: FollowListDeps): Promise<void> => {
  const now = deps.now?.() ?? new Date();
  const codes = [...new Set(hetus.map((hetu) => hetu.trim().toUpperCase()))];
  const invalid = codes.filter((hetu) => !isValidHetu(hetu)).length;
  if (invalid > 0) throw new RangeError(`followPersons: ${invalid} of the codes are not valid personal identity codes`);
  const items = await Promise.all(
    codes.map(async (hetu) => ({
      pk: vtjMutpaPartition(municipality),
      sk: `${FOLLOW_PREFIX}${await deps.hashHetu(hetu)}`,
      hetu,
      municipality,
      followedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + FOLLOW_DAYS * 86_400,
    })),
  );
  // A few batches in flight: one at a time, a page of a thousand people waits forty round trips
  // (seconds on DynamoDB Local).
  await batchWrite(deps.db, deps.table, items.map((Item) => ({ PutRequest: { Item } })), { inFlight: FOLLOW_WRITERS, attempts: 6 });
};

/** Whether a keyed hash (hex) begins with the bits `shard` (`0`/`1` characters). */
export const hashInShard = (hexHash: string, shard: string): boolean => {
  for (let bit = 0; bit < shard.length; bit++) {
    const nibble = Number.parseInt(hexHash[bit >> 2] ?? '', 16);
    if (Number.isNaN(nibble) || ((nibble >> (3 - (bit & 3))) & 1) !== Number(shard[bit])) return false;
  }
  return true;
};

/**
 * The hex hashes of a shard as one range of sort keys, `from` ≤ hash ≤ `to`: its bits padded to whole
 * nibbles with zeros, and with ones then past every longer hash (`~` sorts after the hex digits).
 * A shard's query so reads its own follows only: with a prefix of its whole nibbles, the shards under
 * a nibble (the root's first three splits, 20,000 people each) read the whole list.
 */
export const shardHashRange = (shard: string): { readonly from: string; readonly to: string } => {
  const nibbles = Math.ceil(shard.length / 4);
  const hex = (bits: string) =>
    Array.from({ length: nibbles }, (_, i) => Number.parseInt(bits.slice(i * 4, i * 4 + 4), 2).toString(16)).join('');
  return { from: hex(shard.padEnd(nibbles * 4, '0')), to: `${hex(shard.padEnd(nibbles * 4, '1'))}~` };
};

/**
 * The codes a municipality follows now whose keyed hash starts with the bits `shard` (default: all),
 * sorted. A lapsed follow counts as gone before TTL removes it. With `upTo`, stops once it has found
 * more than that many: enough to know the shard must be split, without reading thousands of follows
 * (the root of 20,000 people) only to count them.
 */
export const followedCodes = async (
  municipality: string,
  deps: Pick<FollowListDeps, 'db' | 'table' | 'now'>,
  shard = '',
  upTo = Number.POSITIVE_INFINITY,
): Promise<string[]> => {
  const nowSeconds = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  const codes: string[] = [];
  const range = shardHashRange(shard);
  const items = queryItems(deps.db, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': vtjMutpaPartition(municipality), ':from': `${FOLLOW_PREFIX}${range.from}`, ':to': `${FOLLOW_PREFIX}${range.to}` },
    ProjectionExpression: 'sk, hetu, expiresAt',
    ...(Number.isFinite(upTo) ? { Limit: upTo + 1 } : {}),
  });
  for await (const item of items) {
    const lapsed = typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds;
    const inShard = typeof item.sk === 'string' && hashInShard(item.sk.slice(FOLLOW_PREFIX.length), shard);
    if (typeof item.hetu === 'string' && !lapsed && inShard) codes.push(item.hetu);
    if (codes.length > upTo) break;
  }
  return codes.sort();
};
