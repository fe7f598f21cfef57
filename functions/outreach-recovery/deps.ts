/** Recovery's collaborators in this runtime: the correlation table, the served municipalities, root messages with their audit records. */
import { documentClient } from '#lib/clients';
import { servedMunicipalities, tableName } from '#lib/config';
import { emitRoots } from '#lib/root-hop';
import { readAllBreakers } from '#lib/breaker/store';
import { runStore } from '#functions/outreach/deps';
import { RECOVERY_STAGE, type RecoveryDeps } from '#functions/outreach-recovery/recover';

export const recoveryDeps = (options: { queuesAreNew?: boolean; now?: () => number; municipalities?: readonly string[] } = {}): RecoveryDeps => ({
  store: runStore(),
  pending: { db: documentClient(), table: tableName('correlation') },
  municipalities: options.municipalities ?? servedMunicipalities(),
  now: options.now ?? Date.now,
  queuesAreNew: options.queuesAreNew ?? false,
  registersDown: async () => {
    const breakers = await readAllBreakers(documentClient(), tableName('pacing'));
    return [...breakers].filter(([, state]) => state.phase !== 'closed').map(([system]) => system);
  },
  send: async (queue, envelopes) => {
    await emitRoots(queue, envelopes, RECOVERY_STAGE, 'recovered');
  },
});
