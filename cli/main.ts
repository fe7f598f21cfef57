/** The `koto-hub` command line: one function per command, each with its own --help. */
import { auditCommand, AUDIT_HELP } from '#cli/commands/audit';
import { UsageError } from '#cli/connection';

export const HELP = `koto-hub — the municipal integration hub's command line

Usage:
  koto-hub audit verify <correlationId>   check the tamper-evident audit chain of a correlation
  koto-hub --help                          this text

Environment:
  KOTO_DATA_DIR   the embedded runtime's data folder (default .koto-hub)

Run the hub itself with npm start.`;

type Command = (args: readonly string[], out: (line: string) => void) => Promise<number>;

const commands: Record<string, { run: Command; help: string }> = {
  audit: { run: auditCommand, help: AUDIT_HELP },
};

export const main = async (argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> => {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') return (out(HELP), 0);
  const command = commands[name];
  if (!command) return (err(`koto-hub: unknown command ${name} (see koto-hub --help)`), 2);
  try {
    return await command.run(args, out);
  } catch (error) {
    if (error instanceof UsageError) return (err(`koto-hub ${name}: ${error.message}`), 2);
    err(`koto-hub ${name}: ${error instanceof Error ? error.message.split('\n')[0] : 'failed'}`);
    return 2;
  }
};
