/**
 * How every hub function is bundled, in one place: the stack passes this to each NodejsFunction and
 * the bundle-size benchmark builds with the same options, so what is measured is what is deployed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Charset, LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root: `entry` paths in the topology are relative to it, and esbuild runs in it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of a topology `entry`. */
export const entryPath = (entry: string): string => path.join(repoRoot, entry);

/** The lock file NodejsFunction reads to find the project root (we never install in the bundle). */
export const depsLockFilePath = path.join(repoRoot, 'package-lock.json');

/**
 * esbuild options for a hub function: one minified ESM file for Node.js 22 with an external
 * source map, everything bundled (the AWS SDK v3 included, so the bundle is pinned to the versions
 * we test with and its size is ours to measure).
 */
export function hubBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    // ESM builds of dependencies first (tree-shakeable), CommonJS where that is all there is.
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies call require() for Node built-ins; an ES module has none,
    // so give it one. The import is aliased so it cannot clash with a bundled `createRequire`.
    banner: "import { createRequire as __kotoCreateRequire } from 'node:module';const require = __kotoCreateRequire(import.meta.url);",
    externalModules: [],
    minify: true,
    sourceMap: true,
    // Stack traces need the mappings, not the sources: keeps the map (and the zip) small.
    sourcesContent: false,
    charset: Charset.UTF8,
    logLevel: LogLevel.WARNING,
  };
}
