/**
 * The standard endpoint variables (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`) choose the
 * DynamoDB and SQS the embedded runtime and the CLI use: any AWS-compatible service (DynamoDB Local,
 * LocalStack, …) instead of the dynalite and local-aws-sqs they would start. A runtime also sets
 * those variables for its own handlers; it marks the values it set, so that a later runtime of the
 * same process (the tests start many) does not take a stopped one's endpoint for the user's.
 */
export type EndpointService = 'DYNAMODB' | 'SQS';

const variable = (service: EndpointService) => `AWS_ENDPOINT_URL_${service}`;
const marker = (service: EndpointService) => `KOTO_RUNTIME_SET_${variable(service)}`;

/** The endpoint the user gave for a service, if any. */
export const userEndpoint = (service: EndpointService, env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const value = env[variable(service)];
  return value && value !== env[marker(service)] ? value : undefined;
};

/** Points this process's SDK clients at an endpoint, marked as set by the runtime. */
export const setRuntimeEndpoint = (service: EndpointService, endpoint: string, env: NodeJS.ProcessEnv = process.env): void => {
  env[variable(service)] = endpoint;
  env[marker(service)] = endpoint;
};
