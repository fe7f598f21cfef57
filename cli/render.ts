/** How the operations commands print (pure): traces, dead letters and the hub's status as text. */
import type { HubStatus, RunStatus } from '#infra/local/status';
import type { CorrelationHits, Trace, TraceNode } from '#ops/audit/trace';
import type { DeadLetterSummary } from '#cli/dead-letters';

/** `42s`, `5m 03s`, `2h 05m`, `3d 04h`: an age an operator reads at a glance. */
export const formatAge = (seconds: number | null | undefined): string => {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor((s % 86_400) / 3600))}h`;
};

/** Columns padded to their widest cell: numbers right-aligned, text left-aligned. */
export const table = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] => {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || /^\d+(\.\d+)?$/.test(String(row[i]))));
  return cells.map((row) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const outcomeMark = (node: TraceNode): string =>
  node.failed ? `✗ ${node.outcome.toUpperCase()}` : node.outcome === 'redriven' ? `↻ ${node.outcome}` : node.outcome;

const hopLine = (node: TraceNode): string =>
  [
    node.recordedAt,
    node.stage,
    `${node.source} -> ${node.target}`,
    node.type,
    outcomeMark(node),
    `${node.durationMs} ms`,
    ...(node.orphan ? [`(its parent record ${node.parentHop} is missing)`] : []),
  ].join('  ');

/** The trace as an indented tree: one line per hop, the reason of a failure or redrive under it. */
export const renderTrace = (trace: Trace): string[] => {
  const { summary } = trace;
  const notes = [
    summary.retries ? plural(summary.retries, 'retry', 'retries') : '',
    summary.deadLetters ? plural(summary.deadLetters, 'dead letter') : '',
    summary.redrives ? plural(summary.redrives, 'redrive') : '',
  ].filter(Boolean);
  const lines = [
    `trace of correlation ${trace.correlationId}: ${plural(summary.records, 'record')}` +
      (summary.firstRecordedAt ? ` from ${summary.firstRecordedAt} to ${summary.lastRecordedAt}` : '') +
      (notes.length ? ` (${notes.join(', ')})` : ''),
  ];
  const render = (node: TraceNode, lead: string, below: string) => {
    lines.push(`${lead}${hopLine(node)}`);
    if (node.reason && (node.failed || node.outcome === 'redriven')) {
      lines.push(`${below}${node.children.length ? '│' : ' '}   ${node.failed ? 'reason: ' : ''}${node.reason}`);
    }
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      render(child, `${below}${last ? '└─ ' : '├─ '}`, `${below}${last ? '   ' : '│  '}`);
    });
  };
  for (const root of trace.roots) render(root, '', '');
  return lines;
};

/** The correlations concerning one person (found by the keyed hash), oldest first. */
export const renderCorrelations = (hits: readonly CorrelationHits[]): string[] => {
  if (hits.length === 0) return ['no correlations concern this person in the audit log'];
  return [
    `${plural(hits.length, 'correlation')} ${hits.length === 1 ? 'concerns' : 'concern'} this person:`,
    ...table(
      ['CORRELATION', 'RECORDS', 'FAILED', 'FIRST', 'LAST', 'TYPES'],
      hits.map((h) => [h.correlationId, h.records, h.failed, h.firstRecordedAt, h.lastRecordedAt, h.types.join(',')]),
    ),
  ];
};

export interface DlqRow {
  readonly dlq: string;
  readonly queue: string;
  readonly depth: number;
  readonly oldestAgeSeconds: number | null;
}

export const renderDlqList = (rows: readonly DlqRow[]): string[] => {
  const total = rows.reduce((n, r) => n + r.depth, 0);
  const holding = rows.filter((r) => r.depth > 0);
  return [
    ...table(
      ['DLQ', 'DEPTH', 'OLDEST', 'QUEUE'],
      rows.map((r) => [r.dlq, r.depth, formatAge(r.oldestAgeSeconds), r.queue]),
    ),
    total === 0
      ? 'no dead letters'
      : `${plural(total, 'dead letter')} in ${plural(holding.length, 'DLQ')} (koto-hub dlq show <queue> for the reasons)`,
  ];
};

export const renderDeadLetters = (dlq: string, queue: string, depth: number, shown: readonly DeadLetterSummary[]): string[] => {
  const lines = [`${dlq}: ${plural(depth, 'dead letter')} of ${queue}${shown.length < depth ? ` (showing ${shown.length})` : ''}`];
  for (const d of shown) {
    const movedBy = d.movedBySqs
      ? `SQS, after ${d.receives ?? 'maxReceiveCount'} receives (reason from the ${d.reasonFrom === 'audit' ? 'last failed hop in the audit log' : 'queue'})`
      : 'the hub, on a permanent failure';
    lines.push(
      '',
      `message ${d.sqsMessageId}`,
      `  type         ${d.type}`,
      `  correlation  ${d.correlationId}`,
      `  message id   ${d.messageId}`,
      `  receives     ${d.receives ?? 'unknown'}`,
      `  failed       ${d.failedAt ?? 'unknown'}${d.failedStage ? ` at ${d.failedStage}` : ''}; ${formatAge(d.ageSeconds)} in the DLQ`,
      `  failure      ${d.failureCode ?? 'unknown'}${d.failureReason ? `: ${d.failureReason}` : ''}`,
      `  moved by     ${movedBy}`,
    );
  }
  return lines;
};

/** `123/200 (61%)`: candidates with an outcome (decided or unresolved) of those expected. */
export const runProgress = (run: Pick<RunStatus, 'decided' | 'unresolved' | 'expected'>): string => {
  const done = run.decided + run.unresolved;
  if (run.expected === null) return `${done}/? (lists arriving)`;
  return `${done}/${run.expected} (${Math.floor((100 * done) / Math.max(1, run.expected))}%)`;
};

/** The registers' circuit breakers: none while all are closed (every register answering), else a row for each. */
export const renderBreakers = (status: Pick<HubStatus, 'breakers' | 'at'>): string[] => {
  const breakers = status.breakers ?? [];
  if (breakers.every((b) => b.phase === 'closed')) return [];
  const now = Date.parse(status.at);
  const since = (iso: string | null) => (iso ? formatAge((now - Date.parse(iso)) / 1000) : '-');
  const until = (iso: string | null) => (iso ? `in ${formatAge(Math.max(0, Date.parse(iso) - now) / 1000)}` : '-');
  return table(
    ['REGISTER', 'BREAKER', 'DOWN FOR', 'NEXT PROBE', 'FAILED PROBES'],
    breakers.map((b) => [b.system, b.phase === 'closed' ? 'closed' : `${b.phase} (not called; work waits on its queue)`, since(b.openSince), until(b.nextProbeAt), b.failedProbes]),
  );
};

/** `3m 05s`, and `STALLED 45m 00s` once the run's work counts as lost (the watchdog puts it back). */
export const runIdle = (run: Pick<RunStatus, 'idleSeconds' | 'stalled'>): string =>
  run.idleSeconds === undefined ? '-' : `${run.stalled ? 'STALLED ' : ''}${formatAge(run.idleSeconds)}`;

/** The wellbeing requests still read, with how many of their people are answered and whether the deadline passed. */
export const renderWellbeing = (status: Pick<HubStatus, 'wellbeing'>): string[] => {
  // A hub started before the wellbeing flow answers without them.
  const requests = status.wellbeing ?? [];
  if (requests.length === 0) return ['no open wellbeing requests'];
  return table(
    ['WELLBEING REQUEST', 'KIND', 'MUNICIPALITY', 'COUNTY', 'ANSWERED', 'REQUESTED', 'DUE', 'OVERDUE'],
    requests.map((r) => [r.requestId, r.kind, r.municipality, r.county, `${r.answered}/${r.people}`, r.requestedAt, r.dueAt, r.overdue ? 'OVERDUE' : '-']),
  );
};

/** The running hub's status: queues, then functions, then open outreach runs and wellbeing requests, and what needs an operator's eye. */
export const renderStatus = (status: HubStatus, where: string): string[] => {
  const lines = [`koto-hub status at ${status.at} (${where})`, ''];
  lines.push(
    ...table(
      ['QUEUE', 'DEPTH', 'IN FLIGHT', 'OLDEST', 'DLQ DEPTH', 'DLQ OLDEST', 'CONSUMER'],
      status.queues.map((q) => [q.name, q.depth, q.inFlight, formatAge(q.oldestAgeSeconds), q.dlqDepth, formatAge(q.dlqOldestAgeSeconds), q.consumer ?? '-']),
    ),
    '',
  );
  lines.push(
    ...table(
      ['FUNCTION', 'INVOCATIONS', 'RECORDS', 'FAILED', 'ERRORS', 'TIMEOUTS', 'IN FLIGHT', 'AVG MS', 'RECORDS/MIN (5 MIN)'],
      status.functions.map((f) => [
        f.name,
        f.invocations,
        f.records,
        f.failedRecords,
        f.errors,
        f.timeouts,
        f.inFlight,
        f.averageMs,
        (f.recentRecords / 5).toFixed(1),
      ]),
    ),
  );
  // A hub started before runs were part of the status answers without them.
  const runs = status.runs ?? [];
  lines.push(
    '',
    ...(runs.length === 0
      ? ['no open outreach runs']
      : table(
          ['OUTREACH RUN', 'MUNICIPALITY', 'AS OF', 'PHASE', 'PROGRESS', 'UNRESOLVED', 'UPDATED', 'IDLE', 'WAITS FOR'],
          runs.map((r) => [r.runId, r.municipality, r.asOf, r.phase, runProgress(r), r.unresolved, r.updatedAt, runIdle(r), r.waitsFor ?? '-']),
        )),
  );
  lines.push('', ...renderWellbeing(status));
  // A breaker shows only while it is not closed: a register is down.
  const breakers = renderBreakers(status);
  if (breakers.length > 0) lines.push('', ...breakers);
  const dead = status.queues.filter((q) => q.dlqDepth > 0);
  lines.push('', dead.length ? `dead letters: ${dead.map((q) => `${q.dlqDepth} in ${q.dlq}`).join(', ')} (koto-hub dlq show <queue>)` : 'no dead letters');
  return lines;
};
