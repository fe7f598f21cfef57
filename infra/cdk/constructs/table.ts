import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableAccess, TableName, TableSpec } from '#infra/topology';

export interface HubTableProps {
  readonly name: TableName;
  readonly spec: TableSpec;
  readonly key: kms.IKey;
}

/**
 * Item writes only: no UpdateItem or DeleteItem, so a `write` function (ingress on the audit log)
 * can append but never change or remove what is there.
 */
const APPEND_ACTIONS = ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'];

/**
 * What DynamoDB needs from the caller to use a customer-managed table key on a write (the same key
 * actions CDK's own write grants give).
 */
const KEY_WRITE_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/**
 * A topology table: on-demand, point-in-time recovery, encrypted with the hub's key, kept when the
 * stack goes (the audit log and process state outlive a deployment).
 */
export class HubTable extends Construct {
  readonly name: TableName;
  readonly table: dynamodb.Table;
  private readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: HubTableProps) {
    super(scope, id);
    const { name, spec, key } = props;
    this.name = name;

    // The topology names keys without types; every key the hub writes is a string
    // (correlation ids, composite `pk`/`sk`, zero-padded hop numbers).
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: spec.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: spec.sortKey ? { name: spec.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      timeToLiveAttribute: spec.ttlAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.indexNames = (spec.indexes ?? []).map((index) => index.name);
    for (const index of spec.indexes ?? []) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: index.sortKey ? { name: index.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** Exactly the access the topology gives a function on this table, and the key use it needs. */
  grant(grantee: iam.IGrantable, access: TableAccess): void {
    if (this.indexNames.length > 0 && grantee instanceof Construct) {
      const logicalId = Stack.of(this).getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable);
      Validations.of(grantee).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
        reason: `CDK's DynamoDB grants name the table's own indexes as <table ARN>/index/*: the wildcard covers only the global secondary indexes of table ${this.name} (${this.indexNames.join(', ')}).`,
      });
    }
    switch (access) {
      case 'read':
        this.table.grants.readData(grantee);
        return;
      case 'write':
        this.table.grants.actions(grantee, ...APPEND_ACTIONS);
        this.table.grantOnKey(grantee, ...KEY_WRITE_ACTIONS);
        return;
      case 'readwrite':
        this.table.grants.readWriteData(grantee);
        return;
    }
  }
}
