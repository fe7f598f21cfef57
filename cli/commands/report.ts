/** `koto-hub report [--json]`: counts per municipality and month, no personal data (ops/report.ts). */
import { connectToHub } from '#cli/connection';
import { noMorePositionals, parseCommandArgs } from '#cli/args';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { reportCsv, reportRows } from '#ops/report';
import { allItems, scanItems } from '#lib/dynamo-pages';

export const REPORT_HELP = `koto-hub report [--json]

Per municipality and month, counts of what passed through the hub: outreach targets decided (a
run's, by the run's month; a referral's or a move's, by the month it was decided), and the
assessments, plans, reviews and service completions stored in a national system (by the month the
system stored them). Counts only: no identity code, name or record id.

  --json   the rows as a JSON array instead of CSV (header line, CRLF line ends)

Reads the hub's correlation table (the data folder KOTO_DATA_DIR, default .koto-hub). Exits 0, or 2
on bad arguments or no hub data.`;

export const reportCommand = async (args: readonly string[], out: (line: string) => void): Promise<number> => {
  const { positionals, options, help } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (help) return (out(REPORT_HELP), 0);
  noMorePositionals(positionals, 0);
  const connection = await connectToHub();
  try {
    const items = await allItems(scanItems(documentClient(), { TableName: tableName('correlation') }));
    const rows = reportRows(items);
    out(options.json === true ? JSON.stringify(rows, null, 2) : reportCsv(rows).trimEnd());
    return 0;
  } finally {
    await connection.close();
  }
};
