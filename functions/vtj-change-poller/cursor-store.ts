/**
 * The poller's place in VTJ's change feed, one item per municipality in the correlation table:
 * pk `VTJ-MUTPA#<municipality>`, sk `CURSOR`, `viimeisinKirjausavain` (the key to ask with next).
 *
 * The key only ever moves by a conditional write from the value it was read at, so of two pollers
 * that read the same page only one moves it, and a poller that crashed before moving it reads the
 * same page again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { vtjMutpaPartition } from '#lib/follow-list';
import type { CursorStore } from '#functions/vtj-change-poller/poll-changes';

export const cursorKey = (municipality: string) => ({ pk: vtjMutpaPartition(municipality), sk: 'CURSOR' });

export const dynamoCursorStore = (db: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()): CursorStore => ({
  async read(municipality) {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: cursorKey(municipality), ConsistentRead: true }));
    return typeof Item?.viimeisinKirjausavain === 'number' ? Item.viimeisinKirjausavain : undefined;
  },

  async advance(municipality, from, to) {
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: cursorKey(municipality),
          UpdateExpression: 'SET viimeisinKirjausavain = :to, municipality = :m, updatedAt = :now',
          ConditionExpression: from === undefined ? 'attribute_not_exists(pk)' : 'viimeisinKirjausavain = :from',
          ExpressionAttributeValues: {
            ':to': to,
            ':m': municipality,
            ':now': now().toISOString(),
            ...(from === undefined ? {} : { ':from': from }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
});
