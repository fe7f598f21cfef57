/** Recovery's collaborators in this runtime: the correlation table, the served municipalities, root messages with their audit records. */
import { documentClient } from '#lib/clients';
import { servedMunicipalities, tableName } from '#lib/config';
import { emitRoots } from '#lib/root-hop';
import { readAllBreakers } from '#lib/breaker/store';
import { systemOfBreaker } from '#lib/breaker/names';
import type { BreakerState } from '#lib/breaker/state';
import { lookupQueues } from '#infra/topology';
import { runStore } from '#functions/outreach/deps';
import { RECOVERY_STAGE, type RecoveryDeps } from '#functions/outreach-recovery/recover';

/** The registers an outreach run asks: a county's or YA's breaker open holds back no run. */
const OUTREACH_REGISTERS: ReadonlySet<string> = new Set([...Object.keys(lookupQueues), 'kelmu']);

/** The outreach registers whose breaker is not closed, of every breaker (named `system` or `system:part`). */
export const outreachRegistersDown = (breakers: ReadonlyMap<string, Pick<BreakerState, 'phase'>>): string[] =>
  [...breakers].filter(([name, state]) => OUTREACH_REGISTERS.has(systemOfBreaker(name)) && state.phase !== 'closed').map(([name]) => name);

export const recoveryDeps = (options: { queuesAreNew?: boolean; now?: () => number; municipalities?: readonly string[] } = {}): RecoveryDeps => ({
  store: runStore(),
  pending: { db: documentClient(), table: tableName('correlation') },
  municipalities: options.municipalities ?? servedMunicipalities(),
  now: options.now ?? Date.now,
  queuesAreNew: options.queuesAreNew ?? false,
  registersDown: async () => outreachRegistersDown(await readAllBreakers(documentClient(), tableName('pacing'))),
  send: async (queue, envelopes) => {
    await emitRoots(queue, envelopes, RECOVERY_STAGE, 'recovered');
  },
});
