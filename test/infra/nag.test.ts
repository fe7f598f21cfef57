import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { buildStack } from './build-stack.ts';

// cdk-nag 3 is a CDK policy-validation plugin, not an aspect: findings are not annotations but
// violations in the plugin's report, and synth fails on any that is not acknowledged
// (`Validations.of(construct).acknowledge`, next to the resource in infra/cdk).
describe('cdk-nag AwsSolutions', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'koto-hub-nag-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('finds nothing unacknowledged in the hub stack, errors or warnings', () => {
    const { app, stack } = buildStack();
    const pack = new AwsSolutionsChecks(app, { verbose: true });
    const report = pack.validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('lets the hub app synthesise with the checks registered as in infra/cdk/app.ts', () => {
    const { app } = buildStack({ outdir });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => app.synth()).not.toThrow();
  });

  it('does report findings in this set-up (a bare queue fails SQS3 and SQS4)', () => {
    const app = new App();
    const stack = new Stack(app, 'Bare');
    new sqs.Queue(stack, 'Queue');
    const rules = new AwsSolutionsChecks(app).validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
