/**
 * One SQS and one DynamoDB client per process, built lazily so that the embedded runtime can set
 * its endpoints (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_DYNAMODB) first. The same code talks to AWS.
 * Both are traced (functions/lib/tracer.ts): in AWS every call is an X-Ray subsegment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { traceClient } from '#lib/tracer';

let sqs: SQSClient | undefined;
let dynamo: DynamoDBDocumentClient | undefined;

export const sqsClient = (): SQSClient => (sqs ??= traceClient(new SQSClient({})));

export const documentClient = (): DynamoDBDocumentClient =>
  (dynamo ??= DynamoDBDocumentClient.from(traceClient(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  }));

/** Forget the clients (the embedded runtime calls this when it restarts on other ports). */
export const resetClients = (): void => {
  sqs?.destroy();
  dynamo?.destroy();
  sqs = undefined;
  dynamo = undefined;
};
