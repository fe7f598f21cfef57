/**
 * `koto-hub claims import FILE --municipality M --business-id Y [--skip-bad]`: the finance
 * officer's CSV of cost rows (contracts/claims/csv.ts) into the same pipeline a finance system's
 * `claims.costs.submitted.v1` takes (docs/DESIGN.md "Compensation claims"): posted through the door
 * of the hub running on the data folder, as the local operator's client, in batches of at most 500
 * rows. Every bad line is reported by number and column, never with its value; a file with a bad
 * line imports nothing unless --skip-bad is given.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isValidBusinessId } from '#contracts/business-id';
import { MAX_ROWS_PER_BATCH, type CostRowV1 } from '#contracts/claims/cost-rows';
import { parseCostRowsCsv } from '#contracts/claims/csv';
import { isMunicipalityCode, municipalityCodeProblem } from '#contracts/municipalities';
import { dataDirPaths, defaultDataDir, readRuntimeInfo } from '#infra/local/data-dir';
import { postEnvelopes } from '#infra/local/door-client';
import { clientCredentials, OPERATOR_CLIENT } from '#infra/local/local-clients';
import { pkiPaths } from '#infra/local/pki';
import { formatFinnishEuros } from '#contracts/claims/money';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { claimsStatus, type ClaimsStatus } from '#ops/claims-status';
import { integerOption, noMorePositionals, parseCommandArgs } from '#cli/args';
import { connectToHub, UsageError } from '#cli/connection';
import { allItems, queryItems } from '#lib/dynamo-pages';

export const CLAIMS_HELP = `koto-hub claims import FILE --municipality M --business-id Y [--skip-bad]
koto-hub claims status --municipality M [--year Y] [--no-decision-days N] [--json]

Imports a CSV file of cost rows for the state's compensation (Act 681/2023 ch. 8) into the hub
running on this data folder, as the municipality's finance system would post them: each row is
judged against UMA by the compensation rules, the accepted rows are grouped into claims, and each
row's verdict (accepted into a claim, or refused with one reason code) goes to M's inbox.

The file: UTF-8, fields separated by ;, a header row naming tosite, henkilotunnus, korvauslaji,
alkupvm, loppupvm and summa (euros with a decimal comma). Every bad line is reported by its number
and column, never with its value. A file with a bad line imports nothing unless --skip-bad is given.
Importing the same file again for M changes nothing (its batches are named by the file's content).

  --municipality M   the municipality the costs are its (three digits)
  --business-id Y    the municipality's business ID (Y-tunnus), carried by every message about money
  --skip-bad         import the good lines of a file with bad ones

claims status shows each claim of M (of year Y's half-years) with its state and sums in euros —
claimed, decided by YA, paid — flagged NO_DECISION when YA has not decided it N days (default 90,
KOTO_CLAIMS_NO_DECISION_DAYS) after it was made, and PAYMENT_DIFFERS when the payment is not the
decided sum; and each batch's reconciliation: rows in = accepted + refused, accepted = its claims.
It reads the hub's tables (the running hub of the data folder, or its stored data).

Exit codes: import 0 imported, 1 bad lines and nothing imported, or no good line; status 0, or 1
when a claim is flagged or a batch does not reconcile; 2 bad arguments or no hub.`;

/** Batch ids named by the municipality and the file's content: a file imported twice is a duplicate. */
export const batchIdsOf = (municipality: string, content: string, batches: number): string[] => {
  const digest = createHash('sha256').update(`${municipality}\n${content}`).digest('hex').slice(0, 16);
  return Array.from({ length: batches }, (_, i) => `csv-${digest}-${i + 1}`);
};

