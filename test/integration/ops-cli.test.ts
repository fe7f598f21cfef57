/**
 * The operations commands (trace, dlq, status, audit export/verify) as an operator runs them: the
 * real `koto-hub` CLI as a child process against the real embedded runtime of this test, with
 * referrals through ingress, a poison message straight onto the queue, and a transient fault.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { containsHetuShape } from '#contracts/hetu';
import { tableNameEnv } from '#infra/topology';
import type { HubStatus } from '#infra/local/status';
import type { AuditRecord } from '#lib/audit/record';
import type { Trace, TraceNode } from '#ops/audit/trace';
import type { DeadLetterSummary } from '#cli/dead-letters';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { referral } from '../support/envelopes.ts';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

let hub: TestHub;
/** Every HETU this test put into the hub: none may appear in any output of the CLI. */
const hetus: string[] = [];
const outputs: string[] = [];

const cli = (args: readonly string[], options: { dataDir?: string; input?: string } = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn('node', ['cli/koto-hub.mjs', ...args], {
      env: { ...process.env, KOTO_DATA_DIR: options.dataDir ?? hub.dataDir.root },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      outputs.push(out, err);
      resolve({ code: code ?? -1, out, err });
    });
    child.stdin.end(options.input ?? '');
  });

const depthOf = async (url: string): Promise<number> => {
  const { Attributes = {} } = await hub.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
};
const dlqDepth = () => depthOf(hub.queues.dlq['referral-intake']);
const settled = async () => (await depthOf(hub.queues.queue['referral-intake'])) === 0;

const flatten = (nodes: readonly TraceNode[]): TraceNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);
const traceOf = async (correlationId: string): Promise<Trace> => {
  const run = await cli(['trace', correlationId, '--json']);
  expect(run.code).toBe(0);
  return JSON.parse(run.out) as Trace;
};
const recordsOf = (correlationId: string, outcome: string): Promise<AuditRecord[]> =>
  hub.auditOf(correlationId).then((records) => records.filter((r) => r.outcome === outcome));

const good = referral({ municipality: '905' });
const poison = referral({ municipality: '905' });
const poisonHetu = '310223A123B';
const poisonBody = JSON.stringify({ ...poison, payload: { ...poison.payload, hetu: poisonHetu } });

beforeAll(async () => {
  // No backoff: a transient failure comes straight back, so maxReceiveCount is reached in seconds.
  // Only referral intake runs: what it passes on waits on the next queue, so that the traces here
  // hold the hops these tests make, whatever the later steps of the flow do.
  hub = await startTestHub({ retryBaseSeconds: 0, functions: ['referral-intake'] });
  hetus.push(good.payload.hetu, poisonHetu);
  expect((await hub.post(good)).status).toBe(202);
  await hub.sendRaw('referral-intake', [poisonBody]);
  await eventually(async () => ((await dlqDepth()) === 1 && (await recordsOf(good.correlationId, 'candidate-recorded')).length === 1 ? true : undefined), 'the referral recorded and the poison message dead-lettered');
});
afterAll(async () => {
  await hub?.stop();
});

