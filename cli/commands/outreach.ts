/**
 * `koto-hub outreach --population FILE --municipality M --as-of D --out RESULT` (docs/DESIGN.md
 * "The outreach result"): one whole outreach run through the hub — a running one when it holds the
 * same population, else the embedded runtime started for the run — and RESULT written when the run
 * is complete. The runtime's records stay in its data folder for `trace` and `audit`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isMunicipalityCode, municipalityCodeProblem } from '#contracts/municipalities';
import { outreachResult, resultToCsv, type OutreachResult } from '#contracts/outreach-result';
import { dataDirPaths, defaultDataDir, readRuntimeInfo } from '#infra/local/data-dir';
import { localTableName } from '#infra/local/dynamodb';
import { startRuntime, type Runtime } from '#infra/local/runtime';
import { loadPopulation } from '#mocks/population-index';
import { RunStore } from '#functions/outreach/run-store';
import { awaitRunDelivery, requestOutreachRun } from '#infra/local/outreach-client';
import { clientCredentials, OPERATOR_CLIENT } from '#infra/local/local-clients';
import { pkiPaths } from '#infra/local/pki';
import type { ClientCredentials } from '#infra/local/door-client';
import { UsageError } from '#cli/connection';
import { connectRecovery } from '#cli/hub-recovery';
import { recoverRun, type RunRecovery } from '#functions/outreach-recovery/recover';
import { describeWait, runWaitsFor } from '#functions/outreach-recovery/waiting-for';
import { formatAge } from '#cli/render';
import { progress } from '#ops/progress';

export const OUTREACH_HELP = `koto-hub outreach --population FILE --municipality M --as-of D --out RESULT [options]

Runs one whole outreach run through the hub: the mock registers hold the fixture population FILE,
the run fetches municipality M's Kelmu and UMA lists, looks every candidate up in VTJ, UMA and the
data store, decides each by the outreach rules as of day D, and writes RESULT when it is complete:
RESULT.json (the normative result), or RESULT.csv with the exclusion counts in RESULT.exclusions.json.

It uses the hub running on this data folder when that one holds the same population, and otherwise
starts the embedded runtime for the run. The records stay in the data folder: koto-hub trace <run id>.

A run id that exists is resumed and waited for: a hub that starts puts back whatever the run still
waits for (its queues are new: nothing of it can be in flight); a running hub puts it back when
it has been silent longer than its work can be in flight (koto-hub runs resume does it at once).

Options:
  --run-id UUID        the run's id (default: a new one); an id that exists is resumed, not run again
  --page-size N        rows per page of the source lists (default 200)
  --timeout SECONDS    give up waiting after this long (default 900)

Exit codes: 0 written; 1 the run did not complete in time; 2 bad arguments or no hub to use.`;

interface OutreachArgs {
  readonly population: string;
  readonly municipality: string;
  readonly asOf: string;
  readonly out: string;
  readonly runId: string;
  readonly pageSize: number;
  readonly timeoutSeconds: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const parseOutreachArgs = (args: readonly string[]): OutreachArgs => {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    if (!flag.startsWith('--') || args[i + 1] === undefined) throw new UsageError(`expected --option value pairs, got ${flag}`);
    values.set(flag.slice(2), args[i + 1]!);
  }
  const known = ['population', 'municipality', 'as-of', 'out', 'run-id', 'page-size', 'timeout'];
  const unknown = [...values.keys()].find((k) => !known.includes(k));
  if (unknown) throw new UsageError(`unknown option --${unknown}`);
  const need = (name: string) => {
    const value = values.get(name);
    if (!value) throw new UsageError(`--${name} is required`);
    return value;
  };
  const population = need('population');
  if (!existsSync(population)) throw new UsageError(`population file ${population} does not exist`);
  const municipality = need('municipality');
  if (!isMunicipalityCode(municipality)) throw new UsageError(`--municipality: ${municipalityCodeProblem(municipality)}`);
  const asOf = need('as-of');
  // A real day: Date would roll 2026-02-30 over into March.
  const day = /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? new Date(`${asOf}T00:00:00Z`) : undefined;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== asOf) throw new UsageError('--as-of must be a date YYYY-MM-DD');
  const out = need('out');
  if (!/\.(json|csv)$/i.test(out)) throw new UsageError('--out must name a .json or a .csv file');
  const runId = values.get('run-id') ?? randomUUID();
  if (!UUID.test(runId)) throw new UsageError('--run-id must be a UUID');
  const whole = (name: string, fallback: number, max: number) => {
    const n = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
    return n;
  };
  return { population, municipality, asOf, out, runId: runId.toLowerCase(), pageSize: whole('page-size', 200, 500), timeoutSeconds: whole('timeout', 900, 86_400) };
};

/** Writes the result as the file name asks: JSON, or CSV with the exclusion counts beside it. */
export const writeResult = async (file: string, result: OutreachResult): Promise<string[]> => {
  if (/\.json$/i.test(file)) {
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`, 'utf8');
    return [file];
  }
  const exclusionsFile = `${file}.exclusions.json`;
  await writeFile(file, resultToCsv(result), 'utf8');
  await writeFile(exclusionsFile, `${JSON.stringify(result.exclusions, null, 2)}\n`, 'utf8');
  return [file, exclusionsFile];
};

interface Hub {
  readonly ingressUrl: string;
  /** The local operator's client: the run is requested as it. */
  readonly credentials: ClientCredentials;
  readonly store: RunStore;
  readonly where: string;
  /** Puts the run's lost work back (by the usual rule); undefined where the hub's start did it. */
  resume(runId: string): Promise<RunRecovery | undefined>;
  close(): Promise<void>;
}

/** Through a running hub's queues: only what is lost by the usual rule (its work may be in flight). */
const resumeOnRunningHub = async (runId: string): Promise<RunRecovery | undefined> => {
  const hub = await connectRecovery('outreach');
  try {
    return await recoverRun(runId, hub.deps);
  } finally {
    await hub.close();
  }
};

const useHub = async (args: OutreachArgs, note: (line: string) => void): Promise<Hub> => {
  const dir = dataDirPaths(defaultDataDir());
  const running = readRuntimeInfo(dir);
  const population = resolve(args.population);
  if (running) {
    if (running.population !== population) {
      throw new UsageError(`the hub running on ${dir.root} holds ${running.population ?? 'no population'}; stop it, or pass that file`);
    }
    const client = new DynamoDBClient({ endpoint: running.dynamodbEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return {
      ingressUrl: running.ingressUrl,
      credentials: clientCredentials(pkiPaths(dir.root), OPERATOR_CLIENT),
      store: new RunStore(DynamoDBDocumentClient.from(client), localTableName('correlation')),
      where: `the running hub (pid ${running.pid})`,
      resume: resumeOnRunningHub,
      close: async () => client.destroy(),
    };
  }
  await loadPopulation(population); // a clear error for a bad file before anything starts
  note(`starting the embedded runtime on ${dir.root} for the run ...`);
  const runtime: Runtime = await startRuntime({ dataDir: dir.root, population });
  return {
    ingressUrl: runtime.ingressUrl,
    credentials: runtime.credentials(OPERATOR_CLIENT),
    store: new RunStore(DynamoDBDocumentClient.from(runtime.dynamodb), localTableName('correlation')),
    where: 'the embedded runtime',
    // Its start put back what every open run waited for.
    resume: async () => undefined,
    close: () => runtime.stop(),
  };
};

export const outreachCommand = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  if (args.includes('--help')) return (out(OUTREACH_HELP), 0);
  const parsed = parseOutreachArgs(args);
  const hub = await useHub(parsed, out);
  try {
    const existing = await hub.store.getRun(parsed.runId);
    if (existing && (existing.municipality !== parsed.municipality || existing.asOf !== parsed.asOf)) {
      err(`run ${parsed.runId} is municipality ${existing.municipality} as of ${existing.asOf}, not ${parsed.municipality} as of ${parsed.asOf}; nothing written`);
      return 2;
    }
    if (existing?.phase === 'abandoned') {
      err(`run ${parsed.runId} was abandoned (koto-hub trace ${parsed.runId}); nothing written`);
      return 1;
    }
    // Asked for even when it exists: the request's hop (`run-exists`) shows in the run's trace.
    await requestOutreachRun(hub.ingressUrl, hub.credentials, { ...parsed, requestedBy: 'cli' });
    out(`outreach run ${parsed.runId}: municipality ${parsed.municipality}, as of ${parsed.asOf}, through ${hub.where}`);
    if (existing) {
      const recovery = existing.phase === 'delivered' ? undefined : await hub.resume(parsed.runId);
      out(
        existing.phase === 'delivered'
          ? 'the run exists and was delivered already'
          : recovery?.action === 'register-down'
            ? `the run exists and waits for a register that is not answering (see koto-hub status): waiting for it`
            : recovery?.action === 'in-flight'
            ? `the run exists and its work is in flight (silent ${formatAge(recovery.idleSeconds)} of the ${formatAge(recovery.lostAfterSeconds)} after which it counts as lost; koto-hub runs resume ${parsed.runId} puts it back now): waiting for it`
            : `the run exists: resuming it (it waited for ${describeWait(runWaitsFor(existing))})`,
      );
    }
    const bar = progress('candidates decided', (text) => process.stdout.write(text), Boolean(process.stdout.isTTY));
    const run = await awaitRunDelivery(hub.store, parsed.runId, parsed.timeoutSeconds * 1000, (r) =>
      bar.update(r.decided + r.unresolved, r.expected, r.phase === 'fetching-lists' ? '(fetching the lists)' : ''),
    );
    bar.finish();
    if (!run) {
      err(`the run did not complete in ${parsed.timeoutSeconds} s; see koto-hub runs list, koto-hub trace ${parsed.runId} and koto-hub dlq list`);
      return 1;
    }
    if (run.phase === 'abandoned') {
      err(`run ${parsed.runId} was abandoned while we waited; nothing written`);
      return 1;
    }
    if (run.municipality !== parsed.municipality || run.asOf !== parsed.asOf) {
      err(`run ${parsed.runId} is municipality ${run.municipality} as of ${run.asOf}, not ${parsed.municipality} as of ${parsed.asOf}; nothing written`);
      return 2;
    }
    const result = outreachResult.parse(JSON.parse(await readFile(run.location!, 'utf8')));
    const files = await writeResult(parsed.out, result);
    out(`${result.targets.length} targets written to ${files.join(' and ')}`);
    const counts = Object.entries(result.exclusions).map(([code, n]) => `  ${code.padEnd(20)} ${n}`);
    out(counts.length ? `excluded:\n${counts.join('\n')}` : 'excluded: none');
    if (result.unresolved) out(`unresolved: ${result.unresolved} (dead letters: koto-hub dlq list; koto-hub trace ${parsed.runId})`);
    return 0;
  } finally {
    await hub.close();
  }
};
