/**
 * The embedded runtime's check, before it starts local-aws-sqs, that the postinstall patches are in
 * (infra/local/patch-local-aws-sqs.mjs): run against temporary copies of the installed package, one
 * with the patches taken out again, one of another version.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPatched, installedFile, missingPatches, PATCHED_VERSION, PATCHES } from '../../infra/local/patch-local-aws-sqs.mjs';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const patched = readFileSync(installedFile(), 'utf8');
const unpatched = PATCHES.reduce((source, { edits }) => edits.reduce((s, [broken, fixed]) => s.replace(fixed, broken), source), patched);

/** A copy of the package as npm lays it out: `<dir>/package.json` and `<dir>/dist/index.js`. */
const packageCopy = (source: string, version = PATCHED_VERSION): string => {
  const dir = mkdtempSync(join(tmpdir(), 'koto-hub-local-sqs-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'local-aws-sqs', version, main: './dist/index.js' }));
  writeFileSync(join(dir, 'dist', 'index.js'), source);
  return join(dir, 'dist', 'index.js');
};

describe('the check that local-aws-sqs is patched', () => {
  it('passes on the installed package, which package.json pins to the version the patches know', () => {
    expect(() => assertPatched()).not.toThrow();
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies['local-aws-sqs']).toBe(PATCHED_VERSION);
    expect(missingPatches(patched)).toEqual([]);
  });

  it('refuses an unpatched copy with an error naming the file and telling to run npm ci, not a wrong count later', () => {
    const file = packageCopy(unpatched);
    expect(missingPatches(unpatched)).toEqual(PATCHES.map((p) => p.done));
    expect(() => assertPatched(file)).toThrow(`local-aws-sqs is not patched: ${file} lacks ${PATCHES.length} of the ${PATCHES.length} fixes`);
    expect(() => assertPatched(file)).toThrow(/Run `npm ci`/);
  });

  it('names just the patch that is missing', () => {
    const [broken, fixed] = PATCHES[1]!.edits[0]!;
    const file = packageCopy(patched.replace(fixed, broken));
    expect(() => assertPatched(file)).toThrow(`lacks 1 of the ${PATCHES.length} fixes of infra/local/patch-local-aws-sqs.mjs (${PATCHES[1]!.done})`);
  });

  it('refuses another version of local-aws-sqs, even one whose code still matches', () => {
    const file = packageCopy(patched, '2.1.0');
    expect(() => assertPatched(file)).toThrow(`local-aws-sqs 2.1.0 is installed (${join(file, '..', '..', 'package.json')}), but infra/local/patch-local-aws-sqs.mjs knows ${PATCHED_VERSION}`);
  });
});
