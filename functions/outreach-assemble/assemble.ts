/**
 * Assembles a run's result from its candidates (docs/DESIGN.md "The outreach result"): the targets
 * sorted by code, the exclusion counts, and how many could not be decided. Reads the run one
 * page of candidates at a time; only the targets are kept in memory.
 */
import { normaliseResult, resultToCsv, type ExclusionCode, type OutreachResult, type OutreachTarget } from '#contracts/outreach-result';
import type { RunItem, RunStore } from '#functions/outreach/run-store';
import { resultKey, type ResultStore } from '#functions/outreach/result-store';

const PAGE = 500;

export const assembleResult = async (store: RunStore, run: RunItem): Promise<OutreachResult> => {
  const targets: OutreachTarget[] = [];
  const exclusions: Partial<Record<ExclusionCode, number>> = {};
  let unresolved = 0;
  let after: string | null = null;
  do {
    const page = await store.candidatesPage(run.runId, after, PAGE);
    for (const candidate of page.items) {
      if (candidate.outcome === 'target' && candidate.target) targets.push(candidate.target);
      else if (candidate.outcome === 'UNRESOLVED' || !candidate.outcome) unresolved++;
      else if (candidate.outcome !== 'target') exclusions[candidate.outcome] = (exclusions[candidate.outcome] ?? 0) + 1;
    }
    after = page.next;
  } while (after);
  return normaliseResult({ municipality: run.municipality, asOf: run.asOf, targets, exclusions, unresolved, correlationId: run.runId });
};

/** Stores the result in its three documents; returns where the JSON is. */
export const deliverResult = async (results: ResultStore, result: OutreachResult): Promise<string> => {
  const key = (suffix: '.json' | '.csv' | '.exclusions.json') => resultKey(result.municipality, result.correlationId, suffix);
  await results.put(key('.csv'), resultToCsv(result), 'text/csv; charset=utf-8');
  await results.put(key('.exclusions.json'), `${JSON.stringify(result.exclusions, null, 2)}\n`, 'application/json');
  return results.put(key('.json'), `${JSON.stringify(result, null, 2)}\n`, 'application/json');
};