describe('koto-hub trace', () => {
  it('shows a referral as a tree from ingress to its intake, with times, stages, types, outcomes and durations', async () => {
    const trace = await traceOf(good.correlationId);
    expect(trace.summary).toMatchObject({ records: 2, retries: 0, deadLetters: 0 });
    expect(trace.roots).toHaveLength(1);
    const [ingress] = trace.roots;
    expect(ingress).toMatchObject({ stage: 'ingress', outcome: 'accepted', source: 'authority:te-services', target: 'hub', type: 'outreach.referral.v1', parentHop: null });
    expect(ingress!.children).toEqual([expect.objectContaining({ stage: 'referral-intake', outcome: 'candidate-recorded', failed: false, parentHop: ingress!.hop })]);
    expect(ingress!.children[0]!.durationMs).toEqual(expect.any(Number));

    const text = await cli(['trace', good.correlationId]);
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines[0]).toContain(`trace of correlation ${good.correlationId}: 2 records`);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}ingress {2}authority:te-services -> hub {2}outreach\.referral\.v1 {2}accepted {2}\d+ ms$/);
    expect(lines[2]).toMatch(/^└─ \S+Z {2}referral-intake {2}authority:te-services -> hub {2}outreach\.referral\.v1 {2}candidate-recorded {2}\d+ ms$/);
  });

  it('marks the poison message as a dead letter with its reason', async () => {
    const trace = await traceOf(poison.correlationId);
    const [dead] = flatten(trace.roots);
    expect(dead).toMatchObject({ stage: 'referral-intake', outcome: 'dead-letter', failed: true });
    expect(dead!.reason).toMatch(/^schema-violation: payload\.hetu: /);
    const text = await cli(['trace', poison.correlationId]);
    expect(text.out).toContain('✗ DEAD-LETTER');
    expect(text.out).toMatch(/reason: schema-violation: payload\.hetu: invalid personal identity code/);
  });

  it('finds the correlations of a person by the keyed hash of the HETU, given as an argument or on stdin', async () => {
    for (const run of [await cli(['trace', '--person', good.payload.hetu, '--json']), await cli(['trace', '--person', '-', '--json'], { input: `${good.payload.hetu}\n` })]) {
      expect(run.code).toBe(0);
      const { correlations } = JSON.parse(run.out) as { correlations: { correlationId: string; records: number }[] };
      expect(correlations).toEqual([expect.objectContaining({ correlationId: good.correlationId, records: 2 })]);
    }
    const text = await cli(['trace', '--person', good.payload.hetu]);
    expect(text.out).toContain('1 correlation concerns this person:');
    expect(text.out).toContain(good.correlationId);
  });

  it('refuses a malformed HETU naming the fault and never echoing it, and answers 1 for an unknown correlation', async () => {
    const bad = await cli(['trace', '--person', '131052-308X']);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err.trim()).toBe('koto-hub trace: --person: the check character does not match the date and individual number');
    const unknown = await cli(['trace', '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('no audit records for correlation');
  });
});

