import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName, QueueSpec } from '#infra/topology';

export interface QueueWithDlqProps {
  readonly name: QueueName;
  readonly spec: QueueSpec;
  /** Encrypts both queues (SSE-KMS with the hub's customer-managed key). */
  readonly key: kms.IKey;
}

/** SQS keeps a message at most 14 days; a dead letter gets all of it to be looked at and redriven. */
const DLQ_RETENTION = Duration.days(14);

/**
 * A topology queue and its dead-letter queue (`dlqName(name)` in the topology), both KMS-encrypted
 * and reachable over TLS only.
 */
export class QueueWithDlq extends Construct {
  readonly name: QueueName;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const { name, spec, key } = props;
    this.name = name;

    const secure = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
    } satisfies sqs.QueueProps;

    // No DLQ of its own, and no AwsSolutions-SQS3 acknowledgement needed: cdk-nag sees that the
    // queue below names it in its RedrivePolicy.
    this.dlq = new sqs.Queue(this, 'Dlq', { ...secure, retentionPeriod: DLQ_RETENTION });

    this.queue = new sqs.Queue(this, 'Queue', {
      ...secure,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(spec.retentionDays),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: spec.maxReceiveCount },
    });
  }

  /** SendMessage (and the key use it needs) on the queue itself. */
  grantSend(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grants.sendMessages(grantee);
  }

  /** SendMessage on the DLQ: the consumer parks permanent failures there without retrying them. */
  grantSendToDlq(grantee: iam.IGrantable): iam.Grant {
    return this.dlq.grants.sendMessages(grantee);
  }
}
