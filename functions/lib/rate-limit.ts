/**
 * Outbound rate limit toward one external system, as the register counts it: requests *arrive* at
 * most `perSecond` in any window of one second.
 *
 * Requests are paced, not bunched: one every `interval` ms, where
 * `interval = (1000 + marginMs) / perSecond`. Starting a whole second's allowance at once (a
 * sliding window counted when a request is allowed) let the way to the register reorder and bunch
 * them: 30 arrivals at VTJ in one second against its 20. With even starts, a second of arrivals
 * can hold at most `ceil((1000 + spread) / interval)` requests, where `spread` is how much the time
 * from start to arrival varies; `marginMs` is the spread allowed for, so that count stays within
 * `perSecond`. The price is a rate `1000 / (1000 + marginMs)` of the limit (95 % at 50 ms).
 *
 * The limit holds across everything that calls the system: on the embedded runtime every
 * invocation shares one process and one `RateLimiter`; in AWS the instances share one pacing
 * record in DynamoDB (`SharedRateLimiter`), reserving slots in small blocks.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` is aborted (the sleeper no longer waits). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    }),
};

/** The spread of start-to-arrival time the pacing allows for, unless configured (`KOTO_RATE_MARGIN_MS`). */
export const DEFAULT_MARGIN_MS = 50;

/** What the X-Road client asks before each request. */
export interface OutboundLimiter {
  /**
   * Resolves true when the request may start, after waiting for its slot; callers are served in
   * the order they asked. With a deadline (epoch ms), resolves false at once, taking no slot, when
   * the slot would only come after it.
   */
  acquire(deadline?: number): Promise<boolean>;
  /**
   * The request granted last has left — its bytes were handed to the socket — at `at` (epoch ms),
   * or, without `at`, will not leave. A limiter that paces from departures starts the next request
   * one interval after it; one that does not, ignores it.
   */
  departed?(at?: number): void;
}

export const pacingInterval = (perSecond: number, marginMs = DEFAULT_MARGIN_MS): number => {
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError('a rate limit is more than zero requests per second');
  if (!Number.isFinite(marginMs) || marginMs < 0) throw new RangeError('the pacing margin is zero or more milliseconds');
  return (1000 + marginMs) / perSecond;
};

/** Grant-to-departure times remembered for the lead (the least of them is used). */
const LEADS_KEPT = 8;

/**
 * Paces the requests of one process: each starts one interval after the previous one *really*
 * started. Callers wait their turn in the order they asked; a turn that comes late (a timer fires
 * late on a busy event loop) pushes the next one back instead of letting the two start together, so
 * that lateness does not eat into the margin.
 *
 * With `departureWaitMs` the caller reports when each request really left (`departed`), and a
 * request "starts" when it leaves, not when it was let through: between the two lie the caller's
 * own steps and the socket's turn on the event loop — measured on a loaded machine, 2 ms as a rule
 * and up to 165 ms, three times the margin, so that late departures bunched at the register. A turn
 * then waits (at most `departureWaitMs`) for the previous request to leave and paces from that
 * moment. So as not to lose the rate to the usual few milliseconds of that way, a request is let
 * through early by the least recent grant-to-departure time (its lead), never by more than half the
 * margin's share of an interval: departures stay at least `1000 / perSecond` ms apart whatever the
 * lead, and half the margin is kept for the way to the register.
 */
export class RateLimiter implements OutboundLimiter {
  readonly interval: number;
  /** Requests let through so far (counted before the caller resumes). */
  granted = 0;
  private lastStart = -Infinity;
  /** Callers that asked and have not had their turn yet. */
  private waiting = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** The request let through last whose departure is awaited: when it was let through, and its waiters. */
  private leaving?: { readonly grantedAt: number; readonly left: AbortController };
  private leads: number[] = [];
  private readonly maxLead: number;

  constructor(
    readonly perSecond: number,
    private readonly clock: Clock = systemClock,
    marginMs = DEFAULT_MARGIN_MS,
    /** How long a turn waits for the previous request's `departed`; 0: departures are not reported. */
    private readonly departureWaitMs = 0,
  ) {
    this.interval = pacingInterval(perSecond, marginMs);
    this.maxLead = (this.interval - 1000 / perSecond) / 2;
  }

  /** How early a request is let through: the least recent grant-to-departure time, within half the margin's share. */
  get lead(): number {
    return this.leads.length === 0 ? 0 : Math.min(this.maxLead, ...this.leads);
  }