describe('koto-hub dlq', () => {
  it('lists every DLQ with its depth and the age of its oldest message', async () => {
    const run = await cli(['dlq', 'list', '--json']);
    expect(run.code).toBe(0);
    const { dlqs } = JSON.parse(run.out) as { dlqs: { dlq: string; depth: number; oldestAgeSeconds: number | null }[] };
    expect(dlqs.find((d) => d.dlq === 'referral-intake-dlq')).toMatchObject({ depth: 1, oldestAgeSeconds: expect.any(Number) });
    expect(dlqs.filter((d) => d.dlq !== 'referral-intake-dlq').every((d) => d.depth === 0 && d.oldestAgeSeconds === null)).toBe(true);
    const text = await cli(['dlq', 'list']);
    expect(text.out).toMatch(/^referral-intake-dlq +1 {2}(\d+s|\d+m \d\ds) +referral-intake$/m);
    expect(text.out).toContain('1 dead letter in 1 DLQ');
  });

  it('shows the poison message with its type, ids, receives and reason, and no HETU anywhere', async () => {
    const run = await cli(['dlq', 'show', 'referral-intake', '--json']);
    expect(run.code).toBe(0);
    const { depth, messages } = JSON.parse(run.out) as { depth: number; messages: DeadLetterSummary[] };
    expect(depth).toBe(1);
    expect(messages).toEqual([
      expect.objectContaining({
        type: 'outreach.referral.v1',
        correlationId: poison.correlationId,
        messageId: poison.messageId,
        receives: 1,
        failureCode: 'schema-violation',
        failedStage: 'referral-intake',
        reasonFrom: 'attributes',
        movedBySqs: false,
      }),
    ]);
    expect(messages[0]!.failureReason).toMatch(/^payload\.hetu: invalid personal identity code/);
    const text = await cli(['dlq', 'show', 'referral-intake-dlq', '--limit', '5']);
    expect(text.out).toContain(`  correlation  ${poison.correlationId}`);
    expect(text.out).toContain('  failure      schema-violation: payload.hetu:');
    for (const output of [run.out, text.out]) {
      expect(output).not.toContain(poisonHetu);
      expect(containsHetuShape(output)).toBe(false);
      expect(output).not.toContain('UNEMPLOYED_JOBSEEKER');
    }
    // Looking did not take it off the DLQ.
    expect(await dlqDepth()).toBe(1);
  });

  it('redrives one message with a redriven audit record; being permanent, it comes back to the DLQ once and stays', async () => {
    const run = await cli(['dlq', 'redrive', 'referral-intake', '--message', poison.messageId]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toContain(`from referral-intake-dlq to referral-intake`);
    expect(run.out).toContain(`audit record ${poison.messageId}#dlq-redrive#attempt-1: redriven`);

    await eventually(async () => ((await recordsOf(poison.correlationId, 'dead-letter')).length === 2 ? true : undefined), 'the second dead letter');
    await eventually(async () => ((await dlqDepth()) === 1 && (await settled()) ? true : undefined), 'the poison back in the DLQ');
    // Not a loop: a while later it is still one dead letter with two failed hops.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await dlqDepth()).toBe(1);
    expect(await recordsOf(poison.correlationId, 'dead-letter')).toHaveLength(2);

    const nodes = flatten((await traceOf(poison.correlationId)).roots);
    expect(nodes.map((n) => n.outcome)).toEqual(['dead-letter', 'redriven', 'dead-letter']);
    expect(nodes[1]).toMatchObject({ stage: 'dlq-redrive', reason: 'redriven from referral-intake-dlq to referral-intake (dlq redrive --message)' });
    expect((await cli(['dlq', 'redrive', 'referral-intake', '--message', '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b'])).code).toBe(1);
  });

  it('shows a message SQS moved after maxReceiveCount with the reason of its last failed hop, and --all brings it back once healed', async () => {
    const env = tableNameEnv('correlation');
    const realTable = process.env[env]!;
    const stuck = referral({ municipality: '905' });
    hetus.push(stuck.payload.hetu);
    process.env[env] = 'koto-hub-table-that-is-not-there';
    try {
      expect((await hub.post(stuck)).status).toBe(202);
      await eventually(async () => ((await dlqDepth()) === 2 ? true : undefined), 'the stuck referral in the DLQ', 40_000);
    } finally {
      process.env[env] = realTable;
    }
    const show = await cli(['dlq', 'show', 'referral-intake', '--json']);
    const { messages } = JSON.parse(show.out) as { messages: DeadLetterSummary[] };
    expect(messages.find((m) => m.messageId === stuck.messageId)!.receives).toBeGreaterThanOrEqual(5);
    expect(messages.find((m) => m.messageId === stuck.messageId)).toMatchObject({
      movedBySqs: true,
      reasonFrom: 'audit',
      receives: expect.any(Number),
      failedStage: 'referral-intake',
      failureCode: expect.stringContaining('ResourceNotFound'),
    });

    const all = await cli(['dlq', 'redrive', 'referral-intake', '--all', '--rate', '5']);
    expect(all.code).toBe(0);
    expect(all.out).toContain('moved 2 of 2 dead letters from referral-intake-dlq to referral-intake');
    const done = await eventually(async () => (await recordsOf(stuck.correlationId, 'candidate-recorded'))[0], 'the stuck referral recorded after the redrive');
    expect(done.stage).toBe('referral-intake');
    // The poison came back once more; the healed one did not.
    await eventually(async () => ((await dlqDepth()) === 1 && (await settled()) ? true : undefined), 'only the poison left in the DLQ');
    expect(await recordsOf(poison.correlationId, 'dead-letter')).toHaveLength(3);

    const nodes = flatten((await traceOf(stuck.correlationId)).roots);
    expect(nodes[0]).toMatchObject({ stage: 'ingress' });
    // local-aws-sqs may hand one message out twice in a receive, so the attempts can skip numbers.
    const outcomes = nodes.slice(1).map((n) => n.outcome);
    expect(outcomes).toEqual(expect.arrayContaining(['retry', 'dead-letter', 'redriven', 'candidate-recorded']));
    expect(outcomes.filter((o) => o === 'candidate-recorded')).toHaveLength(1);
    expect(nodes.find((n) => n.outcome === 'redriven')).toMatchObject({ parentHop: nodes[0]!.hop, reason: expect.stringContaining('dlq redrive --all --rate 5') });
    const verify = await cli(['audit', 'verify', stuck.correlationId]);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.out).toContain('every link intact');
  }, 90_000);
});

describe('koto-hub status', () => {
  it('prints the running hub status as JSON, and as a table', async () => {
    const run = await cli(['status', '--json']);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.out) as HubStatus;
    expect(status.queues.find((q) => q.name === 'referral-intake')).toMatchObject({
      depth: 0,
      dlqDepth: 1,
      consumer: 'referral-intake',
      oldestAgeSeconds: null,
      dlqOldestAgeSeconds: expect.any(Number),
    });
    expect(status.functions.find((f) => f.name === 'referral-intake')!.invocations).toBeGreaterThan(0);
    expect(status.runs).toEqual([]);
    const text = await cli(['status']);
    expect(text.out).toMatch(/^referral-intake +0 +0 +- +1 +(\d+s|\d+m \d\ds) +referral-intake$/m);
    expect(text.out).toContain('no open outreach runs');
    expect(text.out).toContain('dead letters: 1 in referral-intake-dlq');
  });

  it('prints successive snapshots with --watch when the output is not a terminal', async () => {
    const run = await cli(['status', '--watch', '--count', '2']);
    expect(run.code).toBe(0);
    expect(run.out.match(/^koto-hub status at /gm)).toHaveLength(2);
    expect(run.out).not.toContain('\u001b[');
    const json = await cli(['status', '--watch', '--count', '2', '--json']);
    expect(json.out.trimEnd().split('\n').map((line) => (JSON.parse(line) as HubStatus).queues.length)).toEqual([expect.any(Number), expect.any(Number)]);
  });
});

