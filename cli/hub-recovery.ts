/**
 * Recovery as the CLI runs it against a running hub: the hub's tables (`connectToHub`) and its
 * queues (`connectToQueues`: on the embedded runtime they live in the running process's memory),
 * so that work put back goes where that hub's functions read it.
 */
import { queueNames, queueUrlEnv } from '#infra/topology';
import { connectToHub } from '#cli/connection';
import { connectToQueues } from '#cli/running-hub';
import type { RecoveryDeps } from '#functions/outreach-recovery/recover';
import { recoveryDeps } from '#functions/outreach-recovery/deps';

export interface HubRecovery {
  readonly where: string;
  readonly deps: RecoveryDeps;
  close(): Promise<void>;
}

/** Throws `HubUnavailable` when no hub is running to take the work. */
export const connectRecovery = async (what: string): Promise<HubRecovery> => {
  const queues = await connectToQueues(what);
  const connection = await connectToHub();
  for (const queue of queueNames) process.env[queueUrlEnv(queue)] = queues.url(queue);
  // Only the run named: the single candidates are the watchdog's.
  return { where: queues.where, deps: recoveryDeps({ municipalities: [] }), close: () => connection.close() };
};
