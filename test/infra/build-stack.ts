/**
 * Builds the hub stack in-process for assertions, with the feature flags of cdk.json (so the tests
 * see the template `cdk synth` makes) and without esbuild: `aws:cdk:bundling-stacks: []` tells every
 * asset with bundling to skip it and hash its construct path instead.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { repoRoot } from '#infra/cdk/bundling';
import { KotoHubStack } from '#infra/cdk/koto-hub-stack';

const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export interface BuiltStack {
  readonly app: App;
  readonly stack: KotoHubStack;
  /** The logical id of an L2 construct's CloudFormation resource. */
  readonly logicalId: (construct: IConstruct) => string;
}

export function buildStack(options: { outdir?: string } = {}): BuiltStack {
  const app = new App({ outdir: options.outdir, context: { ...cdkJson.context, ...SKIP_BUNDLING } });
  const stack = new KotoHubStack(app, 'KotoHub');
  const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { app, stack, logicalId };
}
