import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  consumerOf,
  dlqName,
  dlqUrlEnv,
  functionNames,
  functionSpec,
  queueNames,
  queueSpec,
  queueUrlEnv,
  tableNameEnv,
  tableNames,
  tableSpec,
  bucketKeyEnv,
  bucketNameEnv,
  type BucketName,
  type FunctionName,
  type QueueName,
  type TableAccess,
  type TableName,
} from '#infra/topology';
import { DEFAULT_MARGIN_MS } from '#lib/rate-limit';
import { bundleAliases, esbuildOptions, hubBundling, repoRoot } from '#infra/cdk/bundling';
import {
  AUDIT_KEY_SECRET_ARN_ENV,
  MUNICIPALITIES_ENV,
  scheduledFunctionNames,
  WEBHOOK_SECRET_PREFIX,
  WEBHOOK_SECRET_PREFIX_ENV,
  XROAD_CLIENT_ENV,
  XROAD_PACING_MARGIN_ENV,
  XROAD_SECURITY_SERVER_ENV,
  XROAD_TLS_SECRET_ARN_ENV,
  VTJ_CREDENTIALS_SECRET_ARN_ENV,
  PSEUDONYM_KEY_SECRET_ARN_ENV,
  COUNTY_TLS_SECRET_ARN_ENV,
  WELLBEING_COUNTIES_ENV,
} from '#infra/topology';
import { buildStack } from './build-stack.ts';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}
interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const outdir = mkdtempSync(path.join(tmpdir(), 'koto-hub-infra-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const { stack, logicalId } = buildStack({ outdir });
const template = Template.fromStack(stack);
const json = template.toJSON() as { Resources: Record<string, CfnResource>; Outputs: Record<string, unknown>; Parameters: Record<string, unknown> };
const resources = json.Resources;

const resource = (id: string): CfnResource => {
  const found = resources[id];
  if (!found) throw new Error(`no resource ${id} in the template`);
  return found;
};
const ofType = (type: string): [string, CfnResource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const keyArn = arnOf(logicalId(stack.key));
const queueId = (name: QueueName) => logicalId(stack.queues[name].queue);
const dlqId = (name: QueueName) => logicalId(stack.queues[name].dlq);
const tableId = (name: TableName) => logicalId(stack.tables[name].table);
const functionId = (name: FunctionName) => logicalId(stack.functions[name].function);

/** Every statement of the policies attached to a function's role. */
const roleStatements = (name: FunctionName): Statement[] => {
  const roleId = logicalId(stack.functions[name].role);
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => list(policy.Properties?.Roles).some((role) => same(role, { Ref: roleId })))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
};
const names = (statement: Statement, target: unknown): boolean => list(statement.Resource).some((r) => same(r, target));
const allows = (statement: Statement, action: string): boolean =>
  statement.Effect === 'Allow' && list(statement.Action).includes(action);

/** The Parameters and Secrets extension's settings, which CDK writes with the layer (its defaults). */
const PARAMS_AND_SECRETS_ENV = {
  PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true',
  PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: '1000',
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
  PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'info',
  PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS: '3',
  SECRETS_MANAGER_TIMEOUT_MILLIS: '0',
  SECRETS_MANAGER_TTL: '300',
  SSM_PARAMETER_STORE_TIMEOUT_MILLIS: '0',
  SSM_PARAMETER_STORE_TTL: '300',
};

describe('queues', () => {
  it.each(queueNames)('queue %s has a KMS-encrypted DLQ it redrives to after maxReceiveCount receives', (name) => {
    const spec = queueSpec(name);
    const queue = resource(queueId(name)).Properties;
    expect(queue).toMatchObject({
      KmsMasterKeyId: keyArn,
      VisibilityTimeout: spec.visibilityTimeoutSeconds,
      MessageRetentionPeriod: spec.retentionDays * 24 * 3600,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId(name)), maxReceiveCount: spec.maxReceiveCount },
    });
    const dlq = resource(dlqId(name)).Properties;
    expect(dlq).toMatchObject({ KmsMasterKeyId: keyArn, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(dlq).not.toHaveProperty('RedrivePolicy');
  });

  it.each(queueNames.flatMap((name) => [
    [name, name],
    [dlqName(name), name],
  ]))('queue %s refuses requests that do not use TLS', (label, name) => {
    const id = label === name ? queueId(name) : dlqId(name);
    const statements = ofType('AWS::SQS::QueuePolicy')
      .filter(([, policy]) => list(policy.Properties?.Queues).some((q) => same(q, { Ref: id })))
      .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it.each(queueNames.filter((name) => consumerOf(name)))(
    'queue %s keeps a message invisible for at least six times its consumer timeout',
    (name) => {
      const consumer = consumerOf(name) as FunctionName;
      expect(queueSpec(name).visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * functionSpec(consumer).timeoutSeconds);
    },
  );

  it('every SQS queue in the template is a topology queue or its DLQ', () => {
    const expected = queueNames.flatMap((name) => [queueId(name), dlqId(name)]).sort();
    expect(ofType('AWS::SQS::Queue').map(([id]) => id).sort()).toEqual(expected);
  });
});

describe('tables', () => {
  it.each(tableNames)('table %s is on-demand, KMS-encrypted, point-in-time recoverable and retained', (name) => {
    const spec = tableSpec(name);
    const table = resource(tableId(name));
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      KeySchema: [
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' }] : []),
      ],
    });
    if (spec.ttlAttribute) {
      expect(table.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: spec.ttlAttribute, Enabled: true });
    } else {
      expect(table.Properties).not.toHaveProperty('TimeToLiveSpecification');
    }
  });

  it.each(tableNames)('table %s has exactly the global secondary indexes of the topology, every key a string', (name) => {
    const spec = tableSpec(name);
    const properties = resource(tableId(name)).Properties ?? {};
    const keys = (partitionKey: string, sortKey?: string) => [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' }] : []),
    ];
    const expected = (spec.indexes ?? []).map((index) => ({
      IndexName: index.name,
      KeySchema: keys(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' },
    }));
    expect(properties.GlobalSecondaryIndexes ?? []).toEqual(expected);
    const defined = properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    for (const { KeySchema } of expected) {
      for (const { AttributeName } of KeySchema) expect(defined).toContainEqual({ AttributeName, AttributeType: 'S' });
    }
  });

  it('the audit table can be searched by the keyed hash of a person, newest last', () => {
    expect(tableSpec('audit').indexes).toContainEqual({ name: 'bySubject', partitionKey: 'subjectHash', sortKey: 'recordedAt' });
  });
});

describe('functions', () => {
  it.each(functionNames)('function %s runs Node.js 22 on arm64 with the topology memory and timeout', (name) => {
    const spec = functionSpec(name);
    expect(resource(functionId(name)).Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: spec.memoryMb,
      Timeout: spec.timeoutSeconds,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.functions[name].logGroup) } },
    });
  });

  it.each(functionNames)('function %s logs to its own KMS-encrypted log group', (name) => {
    expect(resource(logicalId(stack.functions[name].logGroup)).Properties).toMatchObject({
      KmsKeyId: keyArn,
      RetentionInDays: 365,
    });
  });

  it.each(functionNames)('function %s finds exactly its queues, tables and settings in its environment', (name) => {
    const spec = functionSpec(name);
    const variables = (resource(functionId(name)).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const expected: Record<string, unknown> = {
      POWERTOOLS_SERVICE_NAME: 'koto-hub',
      POWERTOOLS_METRICS_NAMESPACE: 'KotoHub',
      KOTO_FUNCTION_NAME: name,
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const queue of spec.sends) expected[queueUrlEnv(queue)] = { Ref: queueId(queue) };
    if (spec.consumes) expected[dlqUrlEnv(spec.consumes.queue)] = { Ref: dlqId(spec.consumes.queue) };
    for (const table of Object.keys(spec.tables) as TableName[]) expected[tableNameEnv(table)] = { Ref: tableId(table) };
    if (spec.tables.audit) {
      expected[AUDIT_KEY_SECRET_ARN_ENV] = { Ref: logicalId(stack.auditKeySecret) };
      Object.assign(expected, PARAMS_AND_SECRETS_ENV);
    }
    if (spec.calls?.length) {
      expected[XROAD_SECURITY_SERVER_ENV] = { Ref: 'XRoadSecurityServerUrl' };
      expected[XROAD_CLIENT_ENV] = { Ref: 'XRoadClientId' };
      expected[XROAD_PACING_MARGIN_ENV] = { Ref: 'XRoadPacingMarginMs' };
      expected[XROAD_TLS_SECRET_ARN_ENV] = { Ref: logicalId(stack.xroadTlsSecret) };
      Object.assign(expected, PARAMS_AND_SECRETS_ENV);
    }
    if (spec.vtjCredentials) expected[VTJ_CREDENTIALS_SECRET_ARN_ENV] = { Ref: logicalId(stack.vtjCredentialsSecret) };
    if (spec.schedule || spec.http) expected[MUNICIPALITIES_ENV] = { Ref: 'Municipalities' };
    if (spec.signsWebhooks) expected[WEBHOOK_SECRET_PREFIX_ENV] = WEBHOOK_SECRET_PREFIX;
    if (spec.wellbeingCounties) {
      expected[WELLBEING_COUNTIES_ENV] = { Ref: 'WellbeingCounties' };
      expected[PSEUDONYM_KEY_SECRET_ARN_ENV] = { Ref: logicalId(stack.pseudonymKeySecret) };
      if (spec.calls?.includes('wellbeing')) expected[COUNTY_TLS_SECRET_ARN_ENV] = { Ref: logicalId(stack.countyTlsSecret) };
      Object.assign(expected, PARAMS_AND_SECRETS_ENV);
    }
    for (const bucket of Object.keys(spec.buckets ?? {}) as BucketName[]) {
      expected[bucketNameEnv(bucket)] = { Ref: logicalId(stack.buckets[bucket].bucket) };
      expected[bucketKeyEnv(bucket)] = keyArn;
    }
    expect(variables).toEqual(expected);
  });

  it.each(functionNames)('function %s is fed by its bound queue with partial batch failures, or by no queue', (name) => {
    const binding = functionSpec(name).consumes;
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      same(m.Properties?.FunctionName, { Ref: functionId(name) }),
    );
    if (!binding) {
      expect(mappings).toEqual([]);
      return;
    }
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toMatchObject({
      EventSourceArn: arnOf(queueId(binding.queue)),
      BatchSize: binding.batchSize,
      ScalingConfig: { MaximumConcurrency: binding.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it.each(functionNames)('function %s is invoked by an EventBridge rule at its schedule rate or cron, or by none', (name) => {
    const schedule = functionSpec(name).schedule;
    const rules = ofType('AWS::Events::Rule').filter(([, rule]) =>
      list(rule.Properties?.Targets as unknown[]).some((target) => same((target as { Arn: unknown }).Arn, arnOf(functionId(name)))),
    );
    if (!schedule) {
      expect(rules).toEqual([]);
      return;
    }
    expect(functionSpec(name).consumes).toBeUndefined();
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0]!;
    if ('everyMinutes' in schedule) {
      const minutes = schedule.everyMinutes;
      expect(rule.Properties).toMatchObject({ ScheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`, State: 'ENABLED' });
      expect(rule.Properties?.Targets).toEqual([
        expect.objectContaining({ RetryPolicy: { MaximumEventAgeInSeconds: minutes * 60, MaximumRetryAttempts: 2 } }),
      ]);
    } else {
      const { minute = '*', hour = '*', day, month = '*', weekDay } = schedule.cron;
      const expression = `cron(${minute} ${hour} ${day ?? (weekDay ? '?' : '*')} ${month} ${weekDay ?? '?'} *)`;
      expect(rule.Properties).toMatchObject({ ScheduleExpression: expression, State: 'ENABLED' });
      expect(rule.Properties?.Targets).toEqual([
        expect.objectContaining({ RetryPolicy: { MaximumEventAgeInSeconds: 24 * 3600, MaximumRetryAttempts: 10 } }),
      ]);
    }
    // EventBridge may invoke the function only from this rule.
    const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) => same(p.Properties?.FunctionName, arnOf(functionId(name))));
    expect(permissions.map(([, p]) => p.Properties)).toContainEqual(
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: arnOf(ruleId) }),
    );
  });

  it('every EventBridge rule in the template is the schedule of a scheduled function', () => {
    expect(scheduledFunctionNames.length).toBeGreaterThan(0);
    expect(ofType('AWS::Events::Rule')).toHaveLength(scheduledFunctionNames.length);
  });

  it('the parameters for the X-Road security server and client exist', () => {
    expect(json.Parameters).toHaveProperty('XRoadSecurityServerUrl');
    expect(json.Parameters).toHaveProperty('XRoadClientId');
  });

  it("the registers' pacing margin is a parameter, by default the hub's own, within 0 to 1000 ms", () => {
    expect(json.Parameters.XRoadPacingMarginMs).toMatchObject({ Type: 'Number', Default: DEFAULT_MARGIN_MS, MinValue: 0, MaxValue: 1000 });
  });

  it('the municipalities the hub serves are a parameter: three-digit codes separated by commas', () => {
    const parameter = json.Parameters.Municipalities as { Type: string; AllowedPattern: string };
    expect(parameter.Type).toBe('String');
    const pattern = new RegExp(parameter.AllowedPattern);
    expect(['905', '905,091,837'].every((value) => pattern.test(value))).toBe(true);
    expect(['', '905,', '905, 091', '9050'].some((value) => pattern.test(value))).toBe(false);
  });
});

describe('least privilege from the topology', () => {
  const pairs = functionNames.flatMap((fn) => queueNames.map((queue) => [fn, queue] as const));

  it.each(functionNames)('function %s may send only to its `sends` queues and its input DLQ', (name) => {
    const spec = functionSpec(name);
    const expected = [
      ...spec.sends.map((queue) => arnOf(queueId(queue))),
      ...(spec.consumes ? [arnOf(dlqId(spec.consumes.queue))] : []),
    ];
    const sendable = roleStatements(name)
      .filter((s) => allows(s, 'sqs:SendMessage') || allows(s, 'sqs:*'))
      .flatMap((s) => list(s.Resource));
    expect(sendable.map((r) => JSON.stringify(r)).sort()).toEqual(expected.map((r) => JSON.stringify(r)).sort());
  });

  it.each(pairs)('function %s has no statement naming queue %s unless the topology connects them', (name, queue) => {
    const spec = functionSpec(name);
    const statements = roleStatements(name);
    const onQueue = statements.filter((s) => names(s, arnOf(queueId(queue))));
    const onDlq = statements.filter((s) => names(s, arnOf(dlqId(queue))));
    const sends = (spec.sends as readonly QueueName[]).includes(queue);
    const consumes = spec.consumes?.queue === queue;
    if (!sends && !consumes) expect(onQueue).toEqual([]);
    if (!sends) expect(onQueue.filter((s) => allows(s, 'sqs:SendMessage'))).toEqual([]);
    if (!consumes) expect(onDlq).toEqual([]);
    if (consumes) expect(onQueue.some((s) => allows(s, 'sqs:ReceiveMessage') && allows(s, 'sqs:DeleteMessage'))).toBe(true);
  });

  const tablePairs = functionNames.flatMap((fn) => tableNames.map((table) => [fn, table] as const));
  const WRITES = ['dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
  const READS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:Scan'];

  it.each(tablePairs)('function %s gets exactly its topology access to table %s', (name, table) => {
    const access = (functionSpec(name).tables as Partial<Record<TableName, TableAccess>>)[table];
    const actions = roleStatements(name)
      .filter((s) => s.Effect === 'Allow' && names(s, arnOf(tableId(table))))
      .flatMap((s) => list(s.Action));
    switch (access) {
      case undefined:
        expect(actions).toEqual([]);
        break;
      case 'read':
        expect(actions).toEqual(expect.arrayContaining(READS));
        expect(actions.filter((a) => WRITES.includes(a))).toEqual([]);
        break;
      case 'write':
        expect([...actions].sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:PutItem']);
        break;
      case 'readwrite':
        expect(actions).toEqual(expect.arrayContaining([...READS, ...WRITES]));
        break;
    }
  });

  it.each(functionNames)('function %s may read the audit HMAC secret only if it uses the audit table', (name) => {
    const secret = { Ref: logicalId(stack.auditKeySecret) };
    const reads = roleStatements(name).some((s) => allows(s, 'secretsmanager:GetSecretValue') && names(s, secret));
    expect(reads).toBe(functionSpec(name).tables.audit !== undefined);
  });

  it.each(functionNames)('function %s may read webhook signing secrets only if it signs webhooks, and then only those under the prefix', (name) => {
    const reads = roleStatements(name).filter((s) => allows(s, 'secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(WEBHOOK_SECRET_PREFIX));
    expect(reads.length > 0).toBe(functionSpec(name).signsWebhooks === true);
    for (const statement of reads) expect(JSON.stringify(statement.Resource)).toMatch(new RegExp(`:secret:${WEBHOOK_SECRET_PREFIX}\\*"`));
  });

  it.each(functionNames)('function %s has the Parameters and Secrets extension layer exactly when it may read the audit key secret', (name) => {
    const layers = resource(functionId(name)).Properties?.Layers;
    if (functionSpec(name).tables.audit) {
      expect(layers).toEqual([{ 'Fn::FindInMap': [expect.any(String), { Ref: 'AWS::Region' }, '1x0x103xarm64'] }]);
    } else {
      expect(layers).toBeUndefined();
    }
  });

  it("the extension layer is AWS's arm64 Parameters and Secrets extension in the stack's region", () => {
    const mappings = (template.toJSON() as { Mappings: Record<string, Record<string, Record<string, string>>> }).Mappings;
    const [mapName] = (resource(functionId('ingress')).Properties?.Layers as [{ 'Fn::FindInMap': [string] }])[0]['Fn::FindInMap'];
    const arn = mappings[mapName]?.['eu-north-1']?.['1x0x103xarm64'];
    expect(arn).toMatch(/^arn:aws:lambda:eu-north-1:\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/);
  });

  it.each(functionNames)('function %s has its own role with no managed policies and no wildcard actions', (name) => {
    expect(resource(logicalId(stack.functions[name].role)).Properties).not.toHaveProperty('ManagedPolicyArns');
    const actions = roleStatements(name).flatMap((s) => list(s.Action));
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    // The "*" resources: X-Ray, and for a function in the VPC the network-interface actions Lambda
    // needs (those of AWSLambdaVPCAccessExecutionRole); neither has resource-level permissions.
    const starred = roleStatements(name).filter((s) => list(s.Resource).includes('*'));
    const vpcActions = functionSpec(name).calls?.length
      ? ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses']
      : [];
    expect(starred.flatMap((s) => list(s.Action)).sort()).toEqual([...vpcActions, 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('no resource policy lets anyone ("*") do anything', () => {
    const isEveryone = (principal: unknown): boolean =>
      principal === '*' ||
      (typeof principal === 'object' &&
        principal !== null &&
        Object.values(principal).some((p) => list(p as unknown).includes('*')));
    const statements: Statement[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (Array.isArray(record.Statement)) statements.push(...(record.Statement as Statement[]));
        Object.values(record).forEach(collect);
      }
    };
    collect(resources);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((s) => isEveryone(s.Principal) && s.Effect !== 'Deny')).toEqual([]);
    expect(ofType('AWS::Lambda::Permission').filter(([, p]) => p.Properties?.Principal === '*')).toEqual([]);
  });
});

describe('the door: API Gateway with mutual TLS on the hub’s own domain', () => {
  it('has no unauthenticated way in: no function URL, and the default execute-api endpoint is disabled', () => {
    expect(ofType('AWS::Lambda::Url')).toEqual([]);
    const apis = ofType('AWS::ApiGateway::RestApi');
    expect(apis).toHaveLength(1);
    expect(apis[0]![1].Properties?.DisableExecuteApiEndpoint).toBe(true);
    expect(ofType('AWS::ApiGatewayV2::Api')).toEqual([]);
  });

  it('serves its one domain with mutual TLS against the truststore of the stack parameter, TLS 1.2 at least', () => {
    template.resourceCountIs('AWS::ApiGateway::DomainName', 1);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: { Ref: 'DoorDomainName' },
      RegionalCertificateArn: { Ref: 'DoorCertificateArn' },
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: { Ref: 'DoorTruststoreUri' } },
    });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    for (const name of ['DoorDomainName', 'DoorCertificateArn', 'DoorTruststoreUri']) expect(json.Parameters).toHaveProperty(name);
  });

  it('routes POST /envelopes to ingress and GET|POST /inbox/{proxy+} to the inbox, and nothing else, every method without other auth than the door', () => {
    const methods = ofType('AWS::ApiGateway::Method');
    const routed = methods.map(([, m]) => {
      const integration = m.Properties?.Integration as { Type: string; Uri: unknown };
      expect(integration.Type).toBe('AWS_PROXY');
      expect(m.Properties?.AuthorizationType).toBe('NONE');
      const target = JSON.stringify(integration.Uri).includes(functionId('ingress')) ? 'ingress' : JSON.stringify(integration.Uri).includes(functionId('inbox-api')) ? 'inbox-api' : 'other';
      return `${String(m.Properties?.HttpMethod)} ${target}`;
    });
    expect(routed.sort()).toEqual(['GET inbox-api', 'POST inbox-api', 'POST ingress']);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'envelopes' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'inbox' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
  });

  it('gives ingress the client registry to read and the served municipalities, and throttles the stage', () => {
    const variables = (resource(functionId('ingress')).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[MUNICIPALITIES_ENV]).toEqual({ Ref: 'Municipalities' });
    expect(variables[tableNameEnv('clients')]).toEqual({ Ref: tableId('clients') });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })]),
    });
  });

  it('alarms on a burst of refusals at the door, counted over every rule', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => JSON.stringify(a.Properties?.Metrics ?? a.Properties).includes('doorRefusals'));
    expect(alarms).toHaveLength(1);
    const { Threshold, Metrics } = alarms[0]![1].Properties as { Threshold: number; Metrics: { MetricStat?: { Metric: unknown; Stat: string } }[] };
    expect(Threshold).toBe(50);
    // The total over every rule: the service dimension alone, no `kind`.
    expect(Metrics.find((m) => m.MetricStat)?.MetricStat).toMatchObject({
      Stat: 'Sum',
      Metric: { Namespace: 'KotoHub', MetricName: 'doorRefusals', Dimensions: [{ Name: 'service', Value: 'koto-hub' }] },
    });
  });
});

