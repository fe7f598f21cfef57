/** `koto-hub trace`: where a request's messages went, hop by hop, and the correlations of a person. */
import { parseHetu } from '#contracts/hetu';
import { hashHetu } from '#lib/audit/key';
import { readCorrelation } from '#lib/audit/store';
import { readBySubject } from '#ops/audit/query';
import { buildTrace, correlationsOf } from '#ops/audit/trace';
import { scrubText } from '#lib/pii';
import { connectToHub, UsageError } from '#cli/connection';
import { noMorePositionals, parseCommandArgs, UUID } from '#cli/args';
import { renderCorrelations, renderTrace } from '#cli/render';

export const TRACE_HELP = `koto-hub trace <correlationId> [--json]
koto-hub trace --person <HETU | -> [--json]

The first form prints every audit record of the correlation as a tree that follows causation
(each record under the record of the hop that produced its message; roots first, children in
the order they were recorded). Each line: time recorded, stage (the function, ingress or
dlq-redrive), source -> target, message type, outcome and duration. A failed hop is marked
(✗ RETRY, ✗ DEAD-LETTER) with its reason on the line below; a redrive is marked ↻ redriven.

The second form lists the correlations concerning a person. The code is checked, hashed with the
audit key (the keyed hash the audit log holds) and looked up by that hash; it is never stored or
printed. Give - to read the code from standard input rather than the command line.

  --json   the trace as JSON ({ correlationId, summary, roots: [{ ..., children }] }), or
           { correlations: [{ correlationId, records, failed, firstRecordedAt, lastRecordedAt, types }] }

Exits 0 when records were found, 1 when there are none, 2 on bad arguments or an unreachable hub.
Reads the running hub of the data folder (KOTO_DATA_DIR, default .koto-hub), or its stored tables
when none runs.`;

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
};

const tracePerson = async (code: string, json: boolean, out: (line: string) => void, err: (line: string) => void): Promise<number> => {
  const parsed = parseHetu(code);
  // The message says what is wrong with the code, never what it was.
  if (!parsed.ok) throw new UsageError(`--person: ${parsed.error.message}`);
  const connection = await connectToHub();
  try {
    const { records, scanned } = await readBySubject(await hashHetu(parsed.hetu.code));
    if (scanned) {
      err(`note: the audit table in ${connection.where} has no bySubject index (it was made before the index existed), so the whole table was scanned (removing the data folder's dynamodb/ gives the next start the index, and discards the stored tables)`);
    }
    const hits = correlationsOf(records);
    if (json) out(JSON.stringify({ correlations: hits }, null, 2));
    else for (const line of renderCorrelations(hits)) out(line);
    return hits.length > 0 ? 0 : 1;
  } finally {
    await connection.close();
  }
};

export const traceCommand = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void = console.error): Promise<number> => {
  const { positionals, options, help } = parseCommandArgs(args, { json: { type: 'boolean' }, person: { type: 'string' } });
  if (help) return (out(TRACE_HELP), 0);
  const json = options.json === true;
  if (options.person !== undefined) {
    if (positionals.length > 0) throw new UsageError('give a correlation id or --person, not both');
    return tracePerson(options.person === '-' ? await readStdin() : options.person, json, out, err);
  }
  const [correlationId] = positionals;
  if (!correlationId || !UUID.test(correlationId)) throw new UsageError('trace needs a correlation id (a UUID), or --person <HETU>');
  noMorePositionals(positionals, 1);
  const connection = await connectToHub();
  try {
    const records = await readCorrelation(correlationId);
    if (records.length === 0) {
      (json ? err : out)(`no audit records for correlation ${correlationId} in ${connection.where}`);
      return 1;
    }
    const trace = buildTrace(correlationId, records);
    // The records hold only hashes and codes; the scrubber stays as a last guard all the same.
    // (On the JSON text, not the tree: scrubValue stops at a depth a long chain of hops exceeds.)
    if (json) out(scrubText(JSON.stringify(trace, null, 2)));
    else for (const line of renderTrace(trace)) out(scrubText(line));
    return 0;
  } finally {
    await connection.close();
  }
};
