/**
 * The lines of the flows after outreach, each on the hub and mocks of the rate-floor line and after
 * it, in this order: records (test/bench/records-bench.ts), wellbeing (wellbeing-bench.ts), claims
 * (claims-bench.ts). A count of 0 leaves a line out.
 */
import { runClaimsBench } from './claims-bench.ts';
import type { FlowBench } from './flow-support.ts';
import { runRecordsBench } from './records-bench.ts';
import { runWellbeingBench } from './wellbeing-bench.ts';

export interface FlowLineOptions {
  /** People whose plan, review and assessment the records line posts. */
  readonly records: number;
  /** Records posted per second. */
  readonly recordsRate: number;
  /** Wellbeing requests the wellbeing line posts. */
  readonly wellbeing: number;
  /** Wellbeing requests posted per second. */
  readonly wellbeingRate: number;
  /** Cost rows in the claims line's batch. */
  readonly claims: number;
}

export const runFlowLines = async (bench: FlowBench, options: FlowLineOptions): Promise<Record<string, unknown>[]> => {
  const lines: Record<string, unknown>[] = [];
  if (options.records > 0) {
    bench.say(`records: ${options.records} people's plan, review and assessment at ${options.recordsRate}/s ...`);
    lines.push(await runRecordsBench(bench, { people: options.records, rate: options.recordsRate }));
  }
  if (options.wellbeing > 0) {
    bench.say(`wellbeing: ${options.wellbeing} requests to the county at ${options.wellbeingRate}/s ...`);
    lines.push(await runWellbeingBench(bench, { requests: options.wellbeing, rate: options.wellbeingRate }));
  }
  if (options.claims > 0) {
    bench.say(`claims: one batch of ${options.claims} cost rows ...`);
    lines.push(await runClaimsBench(bench, { rows: options.claims }));
  }
  return lines;
};
