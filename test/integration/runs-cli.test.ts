/**
 * `koto-hub runs list | resume | abandon` and `koto-hub outreach` on a run that exists, as an
 * operator runs them: the real CLI as a child process against this file's running embedded hub.
 * The hub runs without its list adapters, so a run's list requests wait on their queues; an
 * operator's purge then loses them, as a crash would.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionNames } from '#infra/topology';
import { queueCounts } from '#infra/local/status';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { drain } from '../support/queues.ts';
import { referral } from '../support/envelopes.ts';
import { koto, requestRun, runRow, SAMPLE } from '../support/outreach-runs.ts';

let hub: TestHub;
const runId = randomUUID();

const waiting = async (queue: 'kelmu-lists' | 'uma-lists') => {
  const { depth, inFlight } = await queueCounts(hub.sqs, hub.queues.queue[queue]);
  return depth + inFlight;
};

beforeAll(async () => {
  hub = await startTestHub({
    population: SAMPLE,
    scheduleSeconds: 0,
    functions: functionNames.filter((name) => name !== 'kelmu-adapter' && name !== 'uma-list-adapter'),
  });
  await requestRun(hub, { runId, municipality: '905', asOf: '2026-11-01', pageSize: 20 });
  await eventually(async () => ((await waiting('kelmu-lists')) === 1 && (await waiting('uma-lists')) === 1 ? true : undefined), 'the list requests on their queues');
  // The rest of the hub works meanwhile: a referral is looked up in the registers.
  expect((await hub.post(referral({ municipality: '905' }))).status).toBe(202);
  await eventually(async () => (hub.mocks!.vtj.requests.count() > 0 ? true : undefined), 'the referral looked up in VTJ');
  // The messages go, as with an operator's purge: the run's truth stays in the table, its next step is gone.
  for (const queue of ['kelmu-lists', 'uma-lists'] as const) expect(await drain(hub.sqs, hub.queues.queue[queue], 1)).toHaveLength(1);
  expect([await waiting('kelmu-lists'), await waiting('uma-lists')]).toEqual([0, 0]);
});
afterAll(async () => {
  await hub?.stop();
});

describe('koto-hub runs', () => {
  it('lists the open run with what it waits for, not yet stalled; status and its JSON say the same', async () => {
    const listed = await koto(hub, ['runs', 'list']);
    expect(listed.code).toBe(0);
    const [header, row] = listed.out.trimEnd().split('\n');
    expect(header).toMatch(/^OUTREACH RUN +MUNICIPALITY +AS OF +PHASE +PROGRESS +IDLE +WAITS FOR +RECOVERIES$/);
    expect(row).toContain(runId);
    expect(row).toContain('fetching-lists');
    expect(row).toContain('1 kelmu list page from page 1, 1 uma list page from page 1');
    expect(row).not.toContain('STALLED');

    const json = JSON.parse((await koto(hub, ['runs', 'list', '--json'])).out) as { runs: { runId: string; stalled: boolean; lostAfterSeconds: number; waitsFor: { kind: string } }[] };
    expect(json.runs).toEqual([expect.objectContaining({ runId, stalled: false, waitsFor: expect.objectContaining({ kind: 'list-pages' }) })]);
    expect(json.runs[0]!.lostAfterSeconds).toBeGreaterThan(0);
    const [status] = (await hub.status()).runs;
    expect(status).toMatchObject({ runId, waitsFor: '1 kelmu list page from page 1, 1 uma list page from page 1', stalled: false, recoveries: 0 });
  });

  it('resumes the run: the lost list requests are back on their queues, and the action is in its audit trail', async () => {
    const resumed = await koto(hub, ['runs', 'resume', runId]);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain(`run ${runId}: put back the work it waited for (1 kelmu list page from page 1, 1 uma list page from page 1`);
    expect([await waiting('kelmu-lists'), await waiting('uma-lists')]).toEqual([1, 1]);
    expect(await runRow(hub, runId)).toMatchObject({ phase: 'fetching-lists', recoveries: 1, decided: 0, unresolved: 0 });
    const records = await hub.auditOf(runId);
    const operator = records.filter((r) => r.stage === 'operator');
    expect(operator).toEqual([expect.objectContaining({ outcome: 'run-resumed', type: 'operator.run-resumed', municipality: '905' })]);
    // It concerns no person: no subject in the index of persons.
    expect(operator[0]!.subjectHash ?? null).toBeNull();
    expect(records.filter((r) => r.stage === 'outreach-recovery').map((r) => r.type).sort()).toEqual(['kelmu.list.requested.v1', 'uma.protection-list.requested.v1']);
  });

  it('answers koto-hub outreach for the run with where it stands and waits for it, rather than asking again and timing out', async () => {
    const again = await koto(hub, ['outreach', '--population', SAMPLE, '--municipality', '905', '--as-of', '2026-11-01', '--out', '/tmp/never.csv', '--run-id', runId, '--timeout', '1']);
    expect(again.out).toContain(`outreach run ${runId}: municipality 905, as of 2026-11-01`);
    // Just put back: in flight, not lost; the CLI says how to force it and waits (no list adapter runs here, so it times out).
    expect(again.out).toMatch(/the run exists and its work is in flight \(silent \d+s of the 40m 00s after which it counts as lost; koto-hub runs resume \S+ puts it back now\): waiting for it/);
    expect(again.code).toBe(1);
    expect(again.err).toContain('the run did not complete in 1 s; see koto-hub runs list');
    // Asked for again: the hop says the run exists; nothing else was put back.
    expect((await hub.auditOf(runId)).filter((r) => r.stage === 'outreach-run').map((r) => r.outcome).sort()).toEqual(['run-exists', 'run-started']);
    expect([await waiting('kelmu-lists'), await waiting('uma-lists')]).toEqual([1, 1]);
  });

  it('abandons the run: no longer open, and audited', async () => {
    const abandoned = await koto(hub, ['runs', 'abandon', runId]);
    expect(abandoned.code).toBe(0);
    expect(abandoned.out).toContain(`run ${runId} abandoned in phase fetching-lists`);
    expect((await hub.auditOf(runId)).filter((r) => r.stage === 'operator').map((r) => r.outcome).sort()).toEqual(['run-abandoned', 'run-resumed']);
    expect((await koto(hub, ['runs', 'list'])).out.trim()).toBe('no open outreach runs');
    expect((await hub.status()).runs).toEqual([]);
    expect((await koto(hub, ['runs', 'abandon', runId])).code).toBe(1);
  });

  it('answers koto-hub outreach for the abandoned run at once instead of waiting for it', async () => {
    const again = await koto(hub, ['outreach', '--population', SAMPLE, '--municipality', '905', '--as-of', '2026-11-01', '--out', '/tmp/never.csv', '--run-id', runId, '--timeout', '30']);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`run ${runId} was abandoned`);
  });

  it('refuses an argument that is not a run id', async () => {
    const bad = await koto(hub, ['runs', 'resume', 'not-a-run']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('a run id (UUID) is required');
  });
});
