/**
 * The hub in AWS, built by looping over infra/topology.ts: one QueueWithDlq per queue, one HubTable
 * per table, one HubFunction per function. The wiring (who sends where, who reads what) lives in the
 * topology only; this file decides which shared pieces each function gets.
 */
import { CfnOutput, CfnParameter, Fn, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  bucketNames,
  buckets,
  dlqName,
  functionNames,
  functionSpec,
  queueNames,
  queueSpec,
  tableNames,
  tableSpec,
  type BucketName,
  type FunctionName,
  type QueueName,
  type TableName,
} from '#infra/topology';
import { DEFAULT_MARGIN_MS } from '#lib/rate-limit';
import { AccessLogBucket, HubBucket } from '#infra/cdk/constructs/bucket';
import { HubFunction } from '#infra/cdk/constructs/hub-function';
import { DoorApi } from '#infra/cdk/constructs/door-api';
import { QueueWithDlq } from '#infra/cdk/constructs/queue-with-dlq';
import { Observability } from '#infra/cdk/constructs/observability';
import { HubTable } from '#infra/cdk/constructs/table';

/** `referral-intake` → `ReferralIntake`, for construct ids and output names. */
const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const byName = <N extends string, T>(names: readonly N[], make: (name: N) => T): Record<N, T> =>
  Object.fromEntries(names.map((name) => [name, make(name)])) as Record<N, T>;

