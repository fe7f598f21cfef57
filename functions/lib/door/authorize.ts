/**
 * Authorization at the door (issue #10, item 2): what an authenticated client may post. Pure: the
 * client's record, the envelope, the municipalities the hub serves and today's date in, a verdict
 * out. Both runtimes call it after the envelope has passed its contract (functions/ingress/accept.ts).
 *
 * A refusal names the rule, never the value that broke it: the answer goes back to the caller and
 * into the audit log, and a value could be anything the caller pasted.
 */
import type { Caller } from '#contracts/clients';
import type { Envelope } from '#contracts/envelope';

export const DOOR_RULES = {
  'source-not-yours': 'source must be the system of the calling client (the hub stamps it; leave it out or send your own)',
  'target-not-hub': 'target must be hub: ingress takes messages to the hub only',
  'type-not-permitted': 'the calling client may not send this message type',
  'municipality-not-yours': 'the calling client does not act for this municipality',
  'municipality-not-served': 'the hub does not serve this municipality',
  'as-of-out-of-range': "a run's asOf must be a day from 2025-01-01 (Act 681/2023 in force) to 31 days after today",
  'occurred-at-out-of-range': "a referral's occurredAt is the day it is judged on: from 2025-01-01 (Act 681/2023 in force) to now",
} as const;

export type DoorRule = keyof typeof DOOR_RULES;

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly rule: DoorRule; readonly message: string };

/**
 * The earliest as-of day of an outreach run: Act 681/2023 on the promotion of integration, whose
 * outreach duty the rules apply, entered into force on 1 January 2025. A run as of an earlier day
 * has no legal basis and would only make the hub look people up in VTJ for nothing (1900-01-01
 * looked up 749 people of the sample population).
 */
export const EARLIEST_AS_OF = '2025-01-01';

/** The latest as-of day is this many days after today: a run prepared for the coming month, not a year ahead. */
export const AS_OF_DAYS_AHEAD = 31;

/** How far ahead of the hub's clock a sender's clock may be. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Is a referral's `occurredAt` a time the outreach rules can judge it on? Its day is the day D the
 * person is looked up and decided as of; a day before the Act or in the future would decide on
 * nonsense and hold the person as pending for the candidate's lifetime.
 */
export const occurredAtInWindow = (occurredAt: string, nowMs: number): boolean => {
  const at = Date.parse(occurredAt);
  return Number.isFinite(at) && day(at) >= EARLIEST_AS_OF && at <= nowMs + CLOCK_SKEW_MS;
};

const day = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

/** Is `asOf` (YYYY-MM-DD) inside the window on `todayMs`? */
export const asOfInWindow = (asOf: string, todayMs: number): boolean =>
  asOf >= EARLIEST_AS_OF && asOf <= day(todayMs + AS_OF_DAYS_AHEAD * 86_400_000);

const refuse = (rule: DoorRule): Verdict => ({ ok: false, rule, message: DOOR_RULES[rule] });

export interface DoorContext {
  /** The municipalities the hub serves (KOTO_MUNICIPALITIES). */
  readonly served: readonly string[];
  /** Epoch ms now: the as-of window moves with it. */
  readonly now: number;
}

/**
 * The rules, in the order they are checked. `source` is compared after the door stamped a missing
 * one (`stampSource`), so a body that leaves it out speaks as its client and one that names
 * another system is refused.
 */
export const authorize = (caller: Caller, envelope: Envelope, context: DoorContext): Verdict => {
  if (envelope.source !== caller.system) return refuse('source-not-yours');
  if (envelope.target !== 'hub') return refuse('target-not-hub');
  if (!caller.sends.includes(envelope.type)) return refuse('type-not-permitted');
  if (!caller.municipalities.includes(envelope.municipality)) return refuse('municipality-not-yours');
  if (!context.served.includes(envelope.municipality)) return refuse('municipality-not-served');
  if (envelope.type === 'outreach.run.requested.v1') {
    const asOf = (envelope.payload as { asOf?: unknown }).asOf;
    if (typeof asOf !== 'string' || !asOfInWindow(asOf, context.now)) return refuse('as-of-out-of-range');
  }
  if (envelope.type === 'outreach.referral.v1' && !occurredAtInWindow(envelope.occurredAt, context.now)) return refuse('occurred-at-out-of-range');
  return { ok: true };
};

/**
 * The hub stamps `source` from the identity: an item that leaves it out gets its client's system.
 * One that names a system keeps it, for `authorize` to refuse when it is another's.
 */
export const stampSource = (item: unknown, caller: Caller): unknown =>
  item !== null && typeof item === 'object' && !Array.isArray(item) && !Object.hasOwn(item, 'source') ? { ...item, source: caller.system } : item;
