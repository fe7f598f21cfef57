/**
 * What the Lambda bundles use in place of `@smithy/core/event-streams` (the alias is in
 * infra/cdk/bundling.ts). The SDK's HTTP protocol loads event-stream support with a dynamic
 * `import()`, and only for operations that stream events; no call the hub makes does (DynamoDB,
 * SQS). esbuild turns the target of a dynamic import, and everything it imports, into lazily
 * initialised modules: that is most of `@smithy/core`, which the clients import statically as
 * well, so each function compiled it twice at start. Without it a bundle is ~20 KB smaller and
 * imports ~4 ms faster. Reaching this module would mean a streaming operation was added: say so.
 */
const notBundled = (): never => {
  throw new Error('configuration: event streams are not in the Lambda bundles (functions/lib/no-event-streams.ts); no hub operation streams events');
};

export const eventStreamSerdeProvider = notBundled;

export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}