export class KotoHubStack extends Stack {
  /** Encrypts every queue, DLQ, table, log group and the audit HMAC secret. */
  readonly key: kms.Key;
  readonly auditKeySecret: secretsmanager.Secret;
  /** The key of the wellbeing requests' pseudonyms (contracts/wellbeing/pseudonym.ts), generated. */
  readonly pseudonymKeySecret: secretsmanager.Secret;
  /** VTJ's username and password for the query product, JSON {username, password}: put by the operator. */
  readonly vtjCredentialsSecret: secretsmanager.Secret;
  /** The hub's X-Road TLS client certificate, its key and the security server's CA, JSON of PEMs: put by the operator. */
  readonly xroadTlsSecret: secretsmanager.Secret;
  /** The hub's TLS client certificate toward the counties reached directly, its key and each such county's CA, JSON of PEMs: put by the operator. */
  readonly countyTlsSecret: secretsmanager.Secret;
  /** The security group of the functions that call the security server. */
  readonly xroadSecurityGroup: ec2.SecurityGroup;
  readonly queues: Readonly<Record<QueueName, QueueWithDlq>>;
  readonly tables: Readonly<Record<TableName, HubTable>>;
  readonly functions: Readonly<Record<FunctionName, HubFunction>>;
  readonly buckets: Readonly<Record<BucketName, HubBucket>>;
  /** Where S3 writes the access logs of the buckets. */
  readonly accessLogs: AccessLogBucket;
  /** The door: API Gateway with mutual TLS on the hub's own domain, in front of ingress. */
  readonly door: DoorApi;
  /** The dashboard and the alarms. */
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.key = new kms.Key(this, 'Key', {
      description: 'koto-hub: queues, dead-letter queues, tables, log groups and the audit HMAC secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with the key itself, as a service principal, for this account's log
    // groups only (the condition is the documented one for log group encryption).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );

    this.auditKeySecret = new secretsmanager.Secret(this, 'AuditKeySecret', {
      description: 'koto-hub: HMAC key for the keyed hash of personal identity codes (HETU) in the audit log',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // The audit table is retained; the key that makes its hashes checkable must be too.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.auditKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Not rotated automatically: the audit log links hops of the same person by the keyed hash, and a new key would ' +
        'break that link for everything already written. Rotation is a planned operation (new version, re-keyed lookups), not a schedule.',
    });

    this.pseudonymKeySecret = new secretsmanager.Secret(this, 'PseudonymKeySecret', {
      description: "koto-hub: HMAC key of the pseudonyms that stand for people in the wellbeing services counties' consultations",
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.pseudonymKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Not rotated automatically: a pseudonym is mapped back through what the hub stored when it sent the request, so a new key ' +
        'breaks nothing already sent, but a rotation mid-request would build a different transaction on a retry. Rotation is planned, between requests.',
    });

    // The hub's own credentials toward the national systems are made here, encrypted with the stack's
    // key, with empty fields the operator fills (`aws secretsmanager put-secret-value`, README
    // "Deploying to AWS"): no credential is ever a template value or a parameter. Until filled, a
    // call fails with a configuration error naming the empty field.
    const operatorSecret = (id: string, description: string, fields: readonly string[], rotation: string) => {
      const secret = new secretsmanager.Secret(this, id, {
        description,
        encryptionKey: this.key,
        // The template's value is the empty fields only; `placeholder` is random so that no two stacks share a value.
        generateSecretString: {
          secretStringTemplate: JSON.stringify(Object.fromEntries(fields.map((field) => [field, '']))),
          generateStringKey: 'placeholder',
          excludePunctuation: true,
        },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: rotation });
      return secret;
    };
    this.vtjCredentialsSecret = operatorSecret(
      'VtjCredentialsSecret',
      "koto-hub: VTJ's username and password for the query product (VTJ permit), JSON {username, password}",
      ['username', 'password'],
      'VTJ issues the username and password with the permit and changes them on its own schedule (DVV), so no Lambda can rotate ' +
        'them; the operator puts the new ones, and the VTJ adapter reads the secret again within five minutes.',
    );
    this.xroadTlsSecret = operatorSecret(
      'XRoadTlsSecret',
      "koto-hub: the TLS client certificate the hub presents to its X-Road security server, its private key and the security server's CA, JSON {certificate, privateKey, securityServerCa} (PEM)",
      ['certificate', 'privateKey', 'securityServerCa'],
      'A certificate is renewed by issuing a new one and registering it on the security server, not by a rotation Lambda; the ' +
        'operator puts the renewed pair, and the functions read the secret again within five minutes.',
    );

    // Filled with the fields of the counties the operator connects directly: `ca-<county>` each.
    this.countyTlsSecret = operatorSecret(
      'CountyTlsSecret',
      'koto-hub: the TLS client certificate the hub presents to the wellbeing services counties reached directly (not over X-Road), its private key and, per such county, the CA of its server certificate, JSON {certificate, privateKey, "ca-<county>"} (PEM)',
      ['certificate', 'privateKey'],
      'A certificate is renewed by issuing a new one and registering it with each county reached directly, not by a rotation Lambda; the ' +
        'operator puts the renewed pair (and a county\'s new CA), and the county adapter reads the secret again within five minutes.',
    );

    // The VPC of the security server. Lambda needs the subnets' count at synthesis: the first two of
    // the list, in two availability zones, are used.
    const vpcId = new CfnParameter(this, 'VpcId', {
      type: 'AWS::EC2::VPC::Id',
      description: "The VPC from which the security server is reachable: the functions that call X-Road run in it",
    }).valueAsString;
    const subnetIds = new CfnParameter(this, 'PrivateSubnetIds', {
      type: 'List<AWS::EC2::Subnet::Id>',
      description: 'Two private subnets of VpcId in different availability zones (the first two of the list are used), with a route to the security server and to the AWS services (VPC endpoints or NAT)',
    }).valueAsList;
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId,
      availabilityZones: [0, 1].map((i) => Fn.select(i, Fn.getAzs())),
      privateSubnetIds: [0, 1].map((i) => Fn.select(i, subnetIds)),
    });
    const subnets = vpc.privateSubnets;
    Validations.of(vpc).acknowledge({
      id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
      reason: "The subnets' routes are the VPC's own (to the security server, and to endpoints or NAT); the stack adds no route and reads no route table.",
    });
    const securityServerCidr = new CfnParameter(this, 'XRoadSecurityServerCidr', {
      type: 'String',
      description: "The security server's address as a CIDR block, e.g. 10.20.1.15/32: the only destination of X-Road calls",
      allowedPattern: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$',
      constraintDescription: 'an IPv4 CIDR block',
    }).valueAsString;
    const securityServerPort = new CfnParameter(this, 'XRoadSecurityServerPort', {
      type: 'Number',
      description: "The security server's port for information systems (443 for HTTPS unless it was changed)",
      default: 443,
      minValue: 1,
      maxValue: 65535,
    }).valueAsNumber;
    const awsServicesCidr = new CfnParameter(this, 'AwsServicesCidr', {
      type: 'String',
      description:
        'Where the functions in the VPC reach SQS, DynamoDB, Secrets Manager and X-Ray over HTTPS (443): the VPC\'s CIDR block when ' +
        'interface endpoints serve all of them; 0.0.0.0/0 (the default) through a NAT gateway or the DynamoDB gateway endpoint',
      default: '0.0.0.0/0',
      allowedPattern: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$',
      constraintDescription: 'an IPv4 CIDR block',
    }).valueAsString;
    this.xroadSecurityGroup = new ec2.SecurityGroup(this, 'XRoadCallers', {
      vpc,
      description: 'koto-hub functions that call X-Road: out to the security server and the AWS services only, nothing in',
      allowAllOutbound: false,
    });
    this.xroadSecurityGroup.addEgressRule(ec2.Peer.ipv4(securityServerCidr), ec2.Port.tcp(Token.asNumber(securityServerPort)), 'the X-Road security server');
    this.xroadSecurityGroup.addEgressRule(ec2.Peer.ipv4(awsServicesCidr), ec2.Port.tcp(443), 'SQS, DynamoDB, Secrets Manager, X-Ray (endpoints or NAT)');

