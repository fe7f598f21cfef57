/**
 * The client registry (the `clients` table): one item per client, its record as
 * `contracts/clients.ts` defines it plus the certificate fingerprint at the top level for the
 * `byCertificate` index. Read on every request, never cached, so a revocation holds from the next
 * request on.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientRecordSchema, type ClientRecord } from '#contracts/clients';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { allItems, scanItems } from '#lib/dynamo-pages';

export const CERTIFICATE_INDEX = 'byCertificate';

const toItem = (record: ClientRecord) => ({ ...record, certificateSha256: record.authentication.certificateSha256 });

/** A stored item as its record; an item that no longer matches the contract is no client (the door refuses it). */
const fromItem = (item: Record<string, unknown> | undefined): ClientRecord | undefined => {
  if (!item) return undefined;
  const { certificateSha256: _indexKey, ...record } = item;
  const parsed = clientRecordSchema.safeParse(record);
  return parsed.success ? parsed.data : undefined;
};

export class ClientRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient = documentClient(),
    private readonly table: string = tableName('clients'),
  ) {}

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { clientId }, ConsistentRead: true }));
    return fromItem(Item);
  }

  /** The client whose certificate has this SHA-256 fingerprint (64 upper-case hex digits). */
  async byCertificate(fingerprint: string): Promise<ClientRecord | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: CERTIFICATE_INDEX,
        KeyConditionExpression: 'certificateSha256 = :f',
        ExpressionAttributeValues: { ':f': fingerprint },
      }),
    );
    // Two records with one certificate would make the identity ambiguous: neither is the caller.
    return Items.length === 1 ? fromItem(Items[0]) : undefined;
  }

  async list(): Promise<ClientRecord[]> {
    const records = (await allItems(scanItems(this.client, { TableName: this.table }))).flatMap((item) => fromItem(item) ?? []);
    return records.sort((a, b) => a.clientId.localeCompare(b.clientId));
  }

  /** Adds a new client; throws when the id is taken. */
  async add(record: ClientRecord): Promise<void> {
    const valid = clientRecordSchema.parse(record);
    await this.client.send(new PutCommand({ TableName: this.table, Item: toItem(valid), ConditionExpression: 'attribute_not_exists(clientId)' }));
  }

  /**
   * Sets what an active client may send and receive; a revoked client stays as it is (false), and so
   * does an unknown one. The door reads the record on every request: the change holds from the next.
   */
  async setPermissions(clientId: string, permissions: Pick<ClientRecord, 'sends' | 'receives'>): Promise<boolean> {
    const record = await this.get(clientId);
    if (!record) return false;
    clientRecordSchema.parse({ ...record, ...permissions });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { clientId },
          UpdateExpression: 'SET sends = :s, receives = :r',
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': permissions.sends, ':r': permissions.receives, ':active': 'active' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Marks the client revoked at `at`; the door refuses it from the next request. Undefined when there is no such client. */
  async revoke(clientId: string, at: Date): Promise<ClientRecord | undefined> {
    const record = await this.get(clientId);
    if (!record) return undefined;
    if (record.status === 'revoked') return record;
    const revoked: ClientRecord = { ...record, status: 'revoked', revokedAt: at.toISOString() };
    await this.client.send(new PutCommand({ TableName: this.table, Item: toItem(revoked) }));
    return revoked;
  }
}
