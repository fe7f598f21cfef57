import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketAccess, BucketName, BucketSpec } from '#infra/topology';

/** Days the access logs of the hub's buckets are kept: as long as what they are about. */
const ACCESS_LOG_DAYS = 400;

/**
 * Where S3 writes the server access logs of the hub's buckets (who read or wrote a result, when).
 * Private and TLS-only like the others; encrypted with S3-managed keys, the only default
 * encryption S3 accepts for a log delivery target; retained with the stack's data.
 */
export class AccessLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No access logs of its own (they would go to itself, or to yet another bucket with the same
    // question); cdk-nag's AwsSolutions-S1 recognises a log delivery target and asks for none.
  }
}

export interface HubBucketProps {
  readonly name: BucketName;
  readonly spec: BucketSpec;
  /** Encrypts every object (SSE-KMS with the hub's customer-managed key, S3 Bucket Key on). */
  readonly key: kms.IKey;
  readonly accessLogs: AccessLogBucket;
}

/**
 * A topology bucket: SSE-KMS with the hub's key, no public access of any kind, TLS only, versioned,
 * access-logged, expiring objects after the topology's days, kept when the stack goes.
 */
export class HubBucket extends Construct {
  readonly name: BucketName;
  readonly bucket: s3.Bucket;
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: HubBucketProps) {
    super(scope, id);
    const { name, spec, key, accessLogs } = props;
    this.name = name;
    this.key = key;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs.bucket,
      serverAccessLogsPrefix: `${name}/`,
      lifecycleRules: [
        {
          id: 'expire-objects',
          expiration: Duration.days(spec.expireAfterDays),
          noncurrentVersionExpiration: Duration.days(spec.noncurrentDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'remove-expired-object-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Exactly the access the topology gives a function: `write` is s3:PutObject on the bucket's
   * objects and the one key action a single-part SSE-KMS upload needs (kms:GenerateDataKey), no
   * read, list or delete; `read` is s3:GetObject and kms:Decrypt, no write, list or delete.
   */
  grant(grantee: iam.IGrantable, access: BucketAccess): void {
    switch (access) {
      case 'write':
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }),
        );
        this.key.grant(grantee, 'kms:GenerateDataKey');
        break;
      case 'read':
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('*')] }),
        );
        this.key.grant(grantee, 'kms:Decrypt');
        break;
    }
    if (grantee instanceof Construct) {
      const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
      Validations.of(grantee).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
        reason: `The objects of bucket ${this.name} only (one per run and document, keyed <municipality>/<run id>.<kind>, not known in advance); the action is s3:${access === 'write' ? 'PutObject' : 'GetObject'} alone.`,
      });
    }
  }
}