    const xroad = {
      tlsSecret: this.xroadTlsSecret,
      vpc,
      subnets,
      securityGroup: this.xroadSecurityGroup,
      securityServerUrl: new CfnParameter(this, 'XRoadSecurityServerUrl', {
        type: 'String',
        description: "Address of the municipality's X-Road security server, e.g. https://xroad-ss.example.fi",
        allowedPattern: '^https?://\\S+$',
        constraintDescription: 'an http(s) URL',
      }).valueAsString,
      clientId: new CfnParameter(this, 'XRoadClientId', {
        type: 'String',
        description: "The hub's X-Road client subsystem, INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. FI/MUN/0123456-7/kotohub",
        allowedPattern: '^[^/\\s]+/[^/\\s]+/[^/\\s]+/[^/\\s]+$',
        constraintDescription: 'four parts separated by "/": instance, member class, member code, subsystem',
      }).valueAsString,
      pacingMarginMs: new CfnParameter(this, 'XRoadPacingMarginMs', {
        type: 'Number',
        description:
          "Milliseconds added to each register's pacing interval for the way from the hub to the register (docs/DESIGN.md " +
          '"Rate limits, as the register counts them"): larger if a register counts more than its limit, smaller to go faster',
        default: DEFAULT_MARGIN_MS,
        minValue: 0,
        maxValue: 1000,
      }).valueAsString,
    };
    const municipalities = new CfnParameter(this, 'Municipalities', {
      type: 'String',
      description: 'The municipalities the hub serves, comma-separated three-digit codes, e.g. 905,091 (scheduled work runs for each)',
      allowedPattern: '^\\d{3}(,\\d{3})*$',
      constraintDescription: 'three-digit municipality codes separated by commas, no spaces',
    }).valueAsString;
    const wellbeing = {
      counties: new CfnParameter(this, 'WellbeingCounties', {
        type: 'String',
        description:
          "The wellbeing services counties' FHIR endpoints, JSON of countyEndpointsV1 (contracts/wellbeing/endpoint.ts); [] until a county is connected",
        default: '[]',
      }).valueAsString,
      pseudonymKeySecret: this.pseudonymKeySecret,
      countyTlsSecret: this.countyTlsSecret,
    };
    if (!functionNames.some((name) => functionSpec(name).calls?.length)) {
      Validations.of(this).acknowledge({
        id: 'CloudFormation-Validate::W2001',
        reason:
          'The X-Road parameters are part of the deploy interface from the start (docs/DESIGN.md "In AWS"), so pipelines pass them ' +
          'before the first adapter that calls X-Road exists; until then no function references them.',
      });
    }

