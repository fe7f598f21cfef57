/**
 * The inbox table (topology `inbox`), one partition per municipality (pk = its code):
 *
 * | item | sk | holds |
 * |---|---|---|
 * | a message | `C#<cursor, 16 digits>` | the envelope, its type and id, when it was written |
 * | a message id seen | `ID#<messageId>` | its cursor, when the cursor was taken, whether the message is written |
 * | the counter | `SEQ` | the last cursor given |
 * | a client's acknowledgement | `ACK#<clientId>` | the cursor up to which it has everything |
 *
 * Single-item conditional writes and atomic counters only, as everywhere in the hub (docs/DESIGN.md
 * "Process state"). The ordering rule a writer keeps is in functions/inbox/cursor.ts.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '#contracts/envelope';
import { TransientError } from '#lib/errors';
import { entrySortKey, MAX_CURSOR, SETTLE_MS, type Entry } from '#functions/inbox/cursor';

/**
 * Days a message stays in an inbox (TTL). A month: a client that was down through a four-week
 * summer closure can still resume from its cursor, and the next monthly run arrives by then; the
 * copy here is for transport only (a decision carries a HETU and an address), the municipality's
 * own system is where it is kept. The target list itself stays in the results store (400 days).
 */
export const INBOX_RETENTION_DAYS = 30;

export interface InboxEntry extends Entry {
  readonly messageId: string;
  readonly envelope: Envelope;
}

export interface AppendResult {
  readonly seq: number;
  /** The message was already in the inbox (a redelivery): nothing was written. */
  readonly duplicate: boolean;
}

export interface InboxStore {
  /** Writes a message to its municipality's inbox once per message id; returns its cursor. */
  append(envelope: Envelope): Promise<AppendResult>;
  /** Entries after `after` in cursor order, at most `limit`. */
  after(municipality: string, after: number, limit: number): Promise<InboxEntry[]>;
  entry(municipality: string, seq: number): Promise<InboxEntry | undefined>;
  /** The last cursor given in the municipality's inbox (0 when none). */
  last(municipality: string): Promise<number>;
  /** The cursor the client has acknowledged (0 when none). */
  acknowledged(municipality: string, clientId: string): Promise<number>;
  /** Moves the client's acknowledged cursor forward to `seq` (never back); returns where it stands. */
  acknowledge(municipality: string, clientId: string, seq: number): Promise<number>;
}

const COUNTER = 'SEQ';
const markerKey = (municipality: string, messageId: string) => ({ pk: municipality, sk: `ID#${messageId}` });
const ackKey = (municipality: string, clientId: string) => ({ pk: municipality, sk: `ACK#${clientId}` });

const conditionFailed = (error: unknown): boolean => error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

const toEntry = (item: Record<string, unknown>): InboxEntry => ({
  seq: item.seq as number,
  type: item.type as string,
  writtenAt: item.writtenAt as number,
  messageId: item.messageId as string,
  envelope: JSON.parse(item.envelope as string) as Envelope,
});

export const dynamoInboxStore = (db: DynamoDBDocumentClient, table: string, now: () => number = Date.now): InboxStore => {
  const expiresAt = (at: number) => Math.floor(at / 1000) + INBOX_RETENTION_DAYS * 86_400;

  const takeNumber = async (municipality: string): Promise<number> => {
    const { Attributes } = await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: municipality, sk: COUNTER },
        UpdateExpression: 'ADD #value :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Attributes!.value as number;
  };

  /** Takes a new cursor for the message and records it on its marker (which must still hold `previous`). */
  const reserve = async (envelope: Envelope, previous: number | undefined): Promise<{ seq: number; reservedAt: number }> => {
    const seq = await takeNumber(envelope.municipality);
    const reservedAt = now();
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...markerKey(envelope.municipality, envelope.messageId), seq, reservedAt, written: false, expiresAt: expiresAt(reservedAt) },
          ConditionExpression: previous === undefined ? 'attribute_not_exists(pk)' : 'seq = :previous AND written = :no',
          ...(previous === undefined ? {} : { ExpressionAttributeValues: { ':previous': previous, ':no': false } }),
        }),
      );
    } catch (error) {
      // Another delivery of the same message got there first; the number taken stays a gap.
      if (conditionFailed(error)) throw new TransientError('inbox.concurrent-write', 'another delivery of the message is writing it to the inbox');
      throw error;
    }
    return { seq, reservedAt };
  };

  const acknowledged = async (municipality: string, clientId: string): Promise<number> => {
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: ackKey(municipality, clientId), ConsistentRead: true }));
    return (Item?.cursor as number | undefined) ?? 0;
  };

  return {
    acknowledged,

    async append(envelope) {
      const { Item: marker } = await db.send(new GetCommand({ TableName: table, Key: markerKey(envelope.municipality, envelope.messageId), ConsistentRead: true }));
      if (marker?.written === true) return { seq: marker.seq as number, duplicate: true };
      // A marker without its message: a writer stopped in between. Its number is still usable while
      // young; after that readers may be past it, so the message takes a new one.
      const taken =
        marker && now() - (marker.reservedAt as number) < SETTLE_MS / 2
          ? { seq: marker.seq as number, reservedAt: marker.reservedAt as number }
          : await reserve(envelope, marker?.seq as number | undefined);
      // Too late to write under it (a slow step since): readers may be past it by now.
      const { seq } = now() - taken.reservedAt >= SETTLE_MS / 2 ? await reserve(envelope, taken.seq) : taken;
      const writtenAt = now();
      await db.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: envelope.municipality,
            sk: entrySortKey(seq),
            seq,
            messageId: envelope.messageId,
            type: envelope.type,
            envelope: JSON.stringify(envelope),
            writtenAt,
            expiresAt: expiresAt(writtenAt),
          },
        }),
      );
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: markerKey(envelope.municipality, envelope.messageId),
          UpdateExpression: 'SET written = :yes',
          ExpressionAttributeValues: { ':yes': true },
        }),
      );
      return { seq, duplicate: false };
    },

    async after(municipality, after, limit) {
      // Nothing comes after the highest cursor (and DynamoDB refuses a BETWEEN whose ends cross).
      if (after >= MAX_CURSOR) return [];
      const { Items = [] } = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': municipality, ':from': entrySortKey(after + 1), ':to': entrySortKey(MAX_CURSOR) },
          ConsistentRead: true,
          Limit: limit,
        }),
      );
      return Items.map(toEntry);
    },

    async entry(municipality, seq) {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: { pk: municipality, sk: entrySortKey(seq) }, ConsistentRead: true }));
      return Item ? toEntry(Item) : undefined;
    },

    async last(municipality) {
      const { Item } = await db.send(new GetCommand({ TableName: table, Key: { pk: municipality, sk: COUNTER }, ConsistentRead: true }));
      return (Item?.value as number | undefined) ?? 0;
    },

    async acknowledge(municipality, clientId, seq) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: ackKey(municipality, clientId),
            UpdateExpression: 'SET #cursor = :seq, acknowledgedAt = :at',
            ConditionExpression: 'attribute_not_exists(#cursor) OR #cursor < :seq',
            ExpressionAttributeNames: { '#cursor': 'cursor' },
            ExpressionAttributeValues: { ':seq': seq, ':at': new Date(now()).toISOString() },
          }),
        );
        return seq;
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        return acknowledged(municipality, clientId);
      }
    },
  };
};
