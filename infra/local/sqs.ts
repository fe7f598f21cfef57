/** SQS locally: local-aws-sqs (in memory), every queue and its DLQ created from the topology. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { dlqName, queueNames, queueSpec, type QueueName } from '#infra/topology';
import { closeServer, LOOPBACK } from '#infra/local/net';
import { assertPatched } from './patch-local-aws-sqs.mjs';

export interface LocalSqs {
  readonly endpoint: string;
  close(): Promise<void>;
}

export const startSqs = async (): Promise<LocalSqs> => {
  // A clear error now rather than wrong receive counts and queue depths later.
  assertPatched();
  const server: Server = await createSqsServer({
    port: 0,
    hostname: LOOPBACK,
    region: process.env.AWS_REGION ?? 'eu-north-1',
    emulateQueueCreationLifecycle: false,
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://${LOOPBACK}:${port}`, close: () => closeServer(server) };
};

export interface QueueUrls {
  readonly queue: Readonly<Record<QueueName, string>>;
  readonly dlq: Readonly<Record<QueueName, string>>;
  readonly arn: Readonly<Record<string, string>>;
}

const DAY = 86_400;

export const createQueues = async (sqs: SQSClient): Promise<QueueUrls> => {
  const queue = {} as Record<QueueName, string>;
  const dlq = {} as Record<QueueName, string>;
  const arn: Record<string, string> = {};
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  for (const name of queueNames) {
    const spec = queueSpec(name);
    const dead = await sqs.send(
      new CreateQueueCommand({ QueueName: dlqName(name), Attributes: { MessageRetentionPeriod: String(14 * DAY) } }),
    );
    dlq[name] = dead.QueueUrl!;
    arn[dlqName(name)] = await arnOf(dead.QueueUrl!);
    const live = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(spec.retentionDays * DAY),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn[dlqName(name)], maxReceiveCount: spec.maxReceiveCount }),
        },
      }),
    );
    queue[name] = live.QueueUrl!;
    arn[name] = await arnOf(live.QueueUrl!);
  }
  return { queue, dlq, arn };
};
