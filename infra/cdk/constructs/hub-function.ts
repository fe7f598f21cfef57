import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  bucketKeyEnv,
  bucketNameEnv,
  dlqUrlEnv,
  queueUrlEnv,
  tableNameEnv,
  type BucketAccess,
  type BucketName,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
  type TableAccess,
  type TableName,
  AUDIT_KEY_SECRET_ARN_ENV,
  MUNICIPALITIES_ENV,
  PSEUDONYM_KEY_SECRET_ARN_ENV,
  WELLBEING_COUNTIES_ENV,
  WEBHOOK_SECRET_PREFIX,
  WEBHOOK_SECRET_PREFIX_ENV,
  VTJ_CREDENTIALS_SECRET_ARN_ENV,
  XROAD_CLIENT_ENV,
  XROAD_PACING_MARGIN_ENV,
  XROAD_SECURITY_SERVER_ENV,
  XROAD_TLS_SECRET_ARN_ENV,
  COUNTY_TLS_SECRET_ARN_ENV,
} from '#infra/topology';
import { depsLockFilePath, entryPath, hubBundling, repoRoot } from '#infra/cdk/bundling';
import type { HubBucket } from '#infra/cdk/constructs/bucket';
import type { QueueWithDlq } from '#infra/cdk/constructs/queue-with-dlq';
import type { HubTable } from '#infra/cdk/constructs/table';

/** How long EventBridge keeps trying to invoke a function on a `cron` schedule (its maximum), and how often. */
export const CRON_MAX_EVENT_AGE = Duration.hours(24);
export const CRON_RETRY_ATTEMPTS = 10;

/** Node.js 22 is the runtime the design fixes (docs/DESIGN.md "In AWS"). */
export const HUB_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** The AWS Parameters and Secrets Lambda Extension layer (its newest version in aws-cdk-lib), with its defaults. */
export const PARAMS_AND_SECRETS = lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103);

export interface XRoadSettings {
  readonly securityServerUrl: string;
  readonly clientId: string;
  /** The pacing margin toward the registers, in ms (a Number parameter's value, as text). */
  readonly pacingMarginMs: string;
  /** The hub's TLS client certificate, its key and the security server's CA (JSON of PEMs). */
  readonly tlsSecret: secretsmanager.ISecret;
  /** The VPC of the security server: the functions that call it run in these subnets, with this security group. */
  readonly vpc: ec2.IVpc;
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
}

export interface HubFunctionProps {
  readonly name: FunctionName;
  readonly spec: FunctionSpec;
  /** Encrypts the function's log group. */
  readonly key: kms.IKey;
  /** Every topology queue, to look up the ones the spec sends to and consumes. */
  readonly queues: Readonly<Record<QueueName, QueueWithDlq>>;
  /** Every topology table, to look up the ones the spec uses. */
  readonly tables: Readonly<Record<TableName, HubTable>>;
  /** Every topology bucket, to look up the ones the spec uses. */
  readonly buckets?: Readonly<Record<BucketName, HubBucket>>;
  /** Given to functions that write the audit log: the HMAC key for hashing HETUs, read through the Parameters and Secrets extension. */
  readonly auditKeySecret?: secretsmanager.ISecret;
  /** Given to functions that call external systems through X-Road. */
  readonly xroad?: XRoadSettings;
  /** Given to functions that send VTJ's own username and password (`vtjCredentials` in the topology). */
  readonly vtjCredentialsSecret?: secretsmanager.ISecret;
  /** Given to scheduled functions, which work per municipality: the codes the hub serves, comma-separated. */
  readonly municipalities?: string;
  /** Given to functions that prepare requests to the wellbeing services counties (`wellbeingCounties` in the topology). */
  readonly wellbeing?: WellbeingSettings;
}

/** The counties' endpoints (JSON of `countyEndpointsV1`), the secret holding the pseudonym key, and the TLS toward the counties reached directly. */
export interface WellbeingSettings {
  readonly counties: string;
  readonly pseudonymKeySecret: secretsmanager.ISecret;
  /** The hub's client certificate and key toward the counties reached directly, and each one's CA (JSON of PEMs): read by the function that calls the counties. */
  readonly countyTlsSecret: secretsmanager.ISecret;
}

