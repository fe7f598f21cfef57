/**
 * Every item of a DynamoDB Query or Scan, page after page, through the document client's own
 * paginators (`paginateQuery`, `paginateScan` follow LastEvaluatedKey). A caller that has seen
 * enough stops iterating, and no further page is read.
 */
import { paginateQuery, paginateScan, type DynamoDBDocumentClient, type QueryCommandInput, type QueryCommandOutput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';

/** An item as the document client gives it (attribute values unmarshalled). */
type Item = NonNullable<QueryCommandOutput['Items']>[number];

// The paginators write each page's start key into the input they are given: each gets a copy.
export async function* queryItems(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Item> {
  for await (const page of paginateQuery({ client }, { ...input })) yield* page.Items ?? [];
}

export async function* scanItems(client: DynamoDBDocumentClient, input: ScanCommandInput): AsyncGenerator<Item> {
  for await (const page of paginateScan({ client }, { ...input })) yield* page.Items ?? [];
}

/** The items an iteration gives, in order (Node 20 has no `Array.fromAsync`). */
export const allItems = async (items: AsyncIterable<Item>): Promise<Item[]> => {
  const all: Item[] = [];
  for await (const item of items) all.push(item);
  return all;
};
