/**
 * What an EventBridge schedule does for a function in AWS, on one machine: the handler is invoked
 * with a `ScheduledEvent` every period (the topology's `everyMinutes`, or a shorter one for local
 * runs), never while its previous invocation still runs — a tick that finds one running is
 * skipped, as a slow poll must not pile up. `trigger` runs one invocation now (after the running
 * one, if any) and resolves with its result. Invocations count in the runner's statistics like
 * those of queue-fed functions; one that throws or runs past the timeout counts as an error.
 *
 * Time is the scheduler's clock (`clock`; wall-clock time by default): an invocation's event `time`,
 * its remaining time and its timeout, so a test decides how much time a scheduled function sees
 * pass, and when, instead of waiting.
 */
import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import {
  InvocationTimeout,
  invokeWithLogContext,
  lambdaContext,
  newFunctionStats,
  recordInvocation,
  wallClock,
  type FunctionStats,
  type RunnerClock,
} from '#infra/local/runner';

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export interface ScheduleRun {
  readonly functionName: string;
  /** Milliseconds between invocations; 0 for none but those triggered. */
  readonly everyMs: number;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly handler: ScheduledHandler;
}

interface Entry {
  readonly run: ScheduleRun;
  /** Settles when the last invocation asked for has ended (past its timeout, if it ran over). */
  tail: Promise<void>;
  /** Invocations asked for and not yet ended. */
  pending: number;
  timer?: NodeJS.Timeout;
}

const noop = (): void => undefined;

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;

  constructor(
    /** The runner's statistics, so that the status shows scheduled functions beside the others. */
    private readonly stats: Map<string, FunctionStats>,
    private readonly region: string,
    private readonly options: { readonly onEvent?: (line: string) => void; readonly clock?: RunnerClock } = {},
  ) {}

  private get clock(): RunnerClock {
    return this.options.clock ?? wallClock;
  }

  start(run: ScheduleRun): void {
    this.stats.set(run.functionName, newFunctionStats());
    const entry: Entry = { run, tail: Promise.resolve(), pending: 0 };
    this.entries.set(run.functionName, entry);
    if (run.everyMs > 0) this.arm(entry);
  }

  /** Runs one invocation of `functionName` now, after the one running; resolves with its result. */
  trigger(functionName: string): Promise<unknown> {
    const entry = this.entries.get(functionName);
    if (!entry) return Promise.reject(new Error(`${functionName} is not a scheduled function of this runtime`));
    if (this.stopped) return Promise.reject(new Error('the runtime is stopping'));
    return this.enqueue(entry);
  }

  /** No more ticks; resolves when every invocation asked for has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    await Promise.all([...this.entries.values()].map((entry) => entry.tail));
  }

  private arm(entry: Entry): void {
    entry.timer = setTimeout(() => {
      if (this.stopped) return;
      if (entry.pending === 0) this.enqueue(entry).catch(noop);
      this.arm(entry);
    }, entry.run.everyMs);
  }

  private enqueue(entry: Entry): Promise<unknown> {
    entry.pending++;
    let ended: Promise<unknown> = Promise.resolve();
    const result = entry.tail.then(() => {
      const invocation = this.invoke(entry.run);
      ended = invocation.ended;
      return invocation.result;
    });
    entry.tail = result
      .then(noop, noop)
      .then(() => ended)
      .then(noop, noop)
      .then(() => {
        entry.pending--;
      });
    return result;
  }

  private invoke(run: ScheduleRun): { result: Promise<unknown>; ended: Promise<unknown> } {
    const stats = this.stats.get(run.functionName)!;
    const clock = this.clock;
    const started = clock.now();
    const timeoutMs = run.timeoutSeconds * 1000;
    stats.inFlight++;
    const handled = Promise.resolve().then(() =>
      invokeWithLogContext(run.handler, this.event(run, started), lambdaContext(run, started + timeoutMs, () => clock.now())),
    );
    // Counted as in flight until the handler really ends, even after its timeout was reported.
    const ended = handled.then(noop, noop).then(() => {
      stats.inFlight--;
    });
    const over = new AbortController();
    const result = Promise.race([
      handled,
      // Ends, resolving, once the invocation is over, whichever way (`over`).
      clock.sleep(timeoutMs, over.signal).then(() => {
        if (!over.signal.aborted) throw new InvocationTimeout(`${run.functionName} ran past its timeout of ${run.timeoutSeconds}s`);
      }),
    ]).then(
      (value) => {
        over.abort();
        recordInvocation(stats, 1, 0, clock.now() - started, clock.now());
        return value;
      },
      (error: unknown) => {
        over.abort();
        if (error instanceof InvocationTimeout) {
          stats.timeouts++;
          this.options.onEvent?.(`${run.functionName}: scheduled invocation timed out after ${run.timeoutSeconds}s`);
        } else {
          stats.errors++;
          this.options.onEvent?.(`${run.functionName}: scheduled invocation failed (${error instanceof Error ? error.name : 'error'})`);
        }
        recordInvocation(stats, 1, 1, clock.now() - started, clock.now());
        throw error;
      },
    );
    return { result, ended };
  }

  private event(run: ScheduleRun, at: number): ScheduledEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date(at).toISOString(),
      region: this.region,
      resources: [`arn:aws:events:${this.region}:000000000000:rule/${run.functionName}-schedule`],
      detail: {},
    };
  }
}
