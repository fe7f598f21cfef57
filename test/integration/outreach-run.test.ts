/**
 * `koto-hub outreach` on the shipped sample population, end to end through the real embedded
 * runtime: the CLI as a child process uses this file's running hub (same data folder, same
 * population file), whose runner feeds the real handlers from local-aws-sqs, keeps run state in
 * dynalite and asks the VTJ, UMA, Kelmu and data store mocks over HTTP. Every expectation comes from
 * test/support/outreach-oracle.ts, written from docs/DESIGN.md "Outreach rules" without the hub's rules module.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { containsHetuShape, isValidHetu } from '#contracts/hetu';
import { localTableName } from '#infra/local/dynamodb';
import { followedCodes } from '#lib/follow-list';
import { RunStore } from '#functions/outreach/run-store';
import { buildEnvelope } from '#contracts/messages/registry';
import { TARGET_FIELDS, type OutreachResult, type OutreachTarget } from '#contracts/outreach-result';
import type { FixturePopulation } from '#contracts/population';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { expectedDecisions, expectedOutreachResult } from '../support/outreach-oracle.ts';
import { candidateRows, koto, readPopulation, runRow, SAMPLE, targetsOfCsv, type CliRun } from '../support/outreach-runs.ts';
import { expectNoPersonalDataIn, personalDataOf } from '../support/personal-data.ts';

let hub: TestHub;
let population: FixturePopulation;
const outDir = mkdtempSync(join(tmpdir(), 'koto-hub-outreach-'));

/**
 * The registers' rate limits of this file's runtime: this file is about what a run decides, not
 * about pacing (test/integration/rate-limit.test.ts is), so the mocks may be asked as fast as they answer.
 */
const RATE_LIMITS = { KOTO_RATE_LIMIT_VTJ: '500', KOTO_RATE_LIMIT_UMA: '500', KOTO_RATE_LIMIT_DATASTORE: '500', KOTO_RATE_LIMIT_KELMU: '500' };
const savedEnv = Object.fromEntries(Object.keys(RATE_LIMITS).map((name) => [name, process.env[name]]));

