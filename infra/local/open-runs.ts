/**
 * The outreach runs not yet delivered, with their progress, for the hub's status. Run items live in
 * the correlation table (`functions/outreach/run-store.ts`: pk `RUN#<id>`, sk `RUN`); locally a
 * scan filtered on the sort key finds them, reading only the run's own fields (never a candidate,
 * which holds a code as listed).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RunItem } from '#functions/outreach/run-store';
import { describeWait, judgeRun } from '#functions/outreach-recovery/waiting-for';
import { scanItems } from '#lib/dynamo-pages';

export interface OpenRun {
  readonly runId: string;
  readonly municipality: string;
  readonly asOf: string;
  /** Any phase before `delivered`. */
  readonly phase: string;
  /** Candidates the run will decide, once both lists arrived; null before. */
  readonly expected: number | null;
  readonly decided: number;
  readonly unresolved: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** What the run still waits for, in words (functions/outreach-recovery/waiting-for.ts). */
  readonly waitsFor: string;
  /** Seconds since the run's last progress (or the last time its work was put back). */
  readonly idleSeconds: number;
  /** Silent for longer than its work can be in flight: the watchdog's recovery puts that work back. */
  readonly stalled: boolean;
  /** Times recovery put the run's work back. */
  readonly recoveries: number;
}

const FIELDS = ['runId', 'municipality', 'asOf', 'phase', 'expected', 'decided', 'unresolved', 'startedAt', 'updatedAt', 'pages', 'recoveredAt', 'recoveries'] as const;

export const readOpenRuns = async (db: DynamoDBDocumentClient, table: string, now: number = Date.now()): Promise<OpenRun[]> => {
  const runs: OpenRun[] = [];
  const items = scanItems(db, {
    TableName: table,
    FilterExpression: '#sk = :run AND #phase <> :delivered AND #phase <> :abandoned',
    ProjectionExpression: FIELDS.map((_, i) => `#f${i}`).join(', '),
    ExpressionAttributeNames: { '#sk': 'sk', '#phase': 'phase', ...Object.fromEntries(FIELDS.map((name, i) => [`#f${i}`, name])) },
    ExpressionAttributeValues: { ':run': 'RUN', ':delivered': 'delivered', ':abandoned': 'abandoned' },
  });
  for await (const item of items) {
    const judged = judgeRun(item as RunItem, { now });
    runs.push({
      runId: String(item.runId),
      municipality: String(item.municipality),
      asOf: String(item.asOf),
      phase: String(item.phase),
      expected: typeof item.expected === 'number' ? item.expected : null,
      decided: Number(item.decided ?? 0),
      unresolved: Number(item.unresolved ?? 0),
      startedAt: String(item.startedAt),
      updatedAt: String(item.updatedAt),
      waitsFor: describeWait(judged.wait),
      idleSeconds: judged.idleSeconds,
      stalled: judged.lost,
      recoveries: Number(item.recoveries ?? 0),
    });
  }
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
};
