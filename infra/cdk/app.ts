/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. Environment-agnostic (no account, region or
 * lookups), so it synthesises offline; the X-Road settings are stack parameters given at deploy.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KotoHubStack } from '#infra/cdk/koto-hub-stack';

const app = new App();

new KotoHubStack(app, 'KotoHub', {
  description: 'koto-hub: integration hub for municipal integration services (Act 681/2023)',
});
Tags.of(app).add('project', 'koto-hub');

// cdk-nag 3 runs as a policy-validation plugin: any unacknowledged AwsSolutions finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
