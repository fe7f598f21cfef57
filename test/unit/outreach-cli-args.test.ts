import { describe, expect, it } from 'vitest';
import { main } from '#cli/main';
import { parseOutreachArgs } from '#cli/commands/outreach';

const valid = ['--population', 'mocks/population/sample.json', '--municipality', '905', '--as-of', '2026-11-01', '--out', 'list.csv'];
const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('koto-hub outreach arguments', () => {
  it('reads a complete command line, with a fresh run id and the default page size and timeout', () => {
    const args = parseOutreachArgs(valid);
    expect(args).toMatchObject({ municipality: '905', asOf: '2026-11-01', out: 'list.csv', pageSize: 200, timeoutSeconds: 900 });
    expect(args.runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    [['--municipality', '905'], /--population is required/],
    [[...valid.slice(0, 2), '--municipality', '999', ...valid.slice(4)], /unknown municipality code '999'/],
    [[...valid.slice(0, 4), '--as-of', '2026-02-30', ...valid.slice(6)], /--as-of must be a date/],
    [[...valid.slice(0, 6), '--out', 'list.txt'], /--out must name a \.json or a \.csv file/],
    [[...valid, '--run-id', 'run-1'], /--run-id must be a UUID/],
    [[...valid, '--page-size', '0'], /--page-size must be a whole number from 1 to 500/],
    [[...valid, '--colour', 'blue'], /unknown option --colour/],
    [['--population', 'no-such-file.json', ...valid.slice(2)], /does not exist/],
  ])('exits 2 with a one-line reason for a bad command line (%#)', async (argv, reason) => {
    const result = await run(['outreach', ...argv]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(reason);
    expect(result.err.split('\n')).toHaveLength(1);
  });

  it('prints its help and exits 0', async () => {
    const result = await run(['outreach', '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('koto-hub outreach --population FILE --municipality M --as-of D --out RESULT');
  });
});
