/**
 * The zod the hub uses: `zod/mini`, the functional API (`z.optional(s)`, `s.check(z.minLength(1))`)
 * over the same core as classic zod, with English issue messages. Import it as
 * `import * as z from '#contracts/zod'`, never from `zod` itself, so the locale is always loaded.
 *
 * Every Lambda function imports the whole of `contracts/` (through the message registry) and pays
 * for it on each cold start, so:
 * - only named members are used at run time (`z.string`, `z.ZodError`): a bundler keeps just those,
 *   while reaching into `z.core` or `z.locales` at run time would bundle all of zod (types are fine);
 * - an exported schema is built on first use, `z.lazy(() => z.object({...}))`, so a function builds
 *   only the schemas it parses with. A schema that others derive from shares a builder of its
 *   fields instead (`lookupRequestFields`); one whose `.shape` is read at import stays eager.
 */
import { config, globalRegistry } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// Mini loads no locale by itself: without one every issue reads only "Invalid input". With it,
// issues say what is wrong ("Invalid input: expected string, received number") as classic zod's do.
config(en());

export * from 'zod/mini';

/**
 * `z.lazy`, without a zod schema made at import: the schema is built on first touch and stands in
 * for itself from then on. zod's own `lazy` is a schema (four initialisers each; some fifty of them
 * ran at every cold start for schemas the function never parses). Declared here, it takes the place
 * of zod's in `z.lazy`.
 */
export function lazy<S extends object>(build: () => S): S {
  let built: S | undefined;
  const schema = (): S => {
    if (built === undefined) {
      built = build();
      // Metadata (`z.describe`, `.register(z.globalRegistry, …)`) is keyed by the schema object: the
      // stand-in takes what its schema was given, so `z.toJSONSchema` finds it (infra/published).
      const meta = globalRegistry.get(built as never);
      if (meta) globalRegistry.add(stand as never, meta);
    }
    return built;
  };
  const stand: S = new Proxy({} as S, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
  return stand;
}
/** What `parse` throws and `safeParse` returns: mini's errors are core's `$ZodError`. */
export { $ZodError as ZodError } from 'zod/v4/core';
