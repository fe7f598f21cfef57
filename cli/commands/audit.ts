/**
 * `koto-hub audit verify <correlationId> | --since <time>`: recomputes audit chains;
 * `koto-hub audit export <correlationId>`: the records of a correlation as JSON lines for an auditor.
 */
import { readCorrelation } from '#lib/audit/store';
import { correlationsSince } from '#ops/audit/query';
import { verifyChain } from '#ops/audit/verify';
import { auditKey } from '#lib/audit/key';
import { DIGESTED_FIELDS, type AuditRecord } from '#lib/audit/record';
import { scrubValue } from '#lib/pii';
import { connectToHub, UsageError } from '#cli/connection';
import { noMorePositionals, parseCommandArgs, UUID } from '#cli/args';

export const AUDIT_HELP = `koto-hub audit verify <correlationId>
koto-hub audit verify --since <time>
koto-hub audit export <correlationId>

verify   recomputes the digest of every audit record of the correlation and checks each record's
         link to the record of the message that caused it. Exits 0 when the chain is whole, 1
         naming each broken link when it is not.
         With --since, verifies every correlation that has a record at or after the time
         (ISO-8601: 2026-11-01, or 2026-11-01T08:00:00Z with its offset); a scan of the audit
         table. Exits 0 when every chain is whole (or there is none), 1 naming the broken ones.
export   prints the correlation's audit records as JSON lines, oldest first, for an auditor:
         ids, type, from, to, stage, outcome, reason, keyed hash of the subject, payload digest,
         the chain's digests and times. The records hold no personal data; each line still goes
         through the HETU scrubber. Exits 1 when the correlation has no records.

Exits 2 on bad arguments or an unreachable hub. Reads the running hub of the data folder
(KOTO_DATA_DIR, default .koto-hub), or its stored tables when none runs.`;

/** The order of fields in an exported line: the digested fields as the digest reads them, then the rest. */
const EXPORT_FIELDS = [...DIGESTED_FIELDS, 'digest', 'occurredAt', 'recordedAt', 'durationMs', 'expiresAt'] as const satisfies readonly (keyof AuditRecord)[];

const byTime = (a: AuditRecord, b: AuditRecord) =>
  a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : a.hop < b.hop ? -1 : a.hop > b.hop ? 1 : 0;

/** One exported line: the fields in a fixed order (unknown extra fields after them), through the scrubber. */
export const exportLine = (record: AuditRecord): { line: string; scrubbed: boolean } => {
  const ordered: Record<string, unknown> = {};
  for (const field of EXPORT_FIELDS) ordered[field] = record[field] ?? null;
  for (const [field, value] of Object.entries(record)) if (!(field in ordered)) ordered[field] = value;
  const plain = JSON.stringify(ordered);
  const line = JSON.stringify(scrubValue(ordered));
  return { line, scrubbed: line !== plain };
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** `--since` as the instant `recordedAt` is compared with (UTC, as Date.toISOString writes it). */
export const sinceInstant = (value: string): string => {
  const time = ISO_TIME.test(value) ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN;
  if (!Number.isFinite(time)) throw new UsageError('--since takes an ISO-8601 time: 2026-11-01, or 2026-11-01T08:00:00Z with its offset');
  return new Date(time).toISOString();
};

const verifyOne = async (correlationId: string, out: (line: string) => void): Promise<number> => {
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

const verifySince = async (since: string, out: (line: string) => void): Promise<number> => {
  const connection = await connectToHub();
  try {
    const correlations = await correlationsSince(since);
    if (correlations.length === 0) {
      out(`no audit records since ${since} in ${connection.where}`);
      return 0;
    }
    const key = await auditKey();
    let records = 0;
    const broken: string[] = [];
    for (const correlationId of correlations) {
      const result = verifyChain(await readCorrelation(correlationId), key);
      records += result.records;
      if (!result.ok) broken.push(correlationId, ...result.broken.map((link) => `  ${link.hop}: ${link.problem} — ${link.detail}`));
    }
    const count = correlations.length;
    if (broken.length === 0) {
      out(`audit chains of ${count} correlations with records since ${since}: ${records} records, every link intact`);
      return 0;
    }
    const failing = broken.filter((line) => !line.startsWith(' ')).length;
    out(`audit chains since ${since}: ${failing} of ${count} correlations BROKEN (${records} records):`);
    for (const line of broken) out(line.startsWith(' ') ? `  ${line}` : `  correlation ${line}:`);
    return 1;
  } finally {
    await connection.close();
  }
};

const exportCorrelation = async (correlationId: string, out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  const connection = await connectToHub();
  try {
    const records = (await readCorrelation(correlationId)).sort(byTime);
    if (records.length === 0) {
      err(`no audit records for correlation ${correlationId} in ${connection.where}`);
      return 1;
    }
    let masked = 0;
    for (const record of records) {
      const { line, scrubbed } = exportLine(record);
      if (scrubbed) masked++;
      out(line);
    }
    if (masked > 0) err(`warning: ${masked} records carried HETU-shaped text, masked in the export (they will not verify as exported)`);
    return 0;
  } finally {
    await connection.close();
  }
};

export const auditCommand = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void = console.error): Promise<number> => {
  const { positionals, options, help } = parseCommandArgs(args, { since: { type: 'string' } });
  if (help) return (out(AUDIT_HELP), 0);
  const [sub, correlationId] = positionals;
  if (sub === 'verify' && options.since !== undefined) {
    if (correlationId !== undefined) throw new UsageError('give a correlation id or --since, not both');
    return verifySince(sinceInstant(options.since), out);
  }
  if (sub !== 'verify' && sub !== 'export') throw new UsageError('usage: koto-hub audit verify <correlationId>|--since <time>, or audit export <correlationId>');
  if (options.since !== undefined) throw new UsageError('--since goes with audit verify');
  if (!correlationId || !UUID.test(correlationId)) throw new UsageError(`audit ${sub} needs a correlation id (a UUID)`);
  noMorePositionals(positionals, 2);
  return sub === 'verify' ? verifyOne(correlationId, out) : exportCorrelation(correlationId, out, err);
};
