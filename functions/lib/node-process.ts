/**
 * What the Lambda bundles use in place of `node:process` (the alias is in infra/cdk/bundling.ts):
 * the same `process`, without Node's ES-module facade of it. Building that facade reads every
 * property of `process`, and so runs its lazy getters: the diagnostic report, the list of allowed
 * NODE_OPTIONS flags, stdin (~1 ms of every cold start, for the SDK's user agent reading `env` and
 * `versions`). A name not exported here fails the build, so nothing is silently missing.
 */
export const env = process.env;
export const versions = process.versions;
export default process;
