/**
 * A municipal system's round trip through koto-hub, start to end:
 *
 * 1. post an `outreach.referral.v1` envelope (the hub stamps your `source` from your certificate);
 * 2. read your municipality's inbox after your cursor until the decision on it (`outreach.decision.v1`,
 *    the same `correlationId`) is there, handling every message on the way;
 * 3. acknowledge each page once its messages are handled, so the next read starts after them;
 * 4. with a webhook registered, the same decision is also pushed to your receiver, verified there.
 *
 * What it prints names messages by type and ids only: a decision carries a personal identity code,
 * which belongs in your case system, not in a log.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Envelope, HubClient, HubConnection } from './hub-client.ts';
import { connectToHub, HubError } from './hub-client.ts';
import type { WebhookPayload } from './webhook-receiver.ts';

export interface RoundTripOptions extends HubConnection {
  /** Your municipality's code, e.g. `905` (Vaasa): one your client acts for. */
  readonly municipality: string;
  /** The person referred (a personal identity code, HETU); a made-up one when left out. */
  readonly hetu?: string;
  /** With a webhook receiver running: the verified push of a message, by its id, once it has come. */
  readonly pushed?: (messageId: string) => WebhookPayload | undefined;
  /** How long to wait for the decision and its push. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface RoundTrip {
  readonly referral: { readonly messageId: string; readonly correlationId: string };
  readonly decision: { readonly cursor: string; readonly message: Envelope };
  /** Your acknowledged cursor after the round trip. */
  readonly acknowledged: string;
  /** The push of the decision, verified (when a webhook secret was given). */
  readonly pushed?: WebhookPayload;
}

/** Your organisation, as the referral names it; a placeholder business ID (Y-tunnus) of the right form. */
const BUSINESS_ID = '0209602-6';

/** A referral of one person to your municipality's outreach, with fresh ids. `source` is left out: the hub stamps it. */
export const referralEnvelope = (municipality: string, hetu: string, now = new Date()): Envelope => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type: 'outreach.referral.v1',
  target: 'hub',
  municipality,
  occurredAt: now.toISOString(),
  payload: {
    referrer: { authority: `municipality:${municipality}`, businessId: BUSINESS_ID },
    hetu,
    reason: 'UNEMPLOYED_JOBSEEKER',
    referredOn: now.toISOString().slice(0, 10),
  },
});

/**
 * A made-up person to refer: born in the 1980s or 1990s, individual number 900–999, the range test
 * identity codes use, never a real person's. Fresh each time, because the hub decides a person once
 * (a second referral of someone already referred gets no second decision).
 */
export const testHetu = (): string => {
  const born = new Date(Date.UTC(1980, 0, 1) + randomInt(0, 20 * 365) * 86_400_000);
  const ddmmyy = [born.getUTCDate(), born.getUTCMonth() + 1, born.getUTCFullYear() % 100].map((n) => String(n).padStart(2, '0')).join('');
  const individual = String(randomInt(900, 1000));
  // The check character: the nine digits modulo 31, in this alphabet (DVV's rule for the code).
  const check = '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(ddmmyy + individual) % 31];
  return `${ddmmyy}-${individual}${check}`;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a decision says, without the person: `target`, or `excluded ALREADY_ASSESSED`, … */
const outcome = (message: Envelope): string => {
  const decision = message.payload.decision as { kind?: string; code?: string } | undefined;
  return decision ? [decision.kind, decision.code].filter(Boolean).join(' ') : '';
};

/**
 * Reads the inbox from your acknowledged cursor, page by page, acknowledging each page once handled,
 * until `wanted` finds a message; polls once a second while the inbox has nothing new.
 */
export const readInboxUntil = async (
  hub: HubClient,
  municipality: string,
  wanted: (message: Envelope) => boolean,
  options: { readonly deadline: number; readonly log: (line: string) => void },
): Promise<{ readonly cursor: string; readonly message: Envelope; readonly acknowledged: string }> => {
  let after: string | undefined; // undefined: start from the acknowledged cursor
  let found: { cursor: string; message: Envelope } | undefined;
  for (;;) {
    const page = await hub.pull(municipality, after);
    for (const entry of page.messages) {
      // Handle (store) each message here; the hub delivers at least once, so keep the messageIds you have.
      options.log(`  inbox ${entry.cursor}: ${entry.message.type} ${entry.message.messageId} ${outcome(entry.message)}`.trimEnd());
      if (!found && wanted(entry.message)) found = entry;
    }
    if (page.next !== page.acknowledged) {
      const ack = await hub.ack(municipality, page.next);
      if (ack.status !== 200) throw new HubError(ack.status, ack.body);
    }
    after = page.next;
    if (found) return { ...found, acknowledged: page.next };
    if (!page.more) {
      if (Date.now() > options.deadline) throw new Error(`no such message in the inbox of ${municipality} in time`);
      await sleep(1_000);
    }
  }
};

export const roundTrip = async (options: RoundTripOptions): Promise<RoundTrip> => {
  const log = options.log ?? ((line: string) => console.log(line));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const hub = connectToHub(options);
  try {
    const envelope = referralEnvelope(options.municipality, options.hetu ?? testHetu());
    const posted = await hub.post(envelope);
    if (posted.status !== 202) throw new HubError(posted.status, posted.body);
    log(`referral posted: messageId ${envelope.messageId}, correlationId ${envelope.correlationId}`);

    const decision = await readInboxUntil(
      hub,
      options.municipality,
      (message) => message.type === 'outreach.decision.v1' && message.correlationId === envelope.correlationId,
      { deadline, log },
    );
    log(`decision ${decision.message.messageId}: ${outcome(decision.message)}; acknowledged up to cursor ${decision.acknowledged}`);

    let pushed: WebhookPayload | undefined;
    if (options.pushed) {
      while (!(pushed = options.pushed(decision.message.messageId))) {
        if (Date.now() > deadline) throw new Error('the decision was not pushed to the webhook in time: is this client registered with --webhook pointing here?');
        await sleep(200);
      }
      log('the same decision came by webhook');
    }
    return {
      referral: { messageId: envelope.messageId, correlationId: envelope.correlationId },
      decision: { cursor: decision.cursor, message: decision.message },
      acknowledged: decision.acknowledged,
      ...(pushed ? { pushed } : {}),
    };
  } finally {
    hub.close();
  }
};
