/**
 * The finance officer's CSV import of cost rows (`koto-hub claims import FILE --municipality M`):
 * the file a finance system (Unit4, Abilita, …) or a spreadsheet exports, read into the same cost
 * rows `claims.costs.submitted.v1` carries. The format is the hub's (README "Compensation claims"):
 *
 * - UTF-8 (a byte order mark is skipped), fields separated by `;` — a Finnish spreadsheet's
 *   separator, since the comma is its decimal sign — quoted with `"` as RFC 4180 says (`""` inside);
 * - a header row naming the columns, in any order, case-insensitive: `tosite` (voucher reference),
 *   `henkilotunnus` (HETU; empty for `PREPAREDNESS`), `korvauslaji` (compensation type),
 *   `alkupvm`, `loppupvm` (first and last day, `1.9.2026` or `2026-09-01`), `summa` (euros with a
 *   decimal comma, `1 284,50`); other columns are ignored, empty lines skipped.
 *
 * Every bad row is reported by its line number (where the record starts; the header is line 1)
 * and column, and every bad column of it, never with the value: the column may hold a HETU.
 *
 * Hand-written, not a library: the CSV libraries in reach (csv-parse, papaparse) are not
 * dependencies of the hub, and what they add over this tokenizer — streaming, type casting — is
 * what must not be used here: their number casts go through `parseFloat`, and csv-parse's errors
 * carry the offending record, which may hold a HETU. The tokenizer is the RFC 4180 grammar and nothing else; the amounts go through
 * `parseFinnishEuros`, which never makes a float.
 */
import { costRowV1, voucherSchema, type CostRowV1 } from '#contracts/claims/cost-rows';
import { compensationTypes, type CompensationType } from '#contracts/claims/compensation';
import { parseFinnishEuros } from '#contracts/claims/money';

export const CSV_COLUMNS = {
  voucher: 'tosite',
  hetu: 'henkilotunnus',
  compensationType: 'korvauslaji',
  from: 'alkupvm',
  to: 'loppupvm',
  amountCents: 'summa',
} as const satisfies Record<keyof CostRowV1, string>;

type Field = keyof typeof CSV_COLUMNS;

/** One problem in the file: where, and what is wrong; never the value. `column` is `(row)` for the row as a whole. */
export interface CsvProblem {
  readonly line: number;
  readonly column: string;
  readonly message: string;
}

export interface CsvCostRow {
  readonly line: number;
  readonly row: CostRowV1;
}

export interface CsvImport {
  /** The rows with no problem, in file order. */
  readonly rows: readonly CsvCostRow[];
  /** Every problem, by line and column. A line with a problem has no row in `rows`. */
  readonly problems: readonly CsvProblem[];
}

interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** RFC 4180 records with the line each starts on; an unterminated quote is reported, not guessed at. */
function tokenize(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]?.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (c === ';') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) problems.push({ line: recordLine, column: '(row)', message: 'a quoted field is not closed before the end of the file' });
  else if (field !== '' || fields.length > 0) endRecord();
  return { records, problems };
}

const FINNISH_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `1.9.2026` or `2026-09-01` as an ISO date, or null when it is neither or not a day of the calendar. */
function readDate(text: string): string | null {
  const fi = FINNISH_DATE.exec(text);
  const iso = ISO_DATE.exec(text);
  const [year, month, day] = fi ? [fi[3], fi[2], fi[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (!year || !month || !day) return null;
  const date = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date ? date : null;
}

const fieldOfPath = (path: readonly PropertyKey[]): string => {
  const key = path[0];
  return typeof key === 'string' && key in CSV_COLUMNS ? CSV_COLUMNS[key as Field] : '(row)';
};

/** Reads a whole file. Never throws on content: every problem is in `problems`. */
export function parseCostRowsCsv(text: string): CsvImport {
  const { records, problems } = tokenize(text);
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [...problems, { line: 1, column: '(header)', message: 'the file has no header row' }] };

  const names = header.fields.map((name) => name.trim().toLowerCase());
  const index = {} as Record<Field, number>;
  const missing: string[] = [];
  for (const [field, column] of Object.entries(CSV_COLUMNS) as [Field, string][]) {
    const at = names.indexOf(column);
    if (at < 0) missing.push(column);
    else if (names.indexOf(column, at + 1) >= 0) problems.push({ line: header.line, column, message: 'the column is named twice in the header' });
    index[field] = at;
  }
  if (missing.length > 0) {
    problems.push({ line: header.line, column: '(header)', message: `the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` });
  }
  if (problems.some((p) => p.line === header.line)) return { rows: [], problems };

  const rows: CsvCostRow[] = [];
  for (const record of body) {
    const own: CsvProblem[] = [];
    const bad = (field: Field, message: string): void => void own.push({ line: record.line, column: CSV_COLUMNS[field], message });
    if (record.fields.length !== names.length) {
      problems.push({ line: record.line, column: '(row)', message: `has ${record.fields.length} fields, the header ${names.length}` });
      continue;
    }
    const text = (field: Field): string => (record.fields[index[field]] ?? '').trim();

    const voucher = voucherSchema.safeParse(text('voucher'));
    if (!voucher.success) bad('voucher', voucher.error.issues[0]?.message ?? 'is not a voucher reference');
    const type = text('compensationType').toUpperCase();
    if (!(compensationTypes as readonly string[]).includes(type)) bad('compensationType', `must be one of ${compensationTypes.join(', ')}`);
    const from = readDate(text('from'));
    if (!from) bad('from', 'must be a date as 1.9.2026 or 2026-09-01');
    const to = readDate(text('to'));
    if (!to) bad('to', 'must be a date as 1.9.2026 or 2026-09-01');
    const amount = parseFinnishEuros(text('amountCents'));
    if (!amount.ok) bad('amountCents', amount.problem);

    if (own.length === 0 && from && to && amount.ok) {
      // What is left is across fields: the order of the dates, a HETU the type needs or forbids.
      const parsed = costRowV1.safeParse({
        voucher: text('voucher'),
        hetu: text('hetu') === '' ? null : text('hetu').toUpperCase(),
        compensationType: type as CompensationType,
        from,
        to,
        amountCents: amount.cents,
      });
      if (parsed.success) rows.push({ line: record.line, row: parsed.data });
      else for (const issue of parsed.error.issues) own.push({ line: record.line, column: fieldOfPath(issue.path), message: issue.message });
    }
    problems.push(...own);
  }
  return { rows, problems };
}
