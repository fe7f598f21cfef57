/**
 * Verifies the audit chain of one correlation (pure): every record's digest matches its fields
 * under the audit key, every record's parent exists and has the digest the child recorded, and
 * only a hop that starts work (ingress, a schedule, the CLI) is a root: a queue-fed function always
 * handles a message something else produced.
 */
import { functionNames, functionSpec } from '#infra/topology';
import { recordDigest, type AuditRecord } from '#lib/audit/record';

export interface BrokenLink {
  readonly hop: string;
  readonly problem: 'digest-mismatch' | 'parent-missing' | 'parent-digest-mismatch' | 'unexpected-root';
  readonly detail: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly records: number;
  readonly broken: readonly BrokenLink[];
}

const queueFed = new Set<string>(functionNames.filter((name) => functionSpec(name).consumes));

export const verifyChain = (records: readonly AuditRecord[], key: Buffer): VerifyResult => {
  const byHop = new Map(records.map((r) => [r.hop, r]));
  const broken: BrokenLink[] = [];
  for (const record of records) {
    if (recordDigest(record, key) !== record.digest) {
      broken.push({ hop: record.hop, problem: 'digest-mismatch', detail: 'the record was changed after it was written' });
    }
    if (record.parentHop === null) {
      if (queueFed.has(record.stage)) {
        broken.push({
          hop: record.hop,
          problem: 'unexpected-root',
          detail: `${record.stage} handled a message that no recorded hop produced`,
        });
      }
      continue;
    }
    const parent = byHop.get(record.parentHop);
    if (!parent) {
      broken.push({ hop: record.hop, problem: 'parent-missing', detail: `its parent record ${record.parentHop} is missing` });
    } else if (recordDigest(parent, key) !== record.parentDigest) {
      broken.push({
        hop: record.hop,
        problem: 'parent-digest-mismatch',
        detail: `its parent record ${record.parentHop} no longer has the digest recorded here`,
      });
    }
  }
  return { ok: broken.length === 0, records: records.length, broken };
};
