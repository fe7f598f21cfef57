/**
 * The circuit breaker of every external system for the hub's status: its phase, since when the
 * outage has lasted, when the next probe goes out and how many failed. The records live in the
 * `pacing` table (functions/lib/breaker/store.ts); a system without one has never opened: closed.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { externalSystems, type ExternalSystem, type ExternalSystemSpec } from '#infra/topology';
import { readAllBreakers } from '#lib/breaker/store';
import { closedState, type BreakerPhase } from '#lib/breaker/state';

export interface BreakerStatus {
  /** The system (`vtj`), or one part of a system with a breaker per part (`wellbeing:helsinki`). */
  readonly system: string;
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

/**
 * A system's breakers: its own, or for a system with a breaker per part (the counties) each part's
 * that has a record, in name order; none yet: the system as a whole, closed.
 */
const namesOf = (system: ExternalSystem, found: ReadonlyMap<string, unknown>): string[] => {
  const spec: ExternalSystemSpec = externalSystems[system];
  if (!spec.breakerPer) return [system];
  const parts = [...found.keys()].filter((name) => name.startsWith(`${system}:`)).sort();
  return parts.length > 0 ? parts : [system];
};

export const readBreakers = async (documents: DynamoDBDocumentClient, table: string): Promise<BreakerStatus[]> => {
  const found = await readAllBreakers(documents, table);
  return (Object.keys(externalSystems) as ExternalSystem[]).flatMap((system) => namesOf(system, found)).map((system) => {
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
