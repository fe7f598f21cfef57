/**
 * The circuit breaker of every external system for the hub's status: its phase, since when the
 * outage has lasted, when the next probe goes out and how many failed. The records live in the
 * `pacing` table (functions/lib/breaker/store.ts); a system without one has never opened: closed.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { externalSystems, type ExternalSystem } from '#infra/topology';
import { readAllBreakers } from '#lib/breaker/store';
import { closedState, type BreakerPhase } from '#lib/breaker/state';

export interface BreakerStatus {
  readonly system: ExternalSystem;
  readonly phase: BreakerPhase;
  /** Transient failures in a row while closed. */
  readonly failures: number;
  /** When the breaker opened (ISO), while it is not closed. */
  readonly openSince: string | null;
  /** When the next probe may go out (ISO), while open. */
  readonly nextProbeAt: string | null;
  readonly failedProbes: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const readBreakers = async (documents: DynamoDBDocumentClient, table: string): Promise<BreakerStatus[]> => {
  const found = await readAllBreakers(documents, table);
  return (Object.keys(externalSystems) as ExternalSystem[]).map((system) => {
    const state = found.get(system) ?? closedState;
    return {
      system,
      phase: state.phase,
      failures: state.failures,
      openSince: state.phase === 'closed' ? null : iso(state.openedAt),
      nextProbeAt: state.phase === 'open' ? iso(state.nextProbeAt) : null,
      failedProbes: state.phase === 'closed' ? 0 : state.failedProbes,
    };
  });
};