describe('koto-hub audit', () => {
  it('exports a correlation as JSON lines of its records, with no HETU', async () => {
    const run = await cli(['audit', 'export', good.correlationId]);
    expect(run.code).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const records = lines.map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((r) => r.stage)).toEqual(['ingress', 'referral-intake']);
    expect(records[0]!.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.out).not.toContain(good.payload.hetu);
    expect(containsHetuShape(run.out)).toBe(false);
  });

  it('verifies every correlation with records since a time, naming the broken ones', async () => {
    const run = await cli(['audit', 'verify', '--since', '2000-01-01']);
    // The poison was put on the queue by hand: no recorded hop produced it, which the chain reports.
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^audit chains since 2000-01-01T00:00:00\.000Z: 1 of 3 correlations BROKEN/);
    expect(run.out).toContain(`  correlation ${poison.correlationId}:`);
    expect(run.out).toContain('unexpected-root');
    expect(run.out).not.toContain(good.correlationId);
    const future = await cli(['audit', 'verify', '--since', '2999-01-01T00:00:00Z']);
    expect(future).toMatchObject({ code: 0 });
    expect(future.out).toContain('no audit records since 2999-01-01T00:00:00.000Z');
  });
});

describe('every command', () => {
  it('answers --help with exit 0', async () => {
    const runs = await Promise.all(
      [['--help'], ['trace', '--help'], ['dlq', '--help'], ['dlq', 'show', '--help'], ['status', '--help'], ['audit', '--help']].map((args) => cli(args)),
    );
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/koto-hub/);
    }
  });

  it('exits 2 with a one-line reason on bad arguments', async () => {
    const cases = [
      ['trace'],
      ['trace', 'not-a-uuid'],
      ['trace', '--bogus'],
      ['trace', good.correlationId, '--person', good.payload.hetu],
      ['dlq'],
      ['dlq', 'nope'],
      ['dlq', 'show'],
      ['dlq', 'show', 'no-such-queue'],
      ['dlq', 'show', 'referral-intake', '--limit', '0'],
      ['dlq', 'list', '--limit', '3'],
      ['dlq', 'redrive', 'referral-intake'],
      ['dlq', 'redrive', 'referral-intake', '--message', 'x', '--all'],
      ['dlq', 'redrive', 'referral-intake', '--message', 'x', '--rate', '3'],
      ['dlq', 'redrive', 'referral-intake', '--all', '--rate', '9999'],
      ['status', '--count', '2'],
      ['status', 'extra'],
      ['audit', 'export'],
      ['audit', 'verify', '--since', 'yesterday'],
      ['audit', 'shred', good.correlationId],
    ];
    const runs = await Promise.all(cases.map((args) => cli(args)));
    runs.forEach((run, i) => {
      expect({ args: cases[i], code: run.code }).toEqual({ args: cases[i], code: 2 });
      expect(run.err.trim().split('\n')).toHaveLength(1);
      expect(run.err).toMatch(/^koto-hub \w+: /);
      expect(run.err).not.toContain(good.payload.hetu);
    });
  }, 120_000);

  it('says so in one line and exits non-zero when no hub runs', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'koto-hub-nohub-'));
    const cases = [['dlq', 'list'], ['dlq', 'show', 'referral-intake'], ['dlq', 'redrive', 'referral-intake', '--all'], ['status'], ['trace', good.correlationId], ['audit', 'export', good.correlationId]];
    const runs = await Promise.all(cases.map((args) => cli(args, { dataDir: empty })));
    runs.forEach((run, i) => {
      expect({ args: cases[i], code: run.code }).toEqual({ args: cases[i], code: 2 });
      expect(run.err.trim().split('\n')).toHaveLength(1);
    });
    expect(runs[0]!.err).toContain(`no hub is running on ${empty}: dlq list needs a running hub`);
    expect(runs[3]!.err).toContain('status needs a running hub');
    expect(runs[4]!.err).toContain(`no hub data in ${empty}`);
  });

  it('never printed a HETU, in any output of this file', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const output of outputs) {
      for (const hetu of hetus) expect(output).not.toContain(hetu);
      expect(containsHetuShape(output)).toBe(false);
    }
  });
});
