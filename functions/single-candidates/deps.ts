/** The collaborators of the single-candidate functions in this runtime. */
import { hashHetu } from '#lib/audit/key';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import type { CandidateDeps } from '#functions/single-candidates/pending-candidate';

export const candidateDeps = (): CandidateDeps => ({
  db: documentClient(),
  table: tableName('correlation'),
  hashHetu,
});

/** The day a single candidate is decided on: the day its triggering message occurred (stable on retries). */
export const dayOf = (occurredAt: string): string => new Date(occurredAt).toISOString().slice(0, 10);
