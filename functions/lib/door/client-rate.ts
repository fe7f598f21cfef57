/**
 * Each client's rate at the door: a token bucket per client holding `ratePerMinute` requests,
 * refilled evenly (one every 60 000 / rate ms), so a client may burst up to its minute's allowance
 * and then goes at its rate. Over it the door answers 429 with `Retry-After`: the whole seconds
 * until one request is allowed again. Hand-written: a bucket is a dozen lines, and the clock must be
 * the caller's so the tests drive time.
 *
 * The buckets live in the process: on the embedded runtime that is the whole hub; in AWS each
 * instance of the ingress function keeps its own (docs/DESIGN.md "The door": the API stage's
 * throttling is the account-wide ceiling).
 */
export interface DoorClock {
  now(): number;
}

interface Bucket {
  tokens: number;
  at: number;
  rate: number;
}

export type RateVerdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: DoorClock = { now: () => Date.now() }) {}

  /** Takes one request of the client's allowance, or says how long to wait. */
  take(clientId: string, ratePerMinute: number): RateVerdict {
    const now = this.clock.now();
    const perMs = ratePerMinute / 60_000;
    const bucket = this.buckets.get(clientId);
    // A new client, or one whose rate was changed in the registry, starts with a full minute.
    const current = !bucket || bucket.rate !== ratePerMinute ? { tokens: ratePerMinute, at: now, rate: ratePerMinute } : bucket;
    const tokens = Math.min(ratePerMinute, current.tokens + Math.max(0, now - current.at) * perMs);
    if (tokens >= 1) {
      this.buckets.set(clientId, { tokens: tokens - 1, at: now, rate: ratePerMinute });
      return { ok: true };
    }
    this.buckets.set(clientId, { tokens, at: now, rate: ratePerMinute });
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
  }
}
