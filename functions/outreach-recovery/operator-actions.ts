/**
 * An operator's hand on an outreach run (`koto-hub runs resume | abandon`): each action is a hop of
 * the run in the audit log (stage `operator`), sealed like every other record, naming the action
 * and what the run waited for; no personal data (a run's records name no person).
 */
import { randomUUID } from 'node:crypto';
import { auditKey } from '#lib/audit/key';
import { payloadDigest, sealRecord, type AuditRecord } from '#lib/audit/record';
import { writeAuditRecords } from '#lib/audit/store';
import { auditRetentionDays } from '#lib/config';
import type { RunItem, RunStore } from '#functions/outreach/run-store';
import { recoverRun, type RecoveryDeps, type RunRecovery } from '#functions/outreach-recovery/recover';
import { describeWait, runWaitsFor } from '#functions/outreach-recovery/waiting-for';

export const OPERATOR_STAGE = 'operator';
export type RunAction = 'run-resumed' | 'run-abandoned';

/** The audit record of an operator's action on a run. */
export const runActionRecord = async (run: Pick<RunItem, 'runId' | 'municipality'>, action: RunAction, note: string): Promise<AuditRecord> => {
  const now = new Date();
  const messageId = randomUUID();
  const key = await auditKey();
  return sealRecord(
    {
      correlationId: run.runId,
      messageId,
      causationId: null,
      type: `operator.${action}`,
      source: 'operator',
      target: 'hub',
      municipality: run.municipality,
      stage: OPERATOR_STAGE,
      outcome: action,
      reason: note,
      subjectHash: null,
      payloadDigest: payloadDigest(key, { action, runId: run.runId }),
      occurredAt: now.toISOString(),
      parentHop: null,
      parentDigest: null,
      recordedAt: now.toISOString(),
      durationMs: 0,
      expiresAt: Math.floor(now.getTime() / 1000) + auditRetentionDays() * 86_400,
    },
    key,
  );
};

/** Puts the run's outstanding work back now, whatever its silence (the operator knows it is lost); audited. */
export const resumeRun = async (runId: string, deps: RecoveryDeps): Promise<{ recovery: RunRecovery; record: AuditRecord } | undefined> => {
  const recovery = await recoverRun(runId, deps, true);
  if (!recovery) return undefined;
  const run = (await deps.store.getRun(runId))!;
  const record = await runActionRecord(run, 'run-resumed', `${recovery.action}: waited for ${describeWait(recovery.wait)}, idle ${recovery.idleSeconds} s`);
  await writeAuditRecords([record]);
  return { recovery, record };
};

/** Gives the run up (no longer open, no longer recovered); audited. Undefined when there is no such run. */
export const abandonRun = async (
  runId: string,
  store: Pick<RunStore, 'getRun' | 'abandon'>,
): Promise<{ abandoned: boolean; run: RunItem; record?: AuditRecord } | undefined> => {
  const run = await store.getRun(runId);
  if (!run) return undefined;
  if (!(await store.abandon(runId))) return { abandoned: false, run };
  const record = await runActionRecord(run, 'run-abandoned', `abandoned in phase ${run.phase}, waiting for ${describeWait(runWaitsFor(run))}`);
  await writeAuditRecords([record]);
  return { abandoned: true, run, record };
};