beforeAll(async () => {
  population = readPopulation(SAMPLE);
  // Read when the handlers first call a register: set before the runtime starts.
  Object.assign(process.env, RATE_LIMITS);
  // 179 (Jyväskylä) is served too, with nobody of the sample population listed in it.
  hub = await startTestHub({ population: SAMPLE, scheduleSeconds: 0, municipalities: ['905', '091', '837', '179'] });
});
afterAll(async () => {
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

type Format = 'json' | 'csv';
interface Case {
  readonly municipality: string;
  readonly asOf: string;
}

const CASES: readonly Case[] = [
  { municipality: '905', asOf: '2026-11-01' },
  { municipality: '905', asOf: '2025-06-15' },
  { municipality: '091', asOf: '2026-11-01' },
  { municipality: '091', asOf: '2025-06-15' },
];

interface CliResult {
  readonly cli: CliRun;
  readonly file: string;
  readonly runId: string;
}

/** One CLI run per case and format, started when a test first needs it. */
const runs = new Map<string, Promise<CliResult>>();
const outreach = ({ municipality, asOf }: Case, format: Format): Promise<CliResult> => {
  const name = `${municipality}-${asOf}.${format}`;
  let run = runs.get(name);
  if (!run) {
    const file = join(outDir, name);
    run = koto(hub, ['outreach', '--population', SAMPLE, '--municipality', municipality, '--as-of', asOf, '--out', file]).then((cli) => {
      const runId = /outreach run ([0-9a-f-]{36})/.exec(cli.out)?.[1] ?? '';
      return { cli, file, runId };
    });
    runs.set(name, run);
  }
  return run;
};

const expectWritten = (result: CliResult): void => {
  expect(result.cli.code, `koto-hub outreach failed:\n${result.cli.out}\n${result.cli.err}`).toBe(0);
  expect(result.runId).toMatch(/^[0-9a-f-]{36}$/);
};

/** What the CLI prints: the run id, progress lines up to every candidate decided, and the exclusion counts. */
const expectCliOutput = ({ cli, runId }: CliResult, c: Case, format: Format): void => {
  const expected = expectedOutreachResult(population, c.municipality, c.asOf);
  const candidates = expectedDecisions(population, c.municipality, c.asOf).size;
  const lines = cli.out.split('\n');
  expect(lines).toContain(`outreach run ${runId}: municipality ${c.municipality}, as of ${c.asOf}, through the running hub (pid ${process.pid})`);
  // stdout is a pipe: plain progress lines, no carriage returns redrawing a bar.
  expect(cli.out).not.toContain('\r');
  const progress = lines.filter((line) => line.startsWith('candidates decided '));
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.at(-1)).toBe(`candidates decided ${candidates}/${candidates}`);
  const files = format === 'json' ? `${c.municipality}-${c.asOf}.json` : `${c.municipality}-${c.asOf}.csv and `;
  expect(lines.find((line) => line.startsWith(`${expected.targets.length} targets written to `))).toContain(files);
  const counts = lines.slice(lines.indexOf('excluded:') + 1).filter((line) => /^ {2}[A-Z_]+ +\d+$/.test(line));
  expect(Object.fromEntries(counts.map((line) => line.trim().split(/ +/)).map(([code, n]) => [code, Number(n)]))).toEqual(expected.exclusions);
  expect(cli.out).not.toMatch(/unresolved/);
  expect(containsHetuShape(cli.out + cli.err)).toBe(false);
};

/** Targets compared one by one, field by field, so that a difference names the person's row and field. */
const expectSameTargets = (actual: readonly OutreachTarget[], expected: readonly OutreachTarget[]): void => {
  expect(actual.map((t) => t.hetu)).toEqual(expected.map((t) => t.hetu));
  expected.forEach((target, i) => {
    for (const field of TARGET_FIELDS) expect(actual[i]![field], `target ${i + 1} (${field})`).toEqual(target[field]);
  });
};

describe('koto-hub outreach on the sample population', () => {
  it.each(CASES)('writes exactly the oracle’s list and counts as JSON for $municipality on $asOf', async (c) => {
    const run = await outreach(c, 'json');
    expectWritten(run);
    const expected = expectedOutreachResult(population, c.municipality, c.asOf);
    const result = JSON.parse(readFileSync(run.file, 'utf8')) as OutreachResult;

    expect(Object.keys(result)).toEqual(['municipality', 'asOf', 'targets', 'exclusions', 'correlationId']);
    expect(result).toMatchObject({ municipality: c.municipality, asOf: c.asOf, correlationId: run.runId });
    expect(result).not.toHaveProperty('unresolved');
    for (const target of result.targets) expect(Object.keys(target)).toEqual(TARGET_FIELDS);
    expectSameTargets(result.targets, expected.targets);
    expect(result.exclusions).toEqual(expected.exclusions);
    expect(result.targets.length + Object.values(result.exclusions).reduce((a, b) => a + b, 0)).toBe(
      expectedDecisions(population, c.municipality, c.asOf).size,
    );
    expectCliOutput(run, c, 'json');

    // The run's counters agree: every candidate decided, none unresolved, the run delivered.
    expect(await runRow(hub, run.runId)).toMatchObject({
      phase: 'delivered',
      expected: expectedDecisions(population, c.municipality, c.asOf).size,
      decided: expectedDecisions(population, c.municipality, c.asOf).size,
      unresolved: 0,
    });
  });

  it('puts every candidate with a valid identity code on the municipality’s VTJmutpa follow list, and no malformed one', async () => {
    const c = CASES[0]!;
    await outreach(c, 'json');
    const followed = new Set(await followedCodes(c.municipality, { db: DynamoDBDocumentClient.from(hub.dynamodb), table: localTableName('correlation') }));
    const candidates = [...expectedDecisions(population, c.municipality, c.asOf).keys()].map((code) => code.trim().toUpperCase());
    const valid = candidates.filter(isValidHetu);
    expect(valid.length).toBeGreaterThan(0);
    expect(valid.length).toBeLessThan(candidates.length);
    for (const code of valid) expect(followed.has(code), 'a valid candidate is followed').toBe(true);
    for (const code of candidates.filter((code) => !isValidHetu(code))) expect(followed.has(code), 'a malformed code is not followed').toBe(false);
  });

  it('keeps no list page once the run’s candidates are written; a first fan-out sent again after the decisions, as recovery sends it, changes no candidate and starts no lookup', async () => {
    const c = { municipality: '837', asOf: '2026-11-01' };
    expect(expectedDecisions(population, c.municipality, c.asOf).size, 'people listed in 837').toBeGreaterThan(0);
    const run = await outreach(c, 'json');
    expectWritten(run);
    const items = (await hub.scan('correlation')).filter((item) => item.pk === `RUN#${run.runId}`);
    expect(items.filter((item) => String(item.sk).startsWith('PAGE#'))).toEqual([]);
    const before = await candidateRows(hub, run.runId);
    expect(before).toHaveLength(expectedDecisions(population, c.municipality, c.asOf).size);
    expect(before.every((row) => row.outcome)).toBe(true);
    // A list page delivered again late (or a delete of the pages that failed) leaves a page behind.
    const late = before.slice(0, 3);
    await new RunStore(DynamoDBDocumentClient.from(hub.dynamodb), localTableName('correlation')).putPage(
      run.runId,
      'uma',
      1,
      new Map(late.map((row) => [row.key, { hetu: row.hetu, kelaRows: [] }])),
    );

    const again = buildEnvelope('outreach.run.fanout.v1', { asOf: c.asOf, after: null, counted: 0 }, {
      messageId: randomUUID(),
      correlationId: run.runId,
      causationId: null,
      municipality: c.municipality,
      source: 'hub',
      target: 'hub',
    });
    await hub.sendRaw('outreach-fanout', [JSON.stringify(again)]);
    await eventually(async () => ((await hub.auditOf(run.runId)).some((r) => r.messageId === again.messageId && r.outcome === 'last-page-started') ? true : undefined), 'the fan-out handled');
    // Every candidate still has its outcome, so the run is complete again at once and assembled again.
    await eventually(async () => ((await runRow(hub, run.runId))?.phase === 'delivered' ? true : undefined), 'the run delivered again');
    expect(await candidateRows(hub, run.runId)).toEqual(before);
    expect((await hub.auditOf(run.runId)).filter((r) => r.causationId === again.messageId && r.type === 'lookup.requested.v1')).toEqual([]);
  });

  it.each(CASES)('writes exactly the oracle’s list as CSV with the counts beside it for $municipality on $asOf', async (c) => {
    const run = await outreach(c, 'csv');
    expectWritten(run);
    const expected = expectedOutreachResult(population, c.municipality, c.asOf);
    const text = readFileSync(run.file, 'utf8');

    expect(text.endsWith('\n')).toBe(true);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const { header, targets } = targetsOfCsv(text);
    expect(header).toEqual(TARGET_FIELDS);
    expectSameTargets(targets, expected.targets);
    const exclusionsFile = `${run.file}.exclusions.json`;
    expect(existsSync(exclusionsFile)).toBe(true);
    expect(JSON.parse(readFileSync(exclusionsFile, 'utf8'))).toEqual(expected.exclusions);
    expectCliOutput(run, c, 'csv');
  });

  it('lists a turvakielto target with an empty address and addressProtected true, in both formats', async () => {
    const withProtection = CASES.filter((c) => expectedOutreachResult(population, c.municipality, c.asOf).targets.some((t) => t.addressProtected));
    expect(withProtection.length, 'the sample population has a turvakielto target on one of the dates').toBeGreaterThan(0);
    for (const c of withProtection) {
      const protectedCodes = expectedOutreachResult(population, c.municipality, c.asOf)
        .targets.filter((t) => t.addressProtected)
        .map((t) => t.hetu);
      const persons = protectedCodes.map((code) => population.persons.find((p) => p.hetu === code)!);
      expect(persons.every((p) => p.nonDisclosure)).toBe(true);
      // VTJ's mock answers them WITH their address when they have one (the worst case): the hub has to drop it.
      const withAddress = persons.filter((p) => p.address !== null);
      expect(withAddress.length, 'a turvakielto target whose VTJ record holds an address').toBeGreaterThan(0);

      const json = await outreach(c, 'json');
      const csv = await outreach(c, 'csv');
      expectWritten(json);
      expectWritten(csv);
      const jsonTargets = (JSON.parse(readFileSync(json.file, 'utf8')) as OutreachResult).targets;
      const csvTargets = targetsOfCsv(readFileSync(csv.file, 'utf8')).targets;
      for (const targets of [jsonTargets, csvTargets]) {
        for (const code of protectedCodes) {
          expect(targets.find((t) => t.hetu === code)).toMatchObject({ street: '', postalCode: '', postOffice: '', addressProtected: true });
        }
      }
      const everything = [readFileSync(json.file, 'utf8'), readFileSync(csv.file, 'utf8'), readFileSync(`${csv.file}.exclusions.json`, 'utf8')].join('\n');
      for (const person of withAddress) expect(everything).not.toContain(person.address!.street);
    }
  });

  it('delivers an empty list, with no exclusions, for a municipality nobody is listed in', async () => {
    const municipality = '179';
    const asOf = '2026-11-01';
    const expected = expectedOutreachResult(population, municipality, asOf);
    expect(expected.targets).toEqual([]);
    const file = join(outDir, `${municipality}.json`);
    const cli = await koto(hub, ['outreach', '--population', SAMPLE, '--municipality', municipality, '--as-of', asOf, '--out', file, '--timeout', '30']);
    expect(cli.code, `${cli.out}\n${cli.err}`).toBe(0);
    const result = JSON.parse(readFileSync(file, 'utf8')) as OutreachResult;
    expect(expected.exclusions).toEqual({});
    expect(result).toMatchObject({ municipality, asOf, targets: [] });
    expect(result.exclusions).toEqual({});
    expect(cli.out).toContain('0 targets written to');
    expect(cli.out).toContain('excluded: none');
  });
});

describe('personal data in the logs', () => {
  it('writes no HETU into any log line (and never needed the scrubber to hide one)', () => {
    const lines = hub.logLines();
    expectNoPersonalDataIn(lines, personalDataOf(population.persons));
    expect(lines.some((line) => (JSON.parse(line) as { correlationId?: string }).correlationId)).toBe(true);
  });
});
