/**
 * What the Lambda bundles use in place of `node:stream/web` (the alias is in infra/cdk/bundling.ts).
 * Its one importer is middy, which asks `handlerBody instanceof ReadableStream` only when a handler
 * streams its response (`streamifyResponse`), which no hub function does. Importing the module
 * loads Node's whole web-streams implementation (~1 ms of every cold start); Node's global
 * `ReadableStream` loads it on first touch instead, so the check answers the same, when asked.
 */
export class ReadableStream {
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.ReadableStream;
  }
}
