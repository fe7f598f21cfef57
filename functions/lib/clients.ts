/**
 * One SQS and one DynamoDB client per process, built lazily so that the embedded runtime can set
 * its endpoints (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_DYNAMODB) first. The same code talks to AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

let sqs: SQSClient | undefined;
let dynamo: DynamoDBDocumentClient | undefined;

export const sqsClient = (): SQSClient => (sqs ??= new SQSClient({}));

export const documentClient = (): DynamoDBDocumentClient =>
  (dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  }));

/** Forget the clients (the embedded runtime calls this when it restarts on other ports). */
export const resetClients = (): void => {
  sqs?.destroy();
  dynamo?.destroy();
  sqs = undefined;
  dynamo = undefined;
};
