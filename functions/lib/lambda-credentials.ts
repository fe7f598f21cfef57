/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (the alias is in
 * infra/cdk/bundling.ts). Lambda puts the execution role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the default chain's other links
 * and the clients they bring would never run. The SDK clients call `defaultProvider` with their
 * config when they are built, as they call the real one.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> => fromEnv(init);
