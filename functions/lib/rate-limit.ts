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
 * `perSecond`. The price is a rate `1000 / (1000 + marginMs)` of the limit (94 % at 60 ms).
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

/**
 * The reason a departure's waiters are released with (nobody reads it). Without one, `abort()`
 * builds a DOMException, stack and all, for every request let through: in the benchmark's CPU
 * profile about 70 µs a request, more than the pacing's own arithmetic.
 */
const DEPARTED = Symbol('departed');

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    }),
};

/**
 * The spread of start-to-arrival time the pacing allows for, unless configured
 * (`KOTO_RATE_MARGIN_MS`); all of it is left for the way. Measured in the benchmark, where the way
 * runs through the security server's stand-in to the register's mock. While the machine (2 cores)
 * held the registers' process back, by up to 140 ms, 70 ms let three runs in seventeen count one
 * over a limit and the margin was 75. With the registers' process given the CPU first, as a register
 * has a machine of its own, the way took at most 46 ms more for one request than for the one a
 * limit's worth after it, in ten runs: 60 ms covers that with some to spare.
 */
export const DEFAULT_MARGIN_MS = 60;

/** A request let through: the earliest it may leave (epoch ms). The caller holds its bytes until then. */
export interface Grant {
  readonly leaveAt: number;
}

/** What the X-Road client asks before each request. */
export interface OutboundLimiter {
  /**
   * Resolves with the request's grant when it may start, after waiting for its turn; callers are
   * served in the order they asked. With a deadline (epoch ms), resolves undefined at once, taking
   * no slot, when the slot would only come after it.
   */
  acquire(deadline?: number): Promise<Grant | undefined>;
  /**
   * The request granted last has left — its bytes were handed to the socket — at `at` (epoch ms),
   * or, without `at`, will not leave. A limiter that paces from departures starts the next request
   * one interval after it; one that does not, ignores it.
   */
  departed?(at?: number): void;
  /**
   * Whether it has held a request back for its slot lately (within a second, or two intervals if
   * longer): the system is paced now, and its answers come an interval or more apart.
   */
  holdingBack?(): boolean;
}

/** The least wait for a slot that counts as holding a request back (below it, a limit far above the traffic: a fraction of a millisecond). */
const HELD_MS = 1;

/** A limiter's waits for slots: sleeps them, and remembers when one last held a request back (`holdingBack`). */
class SlotWaits {
  private heldAt = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly interval: number,
  ) {}

  async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    if (ms >= HELD_MS) this.heldAt = this.clock.now();
    await this.clock.sleep(ms);
  }

  /** Whether a request was held back lately: within a second, or two intervals if longer. */
  heldLately(): boolean {
    return this.clock.now() - this.heldAt <= Math.max(1000, 2 * this.interval);
  }
}

export const pacingInterval = (perSecond: number, marginMs = DEFAULT_MARGIN_MS): number => {
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError('a rate limit is more than zero requests per second');
  if (!Number.isFinite(marginMs) || marginMs < 0) throw new RangeError('the pacing margin is zero or more milliseconds');
  return (1000 + marginMs) / perSecond;
};

/**
 * How early a request whose departure is reported is let through before its slot: the way from the
 * grant to the socket (the caller's own steps, the socket's turn on the event loop) is 1–3 ms as a
 * rule on a loaded machine; the request then holds its bytes until the slot, so the way costs no
 * rate. A request that needs longer leaves late, and the next to share a second with it waits for it.
 */
export const GRANT_LEAD_MS = 20;

/**
 * Paces the requests of one process: each starts one interval after the previous one. Callers wait
 * their turn in the order they asked; a turn that comes late (a timer fires late on a busy event
 * loop) pushes the next one back instead of letting the two start together.
 *
 * With `departureWaitMs` the caller reports when each request really left (`departed`), and a
 * request "starts" when it leaves, not when it was let through: between the two lie the caller's
 * own steps and the socket's turn on the event loop — measured on a loaded machine, 2 ms as a rule
 * and up to 165 ms, three times the margin, so that late departures bunched at the register. Then:
 * - a turn waits (at most `departureWaitMs`) for the previous request to leave;
 * - the request is let through `GRANT_LEAD_MS` before its slot (`leaveAt`) and holds its bytes until
 *   then, so departures keep to the slots whatever the usual few milliseconds of that way;
 * - the register's own count is kept on the departures themselves: a request leaves no sooner than
 *   one second and the margin after the departure `perSecond` requests before it (the window), so
 *   any `perSecond + 1` departures span at least that, whatever was late: the whole margin is left
 *   for the way from the socket to the register;
 * - the slots are a grid, one interval apart, for evenness: a departure up to half an interval late
 *   leaves the grid where it was, and only the request `perSecond` after it — the next to share a
 *   second with it — waits for it. Moving the whole grid on after each late departure instead lost
 *   every late millisecond of the run: 1.3 s of a 65 s benchmark run at UMA's 10/s. A departure
 *   later than that moves the grid on to half an interval after it, so no two requests leave closer
 *   than half an interval.
 */