  acquire(deadline?: number): Promise<boolean> {
    // The earliest this caller can start, after everyone already waiting: refused at once, taking no
    // turn, when that is past its deadline.
    const earliest = Math.max(this.clock.now(), this.lastStart + (this.waiting + 1) * this.interval - this.lead);
    if (deadline !== undefined && earliest > deadline) return Promise.resolve(false);
    this.waiting++;
    const turn = this.tail.then(async () => {
      try {
        const leaving = this.leaving;
        if (leaving) {
          await this.clock.sleep(this.departureWaitMs, leaving.left.signal);
          if (this.leaving === leaving) this.departed();
        }
        const wait = this.lastStart + this.interval - this.lead - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        if (deadline !== undefined && this.clock.now() > deadline) return false;
        this.lastStart = this.clock.now();
        this.granted++;
        if (this.departureWaitMs > 0) this.leaving = { grantedAt: this.lastStart, left: new AbortController() };
        return true;
      } finally {
        this.waiting--;
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  departed(at?: number): void {
    const leaving = this.leaving;
    if (!leaving) return;
    this.leaving = undefined;
    if (at !== undefined) {
      this.lastStart = Math.max(this.lastStart, at);
      this.leads = [...this.leads, Math.max(0, at - leaving.grantedAt)].slice(-LEADS_KEPT);
    }
    leaving.left.abort();
  }

  /** Runs `fn` once a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    return fn();
  }
}

export interface SharedRateLimiterOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The external system: one pacing record per system. */
  readonly system: string;
  readonly perSecond: number;
  readonly marginMs?: number;
  /** Slots reserved per DynamoDB write (default 4): fewer writes, a little unused allowance when a block is left over. */
  readonly block?: number;
  readonly clock?: Clock;
}

/**
 * Paces the requests of every instance that calls one system, through one record in DynamoDB:
 * `nextSlotAt`, the earliest time the next request may start. An instance reserves `block` slots
 * in one atomic write — `ADD nextSlotAt :span` while the record is ahead of now, or
 * `SET nextSlotAt = :now + :span` when it has fallen behind (an idle system) — and hands them out
 * in order. Both writes are conditional single-item updates, so they work on every DynamoDB the
 * hub runs on; a lost race is retried with the other write. A slot that has passed before it is
 * used is dropped, never spent late: late slots would bunch.
 */
export class SharedRateLimiter implements OutboundLimiter {
  readonly interval: number;
  private readonly block: number;
  private readonly clock: Clock;
  private readonly key: { pk: string };
  private slots: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SharedRateLimiterOptions) {
    this.interval = pacingInterval(options.perSecond, options.marginMs);
    this.block = Math.max(1, Math.floor(options.block ?? 4));
    this.clock = options.clock ?? systemClock;
    this.key = { pk: `PACING#${options.system}` };
  }

  acquire(deadline?: number): Promise<boolean> {
    const turn = this.queue.then(() => this.nextSlot(deadline));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async nextSlot(deadline?: number): Promise<boolean> {
    // A slot more than one interval in the past is stale: spending it would start two at once.
    const now = this.clock.now();
    while (this.slots.length > 0 && this.slots[0]! < now - this.interval) this.slots.shift();
    if (this.slots.length === 0) this.slots = await this.reserve();
    const slot = this.slots[0]!;
    if (deadline !== undefined && slot > deadline) return false;
    this.slots.shift();
    const wait = slot - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    return true;
  }

  /** Reserves `block` consecutive slots; returns their start times. */
  private async reserve(): Promise<number[]> {
    const span = this.block * this.interval;
    const { documents, tableName } = this.options;
    for (let attempt = 0; attempt < 8; attempt++) {
      const now = this.clock.now();
      const expiresAt = Math.ceil(now / 1000) + 3600;
      try {
        const ahead = await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: this.key,
            UpdateExpression: 'ADD nextSlotAt :span SET expiresAt = :expiresAt',
            ConditionExpression: 'nextSlotAt >= :now',
            ExpressionAttributeValues: { ':span': span, ':now': now, ':expiresAt': expiresAt },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return this.slotsEndingAt(Number(ahead.Attributes?.nextSlotAt));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: this.key,
            UpdateExpression: 'SET nextSlotAt = :end, expiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(nextSlotAt) OR nextSlotAt < :now',
            ExpressionAttributeValues: { ':end': now + span, ':now': now, ':expiresAt': expiresAt },
          }),
        );
        return this.slotsEndingAt(now + span);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`pacing: could not reserve a slot toward ${this.options.system} after 8 attempts`);
  }

  private slotsEndingAt(end: number): number[] {
    return Array.from({ length: this.block }, (_, i) => end - (this.block - i) * this.interval);
  }
}

const isConditionFailure = (error: unknown): boolean => (error as { name?: string })?.name === 'ConditionalCheckFailedException';
