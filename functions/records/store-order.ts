/**
 * The order in which one person's records must reach their store (docs/DESIGN.md "Plan rules" 3):
 * a plan before every record that belongs to it, and otherwise in the order of the records' dates,
 * however they arrived. Pure; the flow gives it what it holds of a person and the plans the stores
 * already have.
 *
 * - Order: by the day each record is dated (`recordDate`), then the instant it was made
 *   (`madeAt`, compared as instants, whatever the offsets), then its `viite`, so that equal inputs
 *   give one order; a record that belongs to a plan never goes before that plan, whatever its date.
 * - Repeats: a record arriving again under the same `viite` (a retry, a second post) is sent once,
 *   in its first arrival's form; a repeat is reported with whether its content differs (a changed
 *   record under an old id, which the stores would answer 409: the sender gets a refusal).
 * - Waiting: a record whose plan is neither among the records nor in a store waits (rule 3 says for
 *   how long), and holds up nothing else.
 *
 * A person has a few records, so the selection below is quadratic on purpose: clearer than a heap.
 */
import { isDeepStrictEqual } from 'node:util';
import { recordDate, type MunicipalRecord } from '#contracts/messages/records';
import { planViiteOf, recordViite } from '#functions/records/viite';

export interface StoreOrder {
  /** In the order they must reach the store. */
  readonly send: readonly MunicipalRecord[];
  /** Their plan is neither among the records nor in a store. */
  readonly waiting: readonly MunicipalRecord[];
  /** Copies of a record already in `send` or `waiting`; `changed` when their content differs. */
  readonly repeats: readonly { readonly record: MunicipalRecord; readonly changed: boolean }[];
}

interface Keyed {
  readonly record: MunicipalRecord;
  readonly viite: string;
  readonly planViite: string | null;
  readonly date: string;
  readonly madeAt: number;
}

const before = (a: Keyed, b: Keyed): boolean =>
  a.date !== b.date ? a.date < b.date : a.madeAt !== b.madeAt ? a.madeAt < b.madeAt : a.viite < b.viite;

/**
 * `records` in the order they arrived (so the first copy of a repeated record is the one kept);
 * `plansInStore` the `viite`s of the plans the stores already hold.
 */
export function storeOrder(records: readonly MunicipalRecord[], plansInStore: ReadonlySet<string>): StoreOrder {
  const first = new Map<string, Keyed>();
  const repeats: { record: MunicipalRecord; changed: boolean }[] = [];
  for (const record of records) {
    const viite = recordViite(record);
    const seen = first.get(viite);
    if (seen) {
      repeats.push({ record, changed: seen.record.type !== record.type || !isDeepStrictEqual(seen.record.payload, record.payload) });
      continue;
    }
    first.set(viite, { record, viite, planViite: planViiteOf(record), date: recordDate(record), madeAt: Date.parse(record.payload.madeAt) });
  }

  const inBatch = new Set(first.keys());
  const waiting = [...first.values()].filter((r) => r.planViite !== null && !inBatch.has(r.planViite) && !plansInStore.has(r.planViite));
  let pending = [...first.values()].filter((r) => !waiting.includes(r));
  const sent = new Set(plansInStore);
  const send: MunicipalRecord[] = [];
  while (pending.length > 0) {
    const ready = pending.filter((r) => r.planViite === null || sent.has(r.planViite));
    // Every pending record's plan is a pending plan, and a plan depends on nothing: some record is ready.
    const next = ready.reduce((a, b) => (before(b, a) ? b : a));
    send.push(next.record);
    sent.add(next.viite);
    pending = pending.filter((r) => r !== next);
  }
  return { send, waiting: waiting.map((r) => r.record), repeats };
}
