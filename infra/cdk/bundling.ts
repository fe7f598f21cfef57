/**
 * How every hub function is bundled, in one place: the stack passes this to each NodejsFunction and
 * the bundle-size benchmark builds with the same options, so what is measured is what is deployed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetStaging } from 'aws-cdk-lib';
import { Charset, LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The repository root: `entry` paths in the topology are relative to it, and esbuild runs in it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of a topology `entry`. */
export const entryPath = (entry: string): string => path.join(repoRoot, entry);

/** The lock file NodejsFunction reads to find the project root (we never install in the bundle). */
export const depsLockFilePath = path.join(repoRoot, 'package-lock.json');

/**
 * Modules the Lambda bundles take from us instead, as esbuild aliases. The replacement paths are
 * relative to the repository root: esbuild resolves an alias in its working directory, which is the
 * root for local bundling and `/asset-input` (the root, mounted) for Docker bundling.
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  // In Lambda the credentials are always in the environment; the SDK's default chain would add its
  // SSO, ini, process, login and web-identity providers and the nested STS/SSO clients to every
  // bundle (~130 KB) for nothing. Only the bundles: the embedded runtime keeps the whole chain.
  // The only alias (issue 14): stand-ins for the SDK's event streams or for Node built-ins saved a
  // few milliseconds of import but could break on any dependency bump, so the bundles take them as
  // they are.
  '@aws-sdk/credential-provider-node': './functions/lib/lambda-credentials.ts',
};

/**
 * esbuild options for a hub function: one minified ESM file for Node.js 22 with an external
 * source map, everything bundled (the AWS SDK v3 included, so the bundle is pinned to the versions
 * we test with and its size is ours to measure), with `bundleAliases` applied.
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
    esbuildArgs: { '--alias': Object.entries(bundleAliases).map(([module, replacement]) => `${module}=${replacement}`) },
    // Docker bundling runs esbuild here, so the aliases resolve as they do locally.
    workingDirectory: AssetStaging.BUNDLING_INPUT_DIR,
  };
}

/**
 * `hubBundling()` as options for esbuild's own `build`: what the bundle benchmark and the tests
 * that inspect a bundle build, so they measure what CDK deploys.
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  const options = hubBundling();
  return {
    entryPoints: [entryPath(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    mainFields: options.mainFields,
    banner: { js: options.banner ?? '' },
    external: options.externalModules,
    minify: options.minify,
    alias: { ...bundleAliases },
    absWorkingDir: repoRoot,
    logLevel: 'error',
  };
}
