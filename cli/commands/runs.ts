/** `koto-hub runs list | resume | abandon`: the open outreach runs, what each waits for, and an operator's hand on one. */
import { connectToHub, UsageError } from '#cli/connection';
import { noMorePositionals, parseCommandArgs, UUID } from '#cli/args';
import { HubUnavailable } from '#cli/running-hub';
import { connectRecovery } from '#cli/hub-recovery';
import { formatAge, runProgress, table } from '#cli/render';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { RunStore } from '#functions/outreach/run-store';
import { describeWait, judgeRun } from '#functions/outreach-recovery/waiting-for';
import { abandonRun, resumeRun } from '#functions/outreach-recovery/operator-actions';

export const RUNS_HELP = `koto-hub runs list [--json]
koto-hub runs resume <run id>
koto-hub runs abandon <run id>

list     every open outreach run: phase, progress, how long since its last progress, what it still
         waits for (list pages, the fan-out, decisions, the assembly), and STALLED when that silence
         is longer than its work can be in flight (its queues' visibility timeout times
         maxReceiveCount, plus their oldest-message age): the watchdog then puts the work back.
resume   puts the run's outstanding work back now, from what the tables say (once: a page split
         twice or a candidate decided twice counts once). Needs a running hub to take the work;
         a hub that starts resumes every open run by itself.
abandon  gives the run up: it is no longer open, nothing resumes it. Its records stay.

resume and abandon write an audit record (stage operator) in the run's trace. Exits 0 when done,
1 when there is no such run (or it was delivered already), 2 on bad arguments or no hub data.`;

const runIdOf = (value: string | undefined): string => {
  if (!value || !UUID.test(value)) throw new UsageError('a run id (UUID) is required');
  return value.toLowerCase();
};

const list = async (json: boolean, out: (line: string) => void): Promise<number> => {
  const connection = await connectToHub();
  try {
    const store = new RunStore(documentClient(), tableName('correlation'));
    const now = Date.now();
    const runs = [];
    for (const runId of await store.openRuns()) {
      const run = await store.getRun(runId);
      if (!run) continue;
      const judged = judgeRun(run, { now });
      runs.push({ run, judged });
    }
    if (json) {
      out(JSON.stringify({
        at: new Date(now).toISOString(),
        runs: runs.map(({ run, judged }) => ({
          runId: run.runId, municipality: run.municipality, asOf: run.asOf, phase: run.phase, expected: run.expected, decided: run.decided, unresolved: run.unresolved,
          updatedAt: run.updatedAt, idleSeconds: judged.idleSeconds, lostAfterSeconds: judged.lostAfterSeconds, stalled: judged.lost, waitsFor: judged.wait, recoveries: run.recoveries ?? 0,
        })),
      }, null, 2));
      return 0;
    }
    if (runs.length === 0) return (out('no open outreach runs'), 0);
    for (const line of table(
      ['OUTREACH RUN', 'MUNICIPALITY', 'AS OF', 'PHASE', 'PROGRESS', 'IDLE', 'WAITS FOR', 'RECOVERIES'],
      runs.map(({ run, judged }) => [
        run.runId, run.municipality, run.asOf, run.phase, runProgress(run),
        `${judged.lost ? 'STALLED ' : ''}${formatAge(judged.idleSeconds)}`, describeWait(judged.wait), run.recoveries ?? 0,
      ]),
    )) out(line);
    return 0;
  } finally {
    await connection.close();
  }
};

const resume = async (runId: string, out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  let hub;
  try {
    hub = await connectRecovery('runs resume');
  } catch (error) {
    if (!(error instanceof HubUnavailable)) throw error;
    err(`${error.message}; a hub that starts on this data folder resumes every open run by itself`);
    return 2;
  }
  try {
    const resumed = await resumeRun(runId, hub.deps);
    if (!resumed) return (err(`no run ${runId}`), 1);
    const { recovery, record } = resumed;
    if (recovery.action === 'closed' || recovery.action === 'none') return (err(`run ${runId} is ${recovery.action === 'closed' ? 'delivered' : 'abandoned'}: nothing to resume`), 1);
    out(`run ${runId}: ${recovery.action === 'put-back' ? 'put back' : recovery.action} the work it waited for (${describeWait(recovery.wait)}, idle ${formatAge(recovery.idleSeconds)}) on ${hub.where}`);
    out(`audit record ${record.hop}: ${record.outcome}`);
    return 0;
  } finally {
    await hub.close();
  }
};

const abandon = async (runId: string, out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  const connection = await connectToHub();
  try {
    const done = await abandonRun(runId, new RunStore(documentClient(), tableName('correlation')));
    if (!done) return (err(`no run ${runId}`), 1);
    if (!done.abandoned) return (err(`run ${runId} is ${done.run.phase}: nothing to abandon`), 1);
    out(`run ${runId} abandoned in phase ${done.run.phase}`);
    out(`audit record ${done.record!.hop}: ${done.record!.outcome}`);
    return 0;
  } finally {
    await connection.close();
  }
};

export const runsCommand = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void = console.error): Promise<number> => {
  const { positionals, options, help } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (help) return (out(RUNS_HELP), 0);
  const [sub, id] = positionals;
  switch (sub) {
    case 'list':
      noMorePositionals(positionals, 1);
      return list(options.json === true, out);
    case 'resume':
      noMorePositionals(positionals, 2);
      return resume(runIdOf(id), out, err);
    case 'abandon':
      noMorePositionals(positionals, 2);
      return abandon(runIdOf(id), out, err);
    default:
      throw new UsageError(sub ? 'unknown runs command (list, resume or abandon)' : 'usage: koto-hub runs list | resume <run id> | abandon <run id> (see --help)');
  }
};
