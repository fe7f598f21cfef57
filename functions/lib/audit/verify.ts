/**
 * Verifies the audit chain of one correlation (pure): every record's digest matches its fields, and
 * every record's parent exists and has the digest the child recorded.
 */
import { recordDigest, type AuditRecord } from '#lib/audit/record';

export interface BrokenLink {
  readonly hop: string;
  readonly problem: 'digest-mismatch' | 'parent-missing' | 'parent-digest-mismatch';
  readonly detail: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly records: number;
  readonly broken: readonly BrokenLink[];
}

export const verifyChain = (records: readonly AuditRecord[]): VerifyResult => {
  const byHop = new Map(records.map((r) => [r.hop, r]));
  const broken: BrokenLink[] = [];
  for (const record of records) {
    if (recordDigest(record) !== record.digest) {
      broken.push({ hop: record.hop, problem: 'digest-mismatch', detail: 'the record was changed after it was written' });
    }
    if (record.parentHop === null) continue;
    const parent = byHop.get(record.parentHop);
    if (!parent) {
      broken.push({ hop: record.hop, problem: 'parent-missing', detail: `its parent record ${record.parentHop} is missing` });
    } else if (recordDigest(parent) !== record.parentDigest) {
      broken.push({
        hop: record.hop,
        problem: 'parent-digest-mismatch',
        detail: `its parent record ${record.parentHop} no longer has the digest recorded here`,
      });
    }
  }
  return { ok: broken.length === 0, records: records.length, broken };
};
