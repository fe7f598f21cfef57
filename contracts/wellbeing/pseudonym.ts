/**
 * The pseudonym of a person in one request to a county: HMAC-SHA256 under a key only the hub holds,
 * of the request id and the municipality's own person reference, as 32 hexadecimal characters
 * (128 bits). Without the key nobody can compute it or test a guess (a HETU has only some 10⁹
 * values; a plain hash of one is reversed by trying them all); the same person in two requests has
 * two unrelated pseudonyms, so a county cannot link requests through it. The hub maps a pseudonym
 * back through what it stored when it sent the request (`PseudonymStore`), not by computation.
 */
import { createHmac } from 'node:crypto';

/** Versioned, so a changed construction can never collide with pseudonyms already sent. */
const DOMAIN = 'koto-hub/wellbeing-pseudonym/v1';

export const PSEUDONYM_PATTERN = /^[0-9a-f]{32}$/;

export function pseudonymOf(key: Uint8Array, requestId: string, personRef: string): string {
  if (key.byteLength < 32) throw new Error('the pseudonym key must be at least 32 bytes');
  return createHmac('sha256', key).update(`${DOMAIN}\0${requestId}\0${personRef}`).digest('hex').slice(0, 32);
}

/** One person of one request, as the hub keeps it until the answer is in (or the entry expires). */
export interface PseudonymEntry {
  /** The request: the envelope's correlation id. */
  readonly requestId: string;
  readonly pseudonym: string;
  /** The municipality's own reference, restored on the answer. */
  readonly personRef: string;
  readonly municipality: string;
  /** Epoch seconds after which the entry is gone (the correlation table's TTL attribute). */
  readonly expiresAt: number;
}

/**
 * Where the hub keeps the entries: the correlation table, keyed by request id and pseudonym, with
 * a TTL. The table and its implementation come with the flow; this is what the flow may rely on.
 */
export interface PseudonymStore {
  /** Keeps every entry of one request; writing the same entries again has no further effect. */
  put(entries: readonly PseudonymEntry[]): Promise<void>;
  /** The entries of a request; empty when it is unknown or its entries have expired. */
  entriesOf(requestId: string): Promise<readonly PseudonymEntry[]>;
}

/** Days an entry outlives its request's deadline, so a late answer can still be recognised as late. */
export const PSEUDONYM_GRACE_DAYS = 90;

/** When the entries of a request due at `dueAt` expire: the grace period after the deadline. */
export const pseudonymExpiry = (dueAt: string, graceDays = PSEUDONYM_GRACE_DAYS): number =>
  Math.floor(Date.parse(dueAt) / 1000) + graceDays * 86_400;
