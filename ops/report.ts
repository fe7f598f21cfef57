/**
 * `koto-hub report` (the reference architecture's "Raportointi"): per municipality and month, how
 * many outreach targets were decided and how many assessments, plans, reviews and completions the
 * hub stored in a national system. Counts only: the report is built from the correlation table's
 * items, which hold identity codes, and keeps nothing of them but the municipality, the month and
 * the kind of item — no row, cell or key of the output is taken from any other field.
 *
 * - An outreach target: a run's candidate decided `target` (its month is the run's day's), or a
 *   single candidate (a referral, a move) decided `target` (the month it was decided in).
 * - A record: its item's status `stored` (the month its store answered).
 */
export const REPORT_COLUMNS = ['municipality', 'month', 'outreachTargets', 'assessments', 'plans', 'reviews', 'completions'] as const;

export type ReportRow = { readonly municipality: string; readonly month: string } & Record<Exclude<(typeof REPORT_COLUMNS)[number], 'municipality' | 'month'>, number>;

type Item = Readonly<Record<string, unknown>>;
type Counted = Exclude<(typeof REPORT_COLUMNS)[number], 'municipality' | 'month'>;

const recordColumn: Readonly<Record<string, Counted>> = {
  'record.assessment.v1': 'assessments',
  'record.plan.v1': 'plans',
  'record.plan-review.v1': 'reviews',
  'record.service-completion.v1': 'completions',
};

const MONTH = /^\d{4}-\d{2}/;
const MUNICIPALITY = /^\d{3}$/;
const monthOf = (value: unknown): string | undefined => (typeof value === 'string' ? MONTH.exec(value)?.[0] : undefined);

/** The report's rows, sorted by municipality and month, from the correlation table's items (in any order). */
export function reportRows(items: readonly Item[]): ReportRow[] {
  const runs = new Map<string, { municipality: string; month: string }>();
  for (const item of items) {
    const month = monthOf(item.asOf);
    if (item.sk === 'RUN' && typeof item.municipality === 'string' && month) runs.set(String(item.pk), { municipality: item.municipality, month });
  }
  const rows = new Map<string, Record<string, number | string>>();
  const count = (municipality: unknown, month: string | undefined, column: Counted): void => {
    if (typeof municipality !== 'string' || !MUNICIPALITY.test(municipality) || !month) return;
    const key = `${municipality} ${month}`;
    const row = rows.get(key) ?? { municipality, month, outreachTargets: 0, assessments: 0, plans: 0, reviews: 0, completions: 0 };
    row[column] = (row[column] as number) + 1;
    rows.set(key, row);
  };
  for (const item of items) {
    const pk = String(item.pk ?? '');
    const sk = String(item.sk ?? '');
    if (sk.startsWith('CAND#') && item.outcome === 'target') {
      const run = runs.get(pk);
      if (run) count(run.municipality, run.month, 'outreachTargets');
    } else if (pk.endsWith('#PENDING') && item.outcome === 'target') {
      count(item.municipality, monthOf(item.decidedAt), 'outreachTargets');
    } else if (pk.startsWith('RECORDS#') && sk.startsWith('RECORD#') && item.status === 'stored') {
      const column = recordColumn[String(item.type)];
      if (column) count(pk.slice('RECORDS#'.length), monthOf(item.storedOn), column);
    }
  }
  return [...rows.values()]
    .map((row) => row as ReportRow)
    .sort((a, b) => (a.municipality !== b.municipality ? (a.municipality < b.municipality ? -1 : 1) : a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
}

/** RFC 4180 CSV with a header line; every cell is a code, a month or a count, so none needs quoting. */
export const reportCsv = (rows: readonly ReportRow[]): string =>
  [REPORT_COLUMNS.join(','), ...rows.map((row) => REPORT_COLUMNS.map((column) => String(row[column])).join(','))].join('\r\n') + '\r\n';
