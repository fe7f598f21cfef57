/**
 * A breaker's name: the external system's (`vtj`), or `<system>:<part>` (`wellbeing:helsinki`) for a
 * system whose parts each have a breaker (topology `breakerPer`). The name keys the breaker's record
 * (`BREAKER#<name>` in the `pacing` table); the metrics count by the system.
 */
import type { ExternalSystem } from '#infra/topology';

export const breakerName = (system: ExternalSystem, part?: string): string => (part === undefined ? system : `${system}:${part}`);

/** The external system a breaker belongs to. */
export const systemOfBreaker = (name: string): ExternalSystem => name.split(':')[0] as ExternalSystem;