export class RateLimiter implements OutboundLimiter {
  readonly interval: number;
  /** Requests let through so far (counted before the caller resumes). */
  granted = 0;
  /** The grid slot of the request let through last (its slot, unless its window held it later). */
  private lastSlot = -Infinity;
  /** When the request let through last left, as it reported; its slot until then, and when departures are not reported. */
  private lastStart = -Infinity;
  /** The last `perSecond` departures reported, oldest first: the register's window. */
  private readonly departures: number[] = [];
  /** How many departures one window holds, and the least time from the oldest of them to the next. */
  private readonly windowCount: number;
  private readonly windowSpan: number;
  /** Callers that asked and have not had their turn yet. */
  private waiting = 0;
  private readonly slotWaits: SlotWaits;
  private tail: Promise<unknown> = Promise.resolve();
  /** The request let through last whose departure is awaited: aborted when it left, which ends its waiters' wait. */
  private leaving?: AbortController;
  /** How late a departure may be and still leave the grid where it was (0 when departures are not reported). */
  private readonly tolerance: number;
  /** How early a request is let through before its slot (0 when departures are not reported: nothing holds it). */
  readonly lead: number;

  constructor(
    readonly perSecond: number,
    private readonly clock: Clock = systemClock,
    marginMs = DEFAULT_MARGIN_MS,
    /** How long a turn waits for the previous request's `departed`; 0: departures are not reported. */
    private readonly departureWaitMs = 0,
  ) {
    this.interval = pacingInterval(perSecond, marginMs);
    this.slotWaits = new SlotWaits(clock, this.interval);
    this.windowCount = Math.max(1, Math.floor(perSecond));
    this.windowSpan = Math.max(this.windowCount * this.interval, 1000 + marginMs);
    this.tolerance = departureWaitMs > 0 ? this.interval / 2 : 0;
    this.lead = departureWaitMs > 0 ? Math.min(GRANT_LEAD_MS, this.interval / 2) : 0;
  }

  /** The grid's next slot: one interval on, and not closer to the last start than the tolerance allows. */
  private nextGridSlot(): number {
    return Math.max(this.lastSlot + this.interval, this.lastStart + this.interval - this.tolerance);
  }

  /** The earliest the next request may leave by the register's window: a window after the departure `perSecond` requests back. */
  private windowSlot(): number {
    return this.departures.length === this.windowCount ? this.departures[0]! + this.windowSpan : -Infinity;
  }

  private nextSlot(): number {
    return Math.max(this.nextGridSlot(), this.windowSlot());
  }

  acquire(deadline?: number): Promise<Grant | undefined> {
    // The earliest this caller can start, after everyone already waiting: refused at once, taking no
    // turn, when that is past its deadline.
    const earliest = Math.max(this.clock.now(), this.nextSlot() + this.waiting * this.interval);
    if (deadline !== undefined && earliest > deadline) return Promise.resolve(undefined);
    this.waiting++;
    const turn = this.tail.then(async (): Promise<Grant | undefined> => {
      try {
        const leaving = this.leaving;
        if (leaving) {
          await this.clock.sleep(this.departureWaitMs, leaving.signal);
          if (this.leaving === leaving) this.departed();
        }
        await this.slotWaits.wait(this.nextSlot() - this.lead - this.clock.now());
        // A turn that came late takes the present as its slot: the grid moves on from it. One its
        // window holds back leaves the grid where it was.
        const now = this.clock.now();
        const grid = this.nextGridSlot();
        const planned = Math.max(grid, this.windowSlot());
        const slot = Math.max(planned, now);
        if (deadline !== undefined && slot > deadline) return undefined;
        this.lastSlot = now > planned ? now : grid;
        this.lastStart = slot;
        this.granted++;
        if (this.departureWaitMs > 0) this.leaving = new AbortController();
        return { leaveAt: slot };
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
      this.departures.push(at);
      if (this.departures.length > this.windowCount) this.departures.shift();
    }
    leaving.abort(DEPARTED);
  }

  holdingBack(): boolean {
    return this.slotWaits.heldLately();
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
  private readonly slotWaits: SlotWaits;

  constructor(private readonly options: SharedRateLimiterOptions) {
    this.interval = pacingInterval(options.perSecond, options.marginMs);
    this.block = Math.max(1, Math.floor(options.block ?? 4));
    this.clock = options.clock ?? systemClock;
    this.slotWaits = new SlotWaits(this.clock, this.interval);
    this.key = { pk: `PACING#${options.system}` };
  }

  acquire(deadline?: number): Promise<Grant | undefined> {
    const turn = this.queue.then(() => this.nextSlot(deadline));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async nextSlot(deadline?: number): Promise<Grant | undefined> {
    // A slot more than one interval in the past is stale: spending it would start two at once.
    const now = this.clock.now();
    while (this.slots.length > 0 && this.slots[0]! < now - this.interval) this.slots.shift();
    if (this.slots.length === 0) this.slots = await this.reserve();
    const slot = this.slots[0]!;
    if (deadline !== undefined && slot > deadline) return undefined;
    this.slots.shift();
    await this.slotWaits.wait(slot - this.clock.now());
    return { leaveAt: slot };
  }

  holdingBack(): boolean {
    return this.slotWaits.heldLately();
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
