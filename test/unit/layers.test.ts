/**
 * The layers hold (README "Layout", docs/DESIGN.md "Layers"): a wrong-way import fails
 * `npm run lint`. Each case writes a probe file with one import into the tree, lints it with the
 * project's own ESLint configuration and removes it again; a wrong-way import must fail with
 * `no-restricted-imports`, a right-way one must pass it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RULE = 'no-restricted-imports';

interface Probe {
  /** The layer folder the probe file is put in. */
  readonly folder: string;
  readonly specifier: string;
}

/** The rule ids each probe fails with, in the order given; every probe file is removed afterwards. */
const lintProbes = async (probes: readonly Probe[]): Promise<string[][]> => {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const files = probes.map(({ folder }, i) => join(root, folder, `__layer_probe_${tag}_${i}__.ts`));
  try {
    probes.forEach(({ specifier }, i) => {
      mkdirSync(dirname(files[i]!), { recursive: true });
      writeFileSync(files[i]!, `import * as probe from '${specifier}';\n\nexport default probe;\n`);
    });
    const results = await new ESLint({ cwd: root }).lintFiles(files);
    const byFile = new Map(results.map((result) => [result.filePath, result.messages.map((m) => m.ruleId ?? 'fatal')]));
    return files.map((file) => byFile.get(file) ?? ['not linted']);
  } finally {
    for (const file of files) rmSync(file, { force: true });
  }
};

describe('the layers, enforced by the linter', () => {
  it('fails a wrong-way import, by alias and by relative path, naming the rule', async () => {
    const wrong: Probe[] = [
      // Nothing outside cli/ imports the CLI.
      { folder: 'functions/lib', specifier: '#cli/render' },
      { folder: 'functions/lib', specifier: '../../cli/render.ts' },
      { folder: 'infra/local', specifier: '#cli/render' },
      { folder: 'ops', specifier: '../cli/render.ts' },
      { folder: 'contracts', specifier: '#cli/args' },
      // Nothing in functions/lib/ imports an outreach module.
      { folder: 'functions/lib', specifier: '#functions/outreach/rules' },
      { folder: 'functions/lib', specifier: '../outreach/rules.ts' },
      { folder: 'functions/lib/batch', specifier: '../../outreach-decide/decide.ts' },
      // Functions import no infra but the topology, no ops, no cli.
      { folder: 'functions/outreach', specifier: '#infra/local/runtime' },
      { folder: 'functions/outreach', specifier: '../../infra/local/runtime.ts' },
      { folder: 'functions/outreach', specifier: '#ops/dead-letters' },
      { folder: 'functions/outreach', specifier: '../../ops/audit/trace.ts' },
      // Contracts import nothing of functions, infra, ops, cli or the mocks.
      { folder: 'contracts', specifier: '#lib/errors' },
      { folder: 'contracts/messages', specifier: '../../functions/lib/errors.ts' },
      { folder: 'contracts', specifier: '#infra/topology' },
      { folder: 'contracts', specifier: '#ops/audit/verify' },
      { folder: 'contracts', specifier: '#mocks/framework' },
      // ops sits below infra; the mocks import contracts only.
      { folder: 'ops', specifier: '#infra/local/runtime' },
      { folder: 'mocks', specifier: '#lib/errors' },
    ];
    const ruleIds = await lintProbes(wrong);
    wrong.forEach((probe, i) => expect(ruleIds[i], `${probe.folder} importing ${probe.specifier}`).toContain(RULE));
  });

  it('lets a right-way import through', async () => {
    const right: Probe[] = [
      { folder: 'cli', specifier: '#cli/render' },
      { folder: 'cli', specifier: '#ops/audit/trace' },
      { folder: 'infra/local', specifier: '#ops/dead-letters' },
      { folder: 'infra/local', specifier: '#functions/outreach/run-store' },
      { folder: 'ops', specifier: '#lib/audit/record' },
      { folder: 'ops', specifier: '#infra/topology' },
      { folder: 'functions/outreach', specifier: '#infra/topology' },
      { folder: 'functions/outreach', specifier: '../../infra/topology.ts' },
      { folder: 'functions/outreach', specifier: '#lib/lookup-adapter' },
      { folder: 'functions/lib', specifier: '#lib/errors' },
      { folder: 'functions/lib', specifier: '#contracts/messages/lookup' },
      { folder: 'contracts', specifier: '#contracts/hetu' },
    ];
    const ruleIds = await lintProbes(right);
    right.forEach((probe, i) => expect(ruleIds[i], `${probe.folder} importing ${probe.specifier}`).not.toContain(RULE));
  });
});
