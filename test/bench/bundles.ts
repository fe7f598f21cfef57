/** Each function's bundle with the deployed esbuild options, and the time to import it in a fresh process. */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { functionNames, functionSpec } from '#infra/topology';
import { esbuildOptions } from '#infra/cdk/bundling';

export interface BundleFigures {
  readonly function: string;
  readonly bundleKb: number;
  readonly importMs: number;
}

/** Median of the import time over a few fresh processes. */
const importMs = (file: string): number => {
  const script = `const t=process.hrtime.bigint();await import(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const times = Array.from({ length: 9 }, () => Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()));
  return times.sort((a, b) => a - b)[4]!;
};

export const measureBundles = async (dir: string): Promise<BundleFigures[]> => {
  const figures: BundleFigures[] = [];
  for (const name of functionNames) {
    const outfile = join(dir, 'bundles', name, 'index.mjs');
    await build(esbuildOptions(functionSpec(name).entry, outfile));
    figures.push({ function: name, bundleKb: Math.round(statSync(outfile).size / 1024), importMs: Number(importMs(outfile).toFixed(1)) });
  }
  return figures;
};
