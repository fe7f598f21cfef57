/** The `koto-hub` command line: one function per command, each with its own --help. */
import { auditCommand, AUDIT_HELP } from '#cli/commands/audit';
import { claimsCommand, CLAIMS_HELP } from '#cli/commands/claims';
import { clientsCommand, CLIENTS_HELP } from '#cli/commands/clients';
import { dlqCommand, DLQ_HELP } from '#cli/commands/dlq';
import { outreachCommand, OUTREACH_HELP } from '#cli/commands/outreach';
import { reportCommand, REPORT_HELP } from '#cli/commands/report';
import { runsCommand, RUNS_HELP } from '#cli/commands/runs';
import { statusCommand, STATUS_HELP } from '#cli/commands/status';
import { traceCommand, TRACE_HELP } from '#cli/commands/trace';
import { UsageError } from '#cli/connection';
import { scrubText } from '#lib/pii';

export const HELP = `koto-hub — the municipal integration hub's command line

Usage:
  koto-hub outreach --population FILE --municipality M --as-of D --out RESULT
                                          run one outreach and write its target list (.json or .csv)
  koto-hub audit verify <correlationId>   check the tamper-evident audit chain of a correlation
  koto-hub audit verify --since <time>    check every chain with records since a time
  koto-hub audit export <correlationId>   the correlation's audit records as JSON lines
  koto-hub trace <correlationId> [--json] every hop of a correlation as a tree, failures marked
  koto-hub trace --person <HETU|->        the correlations concerning a person (by keyed hash)
  koto-hub dlq list                       every DLQ with its depth and oldest age
  koto-hub dlq show <queue> [--limit N]   the dead letters of a queue with their reasons
  koto-hub dlq redrive <queue> (--message <id> | --all [--rate N])
                                          put dead letters back on their queue, audited
  koto-hub status [--watch] [--json]      queue depths and function counters of the running hub
  koto-hub runs list [--json]             open outreach runs, what each waits for, stalled ones marked
  koto-hub runs resume|abandon <run id>   put a run's outstanding work back now, or give it up, audited
  koto-hub clients add|list|show|revoke   the systems that may call the hub, and their certificates
  koto-hub report [--json]                counts per municipality and month (targets, records stored), CSV
  koto-hub claims import FILE --municipality M --business-id Y [--skip-bad]
                                          a finance officer's CSV of cost rows into the claims flow
  koto-hub claims status --municipality M [--year Y] [--json]
                                          each claim's state and sums, flags, each batch reconciled
  koto-hub <command> --help               more about a command
  koto-hub --help                          this text

Environment:
  KOTO_DATA_DIR   the embedded runtime's data folder (default .koto-hub)

Run the hub itself with npm start.`;

type Command = (args: readonly string[], out: (line: string) => void, err: (line: string) => void) => Promise<number>;

const commands: Record<string, { run: Command; help: string }> = {
  outreach: { run: outreachCommand, help: OUTREACH_HELP },
  audit: { run: auditCommand, help: AUDIT_HELP },
  trace: { run: traceCommand, help: TRACE_HELP },
  dlq: { run: dlqCommand, help: DLQ_HELP },
  status: { run: statusCommand, help: STATUS_HELP },
  runs: { run: runsCommand, help: RUNS_HELP },
  clients: { run: clientsCommand, help: CLIENTS_HELP },
  report: { run: reportCommand, help: REPORT_HELP },
  claims: { run: claimsCommand, help: CLAIMS_HELP },
};

export const main = async (argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> => {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') return (out(HELP), 0);
  const command = commands[name];
  if (!command) return (err(`koto-hub: unknown command ${name} (see koto-hub --help)`), 2);
  try {
    return await command.run(args, out, err);
  } catch (error) {
    if (error instanceof UsageError) return (err(`koto-hub ${name}: ${error.message}`), 2);
    err(`koto-hub ${name}: ${error instanceof Error ? scrubText(error.message.split('\n')[0]!) : 'failed'}`);
    return 2;
  }
};