    this.queues = byName(queueNames, (name) => {
      const queue = new QueueWithDlq(this, `${pascal(name)}Queue`, { name, spec: queueSpec(name), key: this.key });
      new CfnOutput(this, `${pascal(name)}QueueUrl`, { value: queue.queue.queueUrl, description: `URL of queue ${name}` });
      new CfnOutput(this, `${pascal(dlqName(name))}Url`, { value: queue.dlq.queueUrl, description: `URL of ${dlqName(name)}` });
      return queue;
    });

    this.tables = byName(tableNames, (name) => {
      const table = new HubTable(this, `${pascal(name)}Table`, { name, spec: tableSpec(name), key: this.key });
      new CfnOutput(this, `${pascal(name)}TableName`, { value: table.table.tableName, description: `Name of table ${name}` });
      return table;
    });

    this.accessLogs = new AccessLogBucket(this, 'AccessLogs');
    this.buckets = byName(bucketNames, (name) => {
      const bucket = new HubBucket(this, `${pascal(name)}Bucket`, { name, spec: buckets[name], key: this.key, accessLogs: this.accessLogs });
      new CfnOutput(this, `${pascal(name)}BucketName`, { value: bucket.bucket.bucketName, description: `Name of bucket ${name}` });
      return bucket;
    });

    this.functions = byName(functionNames, (name) => {
      const spec = functionSpec(name);
      const fn = new HubFunction(this, `${pascal(name)}Function`, {
        name,
        spec,
        key: this.key,
        queues: this.queues,
        tables: this.tables,
        buckets: this.buckets,
        auditKeySecret: spec.tables.audit ? this.auditKeySecret : undefined,
        xroad: spec.calls?.length ? xroad : undefined,
        vtjCredentialsSecret: spec.vtjCredentials ? this.vtjCredentialsSecret : undefined,
        // Scheduled work runs per served municipality; the door refuses the others.
        municipalities: spec.schedule || spec.http ? municipalities : undefined,
        wellbeing: spec.wellbeingCounties ? wellbeing : undefined,
      });
      return fn;
    });

    const doorFunctions = functionNames.filter((name) => functionSpec(name).http === 'mtls');
    if (doorFunctions.join() !== 'ingress,inbox-api') throw new Error('topology: the door serves ingress and the inbox (functions/ingress, functions/inbox-api)');
    const parameter = (name: string, description: string, allowedPattern: string, constraintDescription: string) =>
      new CfnParameter(this, name, { type: 'String', description, allowedPattern, constraintDescription }).valueAsString;
    this.door = new DoorApi(this, 'Door', {
      ingress: this.functions.ingress.function,
      inbox: this.functions['inbox-api'].function,
      key: this.key,
      domainName: parameter('DoorDomainName', "The door's own domain, e.g. koto-hub.example.fi (the clients' only way in)", '^[a-z0-9.-]+\\.[a-z]{2,}$', 'a lower-case DNS name'),
      certificateArn: parameter('DoorCertificateArn', 'ARN of the ACM certificate of DoorDomainName, in the stack\'s region', '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[0-9a-f-]+$', 'an ACM certificate ARN'),
      truststoreUri: parameter(
        'DoorTruststoreUri',
        's3://bucket/key of the PEM bundle of the CA certificates client certificates must chain to (mutual TLS truststore)',
        '^s3://[a-z0-9.-]{3,63}/\\S+$',
        'an s3://bucket/key URI',
      ),
    });
    new CfnOutput(this, 'DoorDomainTarget', {
      value: this.door.domain.attrRegionalDomainName,
      description: 'Point DoorDomainName here (a CNAME or alias record): POST https://<DoorDomainName>/envelopes with a client certificate',
    });

    const alarmTopicArn = new CfnParameter(this, 'AlarmTopicArn', {
      type: 'String',
      description:
        'ARN of the SNS topic every alarm (and its return to OK) is sent to, e.g. arn:aws:sns:eu-north-1:123456789012:koto-hub-alarms. ' +
        'A topic encrypted with a customer-managed key must let cloudwatch.amazonaws.com use that key.',
      allowedPattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}$',
      constraintDescription: 'the ARN of a standard SNS topic',
    }).valueAsString;
    this.observability = new Observability(this, 'Observability', {
      queues: this.queues,
      functions: this.functions,
      alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn),
    });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName, description: 'Name of the CloudWatch dashboard' });
  }
}
