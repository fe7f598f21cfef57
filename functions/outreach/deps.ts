/** What the outreach functions share at run time: the run store and the keyed hash of a code. */
import { hashHetu } from '#lib/audit/key';
import { documentClient } from '#lib/clients';
import { tableName } from '#lib/config';
import { RunStore } from '#functions/outreach/run-store';

export const runStore = (): RunStore => new RunStore(documentClient(), tableName('correlation'));

/** A candidate's key: the keyed hash of its code as listed (a malformed one too), never the code. */
export const candidateKeyOf = hashHetu;

/** The run a message belongs to: its correlation id (the run id). */
export const runIdOf = (envelope: { correlationId: string }): string => envelope.correlationId;
