/**
 * Outreach in AWS (issue 5): results go to an encrypted, private, TLS-only bucket that only the
 * assemble function can write to, and a monthly EventBridge rule asks for every municipality's run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bucketKeyEnv,
  bucketNameEnv,
  bucketNames,
  buckets,
  functionNames,
  functionSpec,
  ingressRoutes,
  MUNICIPALITIES_ENV,
  type BucketName,
  type FunctionName,
} from '#infra/topology';
import { buildStack } from './build-stack.ts';

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

const outdir = mkdtempSync(path.join(tmpdir(), 'koto-hub-outreach-aws-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const { stack, logicalId } = buildStack({ outdir });
const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResource>; Outputs: Record<string, { Value: unknown }> };
const resource = (id: string): CfnResource => json.Resources[id] ?? (() => { throw new Error(`no resource ${id}`); })();
const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const mentions = (node: unknown, id: string): boolean => JSON.stringify(node).includes(`"${id}"`);

const keyArn = { 'Fn::GetAtt': [logicalId(stack.key), 'Arn'] };
const bucketId = (name: BucketName) => logicalId(stack.buckets[name].bucket);
const logBucketId = logicalId(stack.accessLogs.bucket);

const roleStatements = (name: FunctionName): Statement[] => {
  const roleId = logicalId(stack.functions[name].role);
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => list(policy.Properties.Roles).some((role) => same(role, { Ref: roleId })))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};
const bucketPolicy = (id: string): Statement[] =>
  ofType('AWS::S3::BucketPolicy')
    .filter(([, p]) => same(p.Properties.Bucket, { Ref: id }))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const PRIVATE = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
const TLS_ONLY = expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });

describe('the results bucket', () => {
  it('the topology has a results bucket, found by the functions as KOTO_RESULTS_BUCKET (what functions/outreach/result-store.ts reads)', () => {
    expect(bucketNames).toContain('results');
    expect(bucketNameEnv('results')).toBe('KOTO_RESULTS_BUCKET');
    expect(bucketKeyEnv('results')).toBe('KOTO_RESULTS_BUCKET_KEY_ARN');
  });

  it.each(bucketNames)('bucket %s is SSE-KMS with the hub key, private, versioned, access-logged, expiring and retained', (name) => {
    const bucket = resource(bucketId(name));
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }],
      },
      PublicAccessBlockConfiguration: PRIVATE,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: `${name}/` },
    });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        ExpirationInDays: buckets[name].expireAfterDays,
        NoncurrentVersionExpiration: { NoncurrentDays: buckets[name].noncurrentDays },
      }),
    );
    expect(bucket.Properties).not.toHaveProperty('AccessControl');
    expect(bucket.Properties).not.toHaveProperty('WebsiteConfiguration');
  });

  it.each(bucketNames)('bucket %s refuses requests without TLS and grants nobody anything in its policy', (name) => {
    const statements = bucketPolicy(bucketId(name));
    expect(statements).toContainEqual(TLS_ONLY);
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('the access log bucket is private, TLS-only, encrypted, retained, and only S3 log delivery for the hub buckets may write to it', () => {
    const bucket = resource(logBucketId);
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: PRIVATE,
    });
    const statements = bucketPolicy(logBucketId);
    expect(statements).toContainEqual(TLS_ONLY);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const statement of allows) {
      expect(statement.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
      expect(statement.Action).toBe('s3:PutObject');
      expect(JSON.stringify(statement.Condition)).toContain('aws:SourceArn');
    }
  });

  it('the name of the results bucket is a stack output', () => {
    expect(Object.values(json.Outputs).map((o) => o.Value)).toContainEqual({ Ref: bucketId('results') });
  });

  it('only outreach-assemble may put objects in the results bucket, and only inbox-api (the inbox path) may read them', () => {
    expect(functionNames.filter((name) => functionSpec(name).buckets)).toEqual(['outreach-assemble', 'inbox-api']);
    expect(functionSpec('outreach-assemble').buckets).toEqual({ results: 'write' });
    expect(functionSpec('inbox-api').buckets).toEqual({ results: 'read' });
  });

  it('the results bucket is readable by the inbox path alone: no other role has s3:GetObject or kms:Decrypt on its objects', () => {
    const readers = functionNames.filter((name) => roleStatements(name).some((s) => list(s.Action).some((a) => a === 's3:GetObject' || a === 's3:*' || a === 's3:Get*')));
    expect(readers).toEqual(['inbox-api']);
    expect(roleStatements('inbox-api').filter((s) => list(s.Action).some((a) => a.startsWith('s3:')))).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId('results'), 'Arn'] }, '/*']] } },
    ]);
  });

  it.each(functionNames)('function %s has an S3 statement only if the topology gives it a bucket: s3:PutObject or s3:GetObject on its objects', (name) => {
    const statements = roleStatements(name).filter((s) => list(s.Action).some((a) => a.startsWith('s3:')) || mentions(s.Resource, bucketId('results')));
    if (!functionSpec(name).buckets) {
      expect(statements).toEqual([]);
      return;
    }
    const write = functionSpec(name).buckets?.results === 'write';
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: write ? 's3:PutObject' : 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId('results'), 'Arn'] }, '/*']] },
      },
    ]);
    // A single-part SSE-KMS upload needs kms:GenerateDataKey on the bucket's key, a read kms:Decrypt.
    expect(roleStatements(name).some((s) => list(s.Action).includes(write ? 'kms:GenerateDataKey' : 'kms:Decrypt') && same(s.Resource, keyArn))).toBe(true);
  });

  it('no statement anywhere names the log bucket but its own policy', () => {
    const elsewhere = Object.entries(json.Resources).filter(
      ([id, r]) => id !== logBucketId && r.Type !== 'AWS::S3::BucketPolicy' && r.Type !== 'AWS::S3::Bucket' && mentions(r, logBucketId),
    );
    expect(elsewhere.map(([id]) => id)).toEqual([]);
  });
});

describe('outreach runs requested through ingress', () => {
  it('ingress may send to the queue of every message type it routes (outreach.run.requested.v1 to outreach-runs)', () => {
    expect(ingressRoutes['outreach.run.requested.v1']).toBe('outreach-runs');
    for (const queue of new Set(Object.values(ingressRoutes))) expect(functionSpec('ingress').sends).toContain(queue);
  });
});

describe('the monthly outreach schedule', () => {
  const scheduler = 'outreach-scheduler' as const;

  it('is a scheduled function of the topology that sends run requests to outreach-runs, and reads no list itself', () => {
    const spec = functionSpec(scheduler);
    expect(spec.schedule).toEqual({ cron: { minute: '0', hour: '5', day: '1' } });
    expect(spec.sends).toEqual(['outreach-runs']);
    expect(spec.consumes).toBeUndefined();
    expect(spec.calls).toBeUndefined();
  });

  it('an EventBridge rule invokes it at 05:00 UTC on the first of every month', () => {
    const fnArn = { 'Fn::GetAtt': [logicalId(stack.functions[scheduler].function), 'Arn'] };
    const rules = ofType('AWS::Events::Rule').filter(([, rule]) => list(rule.Properties.Targets as { Arn: unknown }[]).some((t) => same(t.Arn, fnArn)));
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties).toMatchObject({ ScheduleExpression: 'cron(0 5 1 * ? *)', State: 'ENABLED' });
  });

  it('gets the municipalities of the stack parameter, and the outreach-runs queue', () => {
    const variables = (resource(logicalId(stack.functions[scheduler].function)).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[MUNICIPALITIES_ENV]).toEqual({ Ref: 'Municipalities' });
    expect(variables.KOTO_QUEUE_OUTREACH_RUNS_URL).toEqual({ Ref: logicalId(stack.queues['outreach-runs'].queue) });
  });
});
