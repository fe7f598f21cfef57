/**
 * An inbox is read in cursor order: each message gets the next number of its municipality's
 * counter when it is written, and a client asks for the messages after the last cursor it has seen.
 * Pure rules, no I/O: which entries a page may show, and where the next page starts.
 *
 * Two writers can take numbers 7 and 8 and finish 8 first. A reader that showed 8 and moved its
 * cursor past 7 would never see 7, so a page stops before a gap while the gap is young: a writer
 * writes its entry within `SETTLE_MS / 2` of taking its number or gives the number up and takes a
 * new one (functions/inbox/store.ts). An entry written more than `SETTLE_MS` ago after a gap
 * proves the gap is for good (a number given up), since it took its number after the gap's writer did.
 */

/** How long a gap in the numbers may still be filled; see above. */
export const SETTLE_MS = 60_000;

/** Highest cursor: the largest exact integer, 16 digits, so the padded sort key keeps the numbers' order. */
export const MAX_CURSOR = Number.MAX_SAFE_INTEGER;

export interface Entry {
  /** Its cursor, the number its municipality's counter gave it. */
  readonly seq: number;
  readonly type: string;
  /** Epoch milliseconds when its writer wrote it. */
  readonly writtenAt: number;
}

/** Parses a client's cursor: `0` (or none) is "from the beginning"; anything else must be a number the hub gave. */
export const parseCursor = (text: string | undefined, field = 'after'): number | { readonly error: string } => {
  if (text === undefined || text === '') return 0;
  if (!/^\d{1,16}$/.test(text)) return { error: `${field} must be a cursor the hub gave: up to 16 digits` };
  const value = Number(text);
  return value <= MAX_CURSOR ? value : { error: `${field} is beyond any cursor` };
};

export const formatCursor = (seq: number): string => String(seq);

/** The sort key of an entry: zero-padded so that DynamoDB's string order is the numbers' order. */
export const entrySortKey = (seq: number): string => `C#${String(seq).padStart(16, '0')}`;

/**
 * The entries a reader may be shown now, in order: the longest run from `after` in which every gap
 * is settled. `entries` are those read after `after`, in cursor order.
 */
export const settledPrefix = <E extends Entry>(entries: readonly E[], after: number, now: number, settleMs = SETTLE_MS): E[] => {
  const shown: E[] = [];
  let expected = after + 1;
  for (const entry of entries) {
    if (entry.seq !== expected && entry.writtenAt > now - settleMs) break;
    shown.push(entry);
    expected = entry.seq + 1;
  }
  return shown;
};

export interface Page<E extends Entry> {
  /** The messages of types the caller receives, at most `limit`. */
  readonly messages: E[];
  /** Where to continue: past every message shown and every skipped one before it. */
  readonly next: number;
}

/**
 * One page for one caller: the settled entries after `after`, those of types it does not receive
 * skipped (the cursor still moves past them), at most `limit` messages.
 */
export const pageFor = <E extends Entry>(
  entries: readonly E[],
  options: { readonly after: number; readonly limit: number; readonly now: number; readonly receives: (type: string) => boolean; readonly settleMs?: number },
): Page<E> => {
  const messages: E[] = [];
  let next = options.after;
  for (const entry of settledPrefix(entries, options.after, options.now, options.settleMs)) {
    if (messages.length === options.limit) break;
    if (options.receives(entry.type)) messages.push(entry);
    next = entry.seq;
  }
  return { messages, next };
};