const importCsv = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  const { positionals, options } = parseCommandArgs(args, { municipality: { type: 'string' }, 'business-id': { type: 'string' }, 'skip-bad': { type: 'boolean' } });
  noMorePositionals(positionals, 1);
  const [file] = positionals;
  if (!file) throw new UsageError('name the CSV file to import');
  if (!existsSync(file)) throw new UsageError('the CSV file does not exist');
  const municipality = options.municipality;
  if (!municipality) throw new UsageError('--municipality is required');
  if (!isMunicipalityCode(municipality)) throw new UsageError(`--municipality: ${municipalityCodeProblem(municipality)}`);
  const businessId = options['business-id'];
  if (!businessId) throw new UsageError('--business-id is required');
  if (!isValidBusinessId(businessId)) throw new UsageError('--business-id must be a business ID (Y-tunnus) like 0209602-6 with a matching check digit');

  const content = readFileSync(file, 'utf8');
  const { rows, problems } = parseCostRowsCsv(content);
  for (const p of problems) err(`line ${p.line}, column ${p.column}: ${p.message}`);
  const badLines = new Set(problems.map((p) => p.line)).size;
  if (problems.length > 0 && options['skip-bad'] !== true) {
    err(`nothing imported: ${badLines} bad line${badLines === 1 ? '' : 's'}; correct them, or give --skip-bad to import the ${rows.length} good one${rows.length === 1 ? '' : 's'}`);
    return 1;
  }
  if (rows.length === 0) return (err('nothing imported: the file has no good line'), 1);

  const dir = dataDirPaths(defaultDataDir());
  const running = readRuntimeInfo(dir);
  if (!running) throw new UsageError(`no hub runs on ${dir.root}: start one with npm start`);
  const batches: CostRowV1[][] = [];
  for (let i = 0; i < rows.length; i += MAX_ROWS_PER_BATCH) batches.push(rows.slice(i, i + MAX_ROWS_PER_BATCH).map((r) => r.row));
  const ids = batchIdsOf(municipality, content, batches.length);
  for (const [i, batch] of batches.entries()) {
    const response = await postEnvelopes(running.ingressUrl, clientCredentials(pkiPaths(dir.root), OPERATOR_CLIENT), {
      messageId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      type: 'claims.costs.submitted.v1',
      target: 'hub',
      municipality,
      occurredAt: new Date().toISOString(),
      payload: { batchId: ids[i], businessId, rows: batch },
    });
    if (response.status !== 202) {
      err(`the hub refused batch ${ids[i]} (${response.status}): ${JSON.stringify(response.body)}`);
      return 2;
    }
  }
  out(`imported ${rows.length} row${rows.length === 1 ? '' : 's'} for ${municipality} in ${batches.length} batch${batches.length === 1 ? '' : 'es'} (${ids.join(', ')})`);
  if (badLines > 0) out(`skipped ${badLines} bad line${badLines === 1 ? '' : 's'}`);
  out(`each row's verdict goes to ${municipality}'s inbox (claims.row.decided.v1)`);
  return 0;
};

const euros = (cents: number | null): string => (cents === null ? '–' : formatFinnishEuros(cents));

export const renderClaimsStatus = (status: ClaimsStatus): string[] => [
  `claims of ${status.municipality}: ${status.claims.length}`,
  ...status.claims.map(
    (c) =>
      `  ${c.claimNumber}  ${c.compensationType} ${c.period}  ${c.state}  ${c.rows} rows  claimed ${euros(c.claimedCents)}  decided ${euros(c.decidedCents)}  paid ${euros(c.paidCents)}${c.flags.length ? `  ${c.flags.join(' ')}` : ''}`,
  ),
  `  total claimed ${euros(status.totals.claimedCents)}  decided ${euros(status.totals.decidedCents)}  paid ${euros(status.totals.paidCents)}`,
  `batches: ${status.batches.length}`,
  ...status.batches.map(
    (b) =>
      `  ${b.batchId} (${b.receivedOn})  in ${b.sums.in.rows} rows ${euros(b.sums.in.cents)} = accepted ${b.sums.accepted.rows} ${euros(b.sums.accepted.cents)} + refused ${b.sums.refused.rows} ${euros(b.sums.refused.cents)}; claims ${euros(b.claimsCents)}  ${b.reconciles ? 'reconciles' : 'DOES NOT RECONCILE'}`,
  ),
];

const status = async (args: readonly string[], out: (line: string) => void): Promise<number> => {
  const { positionals, options } = parseCommandArgs(args, {
    municipality: { type: 'string' },
    year: { type: 'string' },
    'no-decision-days': { type: 'string' },
    json: { type: 'boolean' },
  });
  noMorePositionals(positionals, 0);
  const municipality = options.municipality;
  if (!municipality) throw new UsageError('--municipality is required');
  if (!isMunicipalityCode(municipality)) throw new UsageError(`--municipality: ${municipalityCodeProblem(municipality)}`);
  if (options.year !== undefined && !/^\d{4}$/.test(options.year)) throw new UsageError('--year must be a year like 2026');
  const noDecisionDays = integerOption(options['no-decision-days'] ?? process.env.KOTO_CLAIMS_NO_DECISION_DAYS, 'no-decision-days', 90, 1, 3650);
  const connection = await connectToHub();
  try {
    const items = await allItems(
      queryItems(documentClient(), { TableName: tableName('correlation'), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `CLAIMS#${municipality}` } }),
    );
    const result = claimsStatus(items, { municipality, today: new Date().toISOString().slice(0, 10), noDecisionDays, ...(options.year ? { year: options.year } : {}) });
    if (options.json === true) out(JSON.stringify(result, null, 2));
    else for (const line of renderClaimsStatus(result)) out(line);
    return result.claims.some((c) => c.flags.length > 0) || result.batches.some((b) => !b.reconciles) ? 1 : 0;
  } finally {
    await connection.close();
  }
};

export const claimsCommand = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') return (out(CLAIMS_HELP), 0);
  if (sub === 'import') return importCsv(rest, out, err);
  if (sub === 'status') return status(rest, out);
  throw new UsageError('unknown subcommand (see koto-hub claims --help)');
};
