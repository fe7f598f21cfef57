/**
 * The repository stands on its own: a clone has everything its code, tests and documents cite. The
 * design is docs/DESIGN.md; nothing may point at a brief in a folder beside the repository, which a
 * user's clone does not have. Every `docs/DESIGN.md "Section"` citation and `DESIGN.md#anchor` link
 * must name a heading the document has, so a renamed section cannot leave citations dangling.
 *
 * The files are git's: those tracked, and those not yet added that git does not ignore (so a new
 * file is checked before it is committed). Nothing outside the repository is read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const self = relative(root, fileURLToPath(import.meta.url)).split('\\').join('/');
const designPath = join(root, 'docs', 'DESIGN.md');

// Built from parts, so that this file does not itself contain what it looks for.
const FORBIDDEN = [['..', 'shared'].join('/'), ['shared', 'DESIGN'].join('/')];

const isGitCheckout = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'true';
  } catch {
    return false;
  }
})();

/** The repository's files, relative to its root: tracked, plus new ones git does not ignore. */
const repositoryFiles = (): string[] => {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return [...new Set(listed.split('\0').filter(Boolean))].filter((file) => {
    const path = join(root, file);
    // A tracked file deleted in the working tree, or a submodule, has no text to check.
    return existsSync(path) && statSync(path).isFile();
  });
};

/** `path:line` of every line of the files that contains one of the needles. */
const mentions = (files: readonly string[], needles: readonly string[]): string[] =>
  files.flatMap((file) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (needles.some((needle) => line.includes(needle)) ? [`${file}:${i + 1}`] : [])),
  );

/** The headings of docs/DESIGN.md (levels 2 to 4), as written. */
const designHeadings = (): string[] =>
  readFileSync(designPath, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const heading = /^#{2,4}\s+(.+?)\s*$/.exec(line);
      return heading ? [heading[1]!] : [];
    });

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('the repository stands on its own', () => {
  it.skipIf(!isGitCheckout)('has no file that points at a design brief outside the repository', () => {
    const files = repositoryFiles().filter((file) => file !== self);
    expect(files.length).toBeGreaterThan(0);
    expect(mentions(files, FORBIDDEN)).toEqual([]);
  });

  it('has its design document in docs/DESIGN.md', () => {
    expect(existsSync(designPath)).toBe(true);
    expect(designHeadings()).toEqual(expect.arrayContaining(['Outreach rules', 'The outreach result', 'Fixture population', 'Personal identity code (HETU)']));
  });

  it('links docs/DESIGN.md from the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/\]\((?:\.\/)?docs\/DESIGN\.md(?:#[^)\s]*)?\)/);
  });

  it.skipIf(!isGitCheckout)('cites only sections docs/DESIGN.md has, by heading and by anchor', () => {
    const headings = new Set(designHeadings());
    const anchors = new Set([...headings].map(anchorOf));
    const dangling: string[] = [];
    for (const file of repositoryFiles().filter((f) => f !== self)) {
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // docs/DESIGN.md "Section", ("Section", …) or ["Section"](…): the first section named.
          for (const [, section] of line.matchAll(/docs\/DESIGN\.md\s+[([]?"([^"\n]+)"/g)) {
            if (!headings.has(section!)) dangling.push(`${file}:${i + 1} "${section}"`);
          }
          for (const [, anchor] of line.matchAll(/DESIGN\.md#([\p{L}\p{N}_-]+)/gu)) {
            if (!anchors.has(anchor!)) dangling.push(`${file}:${i + 1} #${anchor}`);
          }
        });
    }
    expect(dangling).toEqual([]);
  });
});
