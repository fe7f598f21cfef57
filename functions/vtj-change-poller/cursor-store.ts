/**
 * The poller's place in VTJ's change feed, in the correlation table beside the follow list: one item
 * per shard of a municipality's follow list, pk `VTJ-MUTPA#<municipality>`, sk `CURSOR` for the root
 * shard (everyone) and `CURSOR#<hex prefix>` for a shard split off it; `viimeisinKirjausavain` is the
 * key to ask with next, `split` marks a shard whose children have taken over.
 *
 * A key only ever moves by a conditional write from the value it was read at, and never once its
 * shard is split, so of two pollers that read the same page only one moves it, and a poller that
 * crashed before moving it reads the same page again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { vtjMutpaPartition } from '#lib/follow-list';
import { childShards, type CursorStore, type ShardCursor } from '#functions/vtj-change-poller/poll-changes';
import { queryItems } from '#lib/dynamo-pages';

const CURSOR = 'CURSOR';
const cursorSk = (shard: string): string => (shard === '' ? CURSOR : `${CURSOR}#${shard}`);
export const cursorKey = (municipality: string, shard = '') => ({ pk: vtjMutpaPartition(municipality), sk: cursorSk(shard) });

const conditionFailed = async (write: Promise<unknown>): Promise<boolean> => {
  try {
    await write;
    return false;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return true;
    throw error;
  }
};

export const dynamoCursorStore = (db: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()): CursorStore => {
  const read = async (municipality: string, shard = ''): Promise<{ key?: number; split: boolean }> => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: cursorKey(municipality, shard), ConsistentRead: true }));
    return { key: typeof Item?.viimeisinKirjausavain === 'number' ? Item.viimeisinKirjausavain : undefined, split: Item?.split === true };
  };

  return {
    async read(municipality, shard = '') {
      return (await read(municipality, shard)).key;
    },

    async advance(municipality, from, to, shard = '') {
      const failed = await conditionFailed(
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: cursorKey(municipality, shard),
            UpdateExpression: 'SET viimeisinKirjausavain = :to, municipality = :m, #shard = :shard, updatedAt = :now',
            ConditionExpression: from === undefined ? 'attribute_not_exists(pk)' : 'viimeisinKirjausavain = :from AND attribute_not_exists(#split)',
            // `shard` and `split` are DynamoDB reserved words.
            ExpressionAttributeNames: from === undefined ? { '#shard': 'shard' } : { '#shard': 'shard', '#split': 'split' },
            ExpressionAttributeValues: {
              ':to': to,
              ':m': municipality,
              ':shard': shard,
              ':now': now().toISOString(),
              ...(from === undefined ? {} : { ':from': from }),
            },
          }),
        ),
      );
      return !failed;
    },

    async shards(municipality) {
      const shards: ShardCursor[] = [];
      const items = queryItems(db, {
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cursor)',
        ExpressionAttributeValues: { ':pk': vtjMutpaPartition(municipality), ':cursor': CURSOR },
        ConsistentRead: true,
      });
      for await (const item of items) {
        if (typeof item.viimeisinKirjausavain !== 'number' || typeof item.sk !== 'string') continue;
        shards.push({ shard: item.sk === CURSOR ? '' : item.sk.slice(CURSOR.length + 1), key: item.viimeisinKirjausavain, split: item.split === true });
      }
      return shards;
    },

    async split(municipality, shard, key) {
      const frozen = await conditionFailed(
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: cursorKey(municipality, shard),
            UpdateExpression: 'SET #split = :true, splitAt = :now',
            ConditionExpression: 'viimeisinKirjausavain = :key AND attribute_not_exists(#split)',
            ExpressionAttributeNames: { '#split': 'split' },
            ExpressionAttributeValues: { ':true': true, ':key': key, ':now': now().toISOString() },
          }),
        ),
      );
      if (frozen) {
        // Split already (a crash before its children were all stored), at this key: finish it.
        const current = await read(municipality, shard);
        if (!current.split || current.key !== key) return false;
      }
      for (const child of childShards(shard)) {
        await conditionFailed(
          db.send(
            new PutCommand({
              TableName: table,
              Item: { ...cursorKey(municipality, child), viimeisinKirjausavain: key, municipality, shard: child, updatedAt: now().toISOString() },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
      }
      return true;
    },
  };
};
