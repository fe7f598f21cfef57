/** `koto-hub status [--watch] [--json]`: the running hub's queues and functions at a glance. */
import type { HubStatus } from '#infra/local/status';
import { UsageError } from '#cli/connection';
import { integerOption, noMorePositionals, parseCommandArgs } from '#cli/args';
import { fetchStatus, HubUnavailable, requireRunningHub } from '#cli/running-hub';
import { renderStatus } from '#cli/render';

export const STATUS_HELP = `koto-hub status [--watch [--count N]] [--json]

The running hub's status (its GET /status): per queue the depth, messages in flight, age of the
oldest message, DLQ depth, age of the oldest dead letter and consuming function; per function
invocations, records, failed records, errors (crashed invocations), timeouts, invocations in
flight, average duration and throughput (records a minute over the last five minutes); the
outreach runs not yet delivered with their phase and progress (candidates decided or
unresolved of those expected) and when they last moved; the wellbeing requests whose answers
are still read (kind, municipality, county, people answered of those asked, deadline, overdue);
the circuit breaker of each register
(open while it is down: it is not called and its work waits on its queue, probed at a growing
interval).

The age of a queue's oldest message is that of the oldest message its function has received
and not finished with (being handled, or waiting for a retry): a live queue is not peeked, as
a receive would count towards the message's maxReceiveCount. '-' when there is none, or no
function consumes the queue on this hub. A DLQ is peeked (its first 100 messages).
The same status is on the ops page: open the URL npm start prints (ops page).

  --watch    refresh every 2 s until Ctrl-C: redrawn in place on a terminal, successive
             snapshots (a blank line between) when the output is not a terminal
  --count N  with --watch: stop after N snapshots
  --json     the status as JSON ({ at, queues: [...], functions: [...], runs: [...], wellbeing: [...], breakers: [...] }); with --watch one
             JSON document per line

Needs a running hub (npm start) of the data folder (KOTO_DATA_DIR, default .koto-hub). Exits 0,
or 2 on bad arguments or when no hub runs or it stops answering.`;

export interface WatchTerminal {
  readonly isTTY: boolean;
  readonly intervalMs: number;
}

/** ANSI: cursor home and clear the screen, so each snapshot replaces the last one. */
const REDRAW = '\u001b[H\u001b[2J';

const snapshot = (status: HubStatus, where: string, json: boolean, compact: boolean): string =>
  json ? JSON.stringify(status, null, compact ? undefined : 2) : renderStatus(status, where).join('\n');

export const statusCommand = async (
  args: readonly string[],
  out: (line: string) => void,
  _err: (line: string) => void = console.error,
  terminal: WatchTerminal = { isTTY: process.stdout.isTTY === true, intervalMs: 2000 },
): Promise<number> => {
  const { positionals, options, help } = parseCommandArgs(args, { watch: { type: 'boolean' }, json: { type: 'boolean' }, count: { type: 'string' } });
  if (help) return (out(STATUS_HELP), 0);
  noMorePositionals(positionals, 0);
  if (options.count !== undefined && !options.watch) throw new UsageError('--count goes with --watch');
  const count = integerOption(options.count, 'count', Number.POSITIVE_INFINITY, 1, 1_000_000);
  const json = options.json === true;
  if (process.env.KOTO_TABLE_AUDIT && !process.env.KOTO_DATA_DIR) {
    throw new HubUnavailable('status reads a running embedded hub; in AWS the CloudWatch dashboard shows the same');
  }
  const running = requireRunningHub('status');
  const where = `the running hub, pid ${running.pid}`;
  if (!options.watch) {
    out(snapshot(await fetchStatus(running), where, json, false));
    return 0;
  }

  let stopped = false;
  let wake: () => void = () => undefined;
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  try {
    for (let shown = 0; shown < count && !stopped; ) {
      let status: HubStatus;
      try {
        status = await fetchStatus(running);
      } catch (error) {
        if (stopped) break;
        throw new HubUnavailable(`the hub stopped answering: ${error instanceof Error ? error.message : 'no answer'}`);
      }
      if (stopped) break;
      if (terminal.isTTY) {
        out(`${REDRAW}${snapshot(status, where, json, false)}\n\nrefreshing every ${terminal.intervalMs / 1000} s; Ctrl-C to stop`);
      } else {
        out(`${shown > 0 && !json ? '\n' : ''}${snapshot(status, where, json, true)}`);
      }
      shown++;
      if (shown < count) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, terminal.intervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
  return 0;
};
