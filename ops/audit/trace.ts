/**
 * The trace of a correlation (pure): its audit records as a tree that follows `parentHop`, roots
 * first and each node's children in the order they were recorded. A record whose parent is not in
 * the correlation (deleted, or never written) becomes a root of its own, marked as an orphan, so
 * that nothing recorded is left out of the picture.
 */
import type { AuditRecord } from '#lib/audit/record';

/** Outcomes that mean the hop did not succeed: retried later, or left as a dead letter. */
export const FAILED_OUTCOMES: ReadonlySet<string> = new Set(['retry', 'dead-letter']);

export interface TraceNode {
  readonly hop: string;
  readonly messageId: string;
  readonly causationId: string | null;
  readonly recordedAt: string;
  readonly stage: string;
  readonly source: string;
  readonly target: string;
  readonly type: string;
  readonly municipality: string;
  readonly outcome: string;
  readonly failed: boolean;
  readonly reason: string | null;
  readonly durationMs: number;
  readonly parentHop: string | null;
  /** The record names a parent that is not among the correlation's records. */
  readonly orphan: boolean;
  readonly children: readonly TraceNode[];
}

export interface TraceSummary {
  readonly records: number;
  readonly retries: number;
  readonly deadLetters: number;
  readonly redrives: number;
  readonly firstRecordedAt: string | null;
  readonly lastRecordedAt: string | null;
}

export interface Trace {
  readonly correlationId: string;
  readonly summary: TraceSummary;
  readonly roots: readonly TraceNode[];
}

const byTime = (a: AuditRecord, b: AuditRecord): number =>
  a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : a.hop < b.hop ? -1 : a.hop > b.hop ? 1 : 0;

export const buildTrace = (correlationId: string, records: readonly AuditRecord[]): Trace => {
  const sorted = [...records].sort(byTime);
  const hops = new Set(sorted.map((r) => r.hop));
  const children = new Map<string, AuditRecord[]>();
  const roots: AuditRecord[] = [];
  for (const record of sorted) {
    // A record that names itself as its parent would loop: it is shown as a root.
    if (record.parentHop !== null && record.parentHop !== record.hop && hops.has(record.parentHop)) {
      children.set(record.parentHop, [...(children.get(record.parentHop) ?? []), record]);
    } else {
      roots.push(record);
    }
  }
  const placed = new Set<string>();
  const node = (record: AuditRecord): TraceNode => {
    placed.add(record.hop);
    return {
      hop: record.hop,
      messageId: record.messageId,
      causationId: record.causationId,
      recordedAt: record.recordedAt,
      stage: record.stage,
      source: record.source,
      target: record.target,
      type: record.type,
      municipality: record.municipality,
      outcome: record.outcome,
      failed: FAILED_OUTCOMES.has(record.outcome),
      reason: record.reason,
      durationMs: record.durationMs,
      parentHop: record.parentHop,
      orphan: record.parentHop !== null && !hops.has(record.parentHop),
      children: (children.get(record.hop) ?? []).filter((child) => !placed.has(child.hop)).map(node),
    };
  };
  const tree = roots.map(node);
  // Records in a cycle of parents (only possible in a tampered log) are reachable from no root.
  for (const record of sorted) if (!placed.has(record.hop)) tree.push(node(record));

  const count = (outcome: string) => records.filter((r) => r.outcome === outcome).length;
  return {
    correlationId,
    summary: {
      records: records.length,
      retries: count('retry'),
      deadLetters: count('dead-letter'),
      redrives: count('redriven'),
      firstRecordedAt: sorted[0]?.recordedAt ?? null,
      lastRecordedAt: sorted.at(-1)?.recordedAt ?? null,
    },
    roots: tree,
  };
};

export interface CorrelationHits {
  readonly correlationId: string;
  readonly records: number;
  readonly failed: number;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly types: readonly string[];
}

/** Records (of one person, say) grouped by correlation, the oldest correlation first. */
export const correlationsOf = (records: readonly AuditRecord[]): CorrelationHits[] => {
  const groups = new Map<string, AuditRecord[]>();
  for (const record of [...records].sort(byTime)) groups.set(record.correlationId, [...(groups.get(record.correlationId) ?? []), record]);
  return [...groups].map(([correlationId, group]) => ({
    correlationId,
    records: group.length,
    failed: group.filter((r) => FAILED_OUTCOMES.has(r.outcome)).length,
    firstRecordedAt: group[0]!.recordedAt,
    lastRecordedAt: group.at(-1)!.recordedAt,
    types: [...new Set(group.map((r) => r.type))].sort(),
  }));
};