/**
 * A topology function: an esbuild-bundled Node.js 22 arm64 Lambda with its own encrypted log group
 * and its own role, which gets exactly what the spec names: SendMessage on its `sends` queues (and
 * its input's DLQ), consumption of its bound queue, its table access, and nothing else.
 */
export class HubFunction extends Construct {
  readonly name: FunctionName;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly function: NodejsFunction;
  /** The EventBridge rule that invokes a scheduled function. */
  readonly schedule?: events.Rule;

  constructor(scope: Construct, id: string, props: HubFunctionProps) {
    super(scope, id);
    const { name, spec, key, queues, tables, buckets, auditKeySecret, xroad, vtjCredentialsSecret, municipalities, wellbeing } = props;
    this.name = name;
    if (spec.schedule && spec.consumes) throw new Error(`topology: function ${name} has both a schedule and a queue`);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Our own role rather than the default one with AWSLambdaBasicExecutionRole (logs on every
    // log group in the account): this one may write to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `koto-hub ${name}: ${spec.description}`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: 'koto-hub',
      POWERTOOLS_METRICS_NAMESPACE: 'KotoHub',
      KOTO_FUNCTION_NAME: name,
      NODE_OPTIONS: '--enable-source-maps',
    };

    for (const queueName of spec.sends) {
      const target = queues[queueName];
      environment[queueUrlEnv(queueName)] = target.queue.queueUrl;
      target.grantSend(this.role);
    }

    const input = spec.consumes ? queues[spec.consumes.queue] : undefined;
    if (input) {
      environment[dlqUrlEnv(input.name)] = input.dlq.queueUrl;
      input.grantSendToDlq(this.role);
    }

    for (const [tableName, access] of Object.entries(spec.tables) as [TableName, TableAccess][]) {
      const table = tables[tableName];
      environment[tableNameEnv(tableName)] = table.table.tableName;
      table.grant(this.role, access);
    }

    for (const [bucketName, access] of Object.entries(spec.buckets ?? {}) as [BucketName, BucketAccess][]) {
      const bucket = buckets?.[bucketName];
      if (!bucket) throw new Error(`topology: function ${name} uses bucket ${bucketName}, which the stack was not given`);
      environment[bucketNameEnv(bucketName)] = bucket.bucket.bucketName;
      environment[bucketKeyEnv(bucketName)] = bucket.key.keyArn;
      bucket.grant(this.role, access);
    }

    if (auditKeySecret) {
      environment[AUDIT_KEY_SECRET_ARN_ENV] = auditKeySecret.secretArn;
      // The extension reads the secret with the function's role.
      auditKeySecret.grantRead(this.role);
    }

    if (xroad) {
      environment[XROAD_SECURITY_SERVER_ENV] = xroad.securityServerUrl;
      environment[XROAD_CLIENT_ENV] = xroad.clientId;
      environment[XROAD_PACING_MARGIN_ENV] = xroad.pacingMarginMs;
      environment[XROAD_TLS_SECRET_ARN_ENV] = xroad.tlsSecret.secretArn;
      xroad.tlsSecret.grantRead(this.role);
    }

    if (spec.vtjCredentials) {
      if (!vtjCredentialsSecret) throw new Error(`topology: function ${name} sends VTJ's credentials, and the stack gave it no secret for them`);
      // Only the secret's ARN: the username and password are read at run time, never put in the template.
      environment[VTJ_CREDENTIALS_SECRET_ARN_ENV] = vtjCredentialsSecret.secretArn;
      vtjCredentialsSecret.grantRead(this.role);
    }

    if (municipalities !== undefined) environment[MUNICIPALITIES_ENV] = municipalities;

    if (spec.wellbeingCounties) {
      if (!wellbeing) throw new Error(`topology: function ${name} prepares wellbeing requests, and the stack gave it no county settings`);
      environment[WELLBEING_COUNTIES_ENV] = wellbeing.counties;
      environment[PSEUDONYM_KEY_SECRET_ARN_ENV] = wellbeing.pseudonymKeySecret.secretArn;
      wellbeing.pseudonymKeySecret.grantRead(this.role);
      if (spec.calls?.includes('wellbeing')) {
        environment[COUNTY_TLS_SECRET_ARN_ENV] = wellbeing.countyTlsSecret.secretArn;
        wellbeing.countyTlsSecret.grantRead(this.role);
      }
    }

    if (spec.signsWebhooks) {
      // One secret per client, made when the client is registered; the function may read those only.
      environment[WEBHOOK_SECRET_PREFIX_ENV] = WEBHOOK_SECRET_PREFIX;
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${WEBHOOK_SECRET_PREFIX}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
      );
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${WEBHOOK_SECRET_PREFIX}*]`,
        reason: 'The webhook signing secrets of the registered clients, one per client and made when it registers, so not known when the stack is deployed; the prefix holds nothing else.',
      });
    }

    this.function = new NodejsFunction(this, 'Function', {
      description: spec.description,
      entry: entryPath(spec.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath,
      bundling: hubBundling(),
      runtime: HUB_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment,
      // functions/lib/extension-secret.ts (and the audit key's and webhooks' readers) read secrets
      // through the extension's localhost endpoint rather than with a Secrets Manager client in every bundle.
      ...(auditKeySecret || spec.signsWebhooks || xroad || spec.vtjCredentials || spec.wellbeingCounties ? { paramsAndSecrets: PARAMS_AND_SECRETS } : {}),
      // A function that calls X-Road reaches the security server inside its VPC, and only from these subnets.
      ...(xroad ? { vpc: xroad.vpc, vpcSubnets: { subnets: [...xroad.subnets] }, securityGroups: [xroad.securityGroup] } : {}),
    });
    if (xroad) {
      // Lambda makes the function's network interfaces in the VPC with its role. CDK adds
      // AWSLambdaVPCAccessExecutionRole only to a role it makes itself; this role gets that policy's
      // EC2 actions, without its logs:* on every log group (the role writes its own log group only).
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The design fixes Node.js 22 (docs/DESIGN.md "In AWS"): the runtime the local runtime, the tests and the bundle target use.',
    });

    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires "*"' +
          (xroad ? '; so do the EC2 network-interface actions Lambda needs in a VPC (those of AWSLambdaVPCAccessExecutionRole).' : '.'),
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'CDK grants for SQS SendMessage and DynamoDB writes on the hub key; GenerateDataKey* is limited to that one key ARN.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: 'CDK grants for SQS SendMessage and DynamoDB writes on the hub key; ReEncrypt* is limited to that one key ARN.',
      },
    );

    if (spec.consumes && input) {
      this.function.addEventSource(
        new SqsEventSource(input.queue, {
          batchSize: spec.consumes.batchSize,
          maxConcurrency: spec.consumes.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }

    if (spec.schedule && 'everyMinutes' in spec.schedule) {
      const period = Duration.minutes(spec.schedule.everyMinutes);
      this.schedule = new events.Rule(this, 'Schedule', {
        description: `koto-hub ${name}: every ${spec.schedule.everyMinutes} minutes`,
        schedule: events.Schedule.rate(period),
        targets: [
          // An invocation that could not start within one period is superseded by the next one.
          new targets.LambdaFunction(this.function, { maxEventAge: period, retryAttempts: 2 }),
        ],
      });
    } else if (spec.schedule) {
      const schedule = events.Schedule.cron(spec.schedule.cron);
      this.schedule = new events.Rule(this, 'Schedule', {
        description: `koto-hub ${name}: ${schedule.expressionString} (UTC)`,
        schedule,
        targets: [
          // A calendar invocation is rare and idempotent: keep trying for the day EventBridge allows.
          new targets.LambdaFunction(this.function, { maxEventAge: CRON_MAX_EVENT_AGE, retryAttempts: CRON_RETRY_ATTEMPTS }),
        ],
      });
    }
  }
}