describe('outputs', () => {
  const values = Object.values(json.Outputs).map((o) => JSON.stringify((o as { Value: unknown }).Value));

  it.each(queueNames)('the URLs of queue %s and its DLQ are stack outputs', (name) => {
    expect(values).toContain(JSON.stringify({ Ref: queueId(name) }));
    expect(values).toContain(JSON.stringify({ Ref: dlqId(name) }));
  });

  it.each(tableNames)('the name of table %s is a stack output', (name) => {
    expect(values).toContain(JSON.stringify({ Ref: tableId(name) }));
  });
});

describe('bundling', () => {
  it('is skipped in these tests: no stack requires it and no bundle was written', () => {
    expect(stack.bundlingRequired).toBe(false);
    const written = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? written(path.join(dir, entry.name)) : [entry.name],
      );
    expect(existsSync(outdir)).toBe(true);
    expect(written(outdir).filter((file) => file.endsWith('.mjs') || file.endsWith('.js'))).toEqual([]);
  });

  it('builds one minified ESM file for Node.js 22 with a source map, the AWS SDK included', () => {
    const options = hubBundling();
    expect(options).toMatchObject({
      format: OutputFormat.ESM,
      target: 'node22',
      mainFields: ['module', 'main'],
      externalModules: [],
      minify: true,
      sourceMap: true,
    });
    expect(options.banner).toMatch(/createRequire[\s\S]*const require = /);
  });

  it("replaces the SDK's default credential chain with the environment provider, locally and in Docker alike", () => {
    const options = hubBundling();
    const replacement = bundleAliases['@aws-sdk/credential-provider-node'];
    expect(replacement).toBe('./functions/lib/lambda-credentials.ts');
    expect(existsSync(path.join(repoRoot, replacement!))).toBe(true);
    expect(options.esbuildArgs).toEqual({ '--alias': Object.entries(bundleAliases).map(([module, to]) => `${module}=${to}`) });
    // The only alias: the SDK's event streams and Node's built-ins are bundled as they are (issue 14).
    expect(Object.keys(bundleAliases)).toEqual(['@aws-sdk/credential-provider-node']);
    // esbuild resolves an alias in its working directory: the mounted project root in Docker.
    expect(options.workingDirectory).toBe('/asset-input');
  });

  it('bundles outreach-assemble with the S3 client, X-Ray tracing and no credential chain but the environment, nor Secrets Manager', async () => {
    const bundleDir = mkdtempSync(path.join(tmpdir(), 'koto-hub-bundle-'));
    onTestFinished(() => rmSync(bundleDir, { recursive: true, force: true }));
    const { metafile } = await build({ ...esbuildOptions(functionSpec('outreach-assemble').entry, path.join(bundleDir, 'index.mjs')), metafile: true });
    const inputs = Object.keys(metafile.inputs);
    const sdkPackages = new Set(inputs.flatMap((file) => /node_modules\/(@aws-sdk\/[^/]+)/.exec(file)?.[1] ?? []));
    for (const unwanted of [
      '@aws-sdk/client-secrets-manager',
      '@aws-sdk/credential-provider-node',
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/credential-provider-sso',
      '@aws-sdk/nested-clients',
    ]) {
      expect(sdkPackages).not.toContain(unwanted);
    }
    expect(sdkPackages).toContain('@aws-sdk/client-s3');
    expect(sdkPackages).toContain('@aws-sdk/credential-provider-env');
    expect(inputs).toContain('functions/lib/lambda-credentials.ts');
    expect(inputs.some((file) => file.includes('node_modules/@aws-lambda-powertools/tracer/'))).toBe(true);
    expect(inputs.filter((file) => file.startsWith('functions/lib/') && /no-event-streams|web-streams-on-demand|node-process/.test(file))).toEqual([]);
  });
});
