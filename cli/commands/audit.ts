/** `koto-hub audit verify <correlationId>`: recomputes the audit chain of one correlation. */
import { readCorrelation } from '#lib/audit/store';
import { verifyChain } from '#lib/audit/verify';
import { auditKey } from '#lib/audit/key';
import { connectToHub, UsageError } from '#cli/connection';

export const AUDIT_HELP = `koto-hub audit verify <correlationId>

Recomputes the digest of every audit record of the correlation and checks each record's link to
the record of the message that caused it. Exits 0 when the chain is whole, 1 naming each broken
link when it is not, 2 on bad arguments or an unreachable hub.

Reads the running hub of the data folder (KOTO_DATA_DIR, default .koto-hub), or its stored tables
when none runs.`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const auditCommand = async (args: readonly string[], out: (line: string) => void): Promise<number> => {
  const [sub, correlationId] = args;
  if (sub !== 'verify' || args.includes('--help')) {
    if (args.includes('--help')) return (out(AUDIT_HELP), 0);
    throw new UsageError('usage: koto-hub audit verify <correlationId>');
  }
  if (!correlationId || !UUID.test(correlationId)) throw new UsageError('audit verify needs a correlation id (a UUID)');
  const connection = await connectToHub();
  try {
    const records = await readCorrelation(correlationId);
    if (records.length === 0) {
      out(`no audit records for correlation ${correlationId} in ${connection.where}`);
      return 1;
    }
    const result = verifyChain(records, await auditKey());
    if (result.ok) {
      out(`audit chain of ${correlationId}: ${result.records} records, every link intact`);
      return 0;
    }
    out(`audit chain of ${correlationId} is BROKEN (${result.broken.length} of ${result.records} records):`);
    for (const link of result.broken) out(`  ${link.hop}: ${link.problem} — ${link.detail}`);
    return 1;
  } finally {
    await connection.close();
  }
};
