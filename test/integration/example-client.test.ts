/**
 * The example municipal client (examples/municipal-client) against the embedded runtime, over real
 * mutual TLS, as a vendor would run it: the client registered with `koto-hub clients add --webhook`
 * (which writes its signing secret and says where, never what), then its whole round trip — a
 * referral posted, the decision pulled from the inbox and acknowledged, the same decision pushed to
 * the example's own webhook receiver and verified there — and the receiver refusing a replayed, an
 * altered and a forged delivery.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { containsHetuShape } from '#contracts/hetu';
import { connectToHub } from '../../examples/municipal-client/hub-client.ts';
import { roundTrip, type RoundTrip } from '../../examples/municipal-client/round-trip.ts';
import { startWebhookReceiver, type Delivery, type WebhookPayload, type WebhookReceiver } from '../../examples/municipal-client/webhook-receiver.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { koto, SAMPLE, type CliRun } from '../support/outreach-runs.ts';
import { freePort, replay } from '../support/webhook-receiver.ts';

const CLIENT = 'example-905';
/** A person of the sample population in Vaasa (fictional, as all of them are). */
const HETU = '010176-797S';

let hub: TestHub;
let receiver: WebhookReceiver;
let added: CliRun;
let secret: string;
let files: { cert: string; key: string; ca: string; secret: string };
const pushes = new Map<string, { payload: WebhookPayload; delivery: Delivery }>();
const refusals: string[] = [];
const printed: string[] = [];

const cli = (args: readonly string[]): Promise<CliRun> => koto(hub, args);

/** The path `clients add` printed after a label. */
const printedPath = (label: string): string => {
  const line = added.out.split('\n').find((l) => l.trimStart().startsWith(label));
  if (!line) throw new Error(`clients add printed no ${label}`);
  return line.trim().slice(label.length).trim();
};

beforeAll(async () => {
  hub = await startTestHub({ population: SAMPLE });
  const port = await freePort();
  added = await cli([
    'clients', 'add', CLIENT, '--name', 'Vaasa, example client', '--system', 'municipality:905', '--municipalities', '905',
    '--sends', 'outreach.referral.v1', '--receives', 'outreach.decision.v1', '--webhook', `http://127.0.0.1:${port}/webhook`,
  ]);
  expect(added.err).toBe('');
  expect(added.code).toBe(0);
  files = { cert: printedPath('certificate'), key: printedPath('key'), ca: printedPath('hub CA'), secret: printedPath('signing secret') };
  secret = readFileSync(files.secret, 'utf8').trim();
  receiver = await startWebhookReceiver({
    secret,
    port,
    onMessage: (payload, delivery) => void pushes.set(payload.data.message.messageId, { payload, delivery }),
    onRefused: (status, reason) => refusals.push(`${status} ${reason}`),
  });
});
afterAll(async () => {
  await receiver?.close();
  await hub?.stop();
});

describe('koto-hub clients add --webhook', () => {
  it("creates the client's signing secret, owner-readable only, and prints where it is but not what", () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(files.secret).toBe(`${hub.dataDir.webhookSecrets}/${CLIENT}.secret`);
    expect(statSync(files.secret).mode & 0o777).toBe(0o600);
    expect(added.out).not.toContain(secret);
    expect(added.out).not.toContain(secret.slice('whsec_'.length, 20));
  });

  it('shows whether a client with a webhook has its secret, and nothing of one for a client without', async () => {
    const shown = JSON.parse((await cli(['clients', 'show', CLIENT])).out) as Record<string, unknown>;
    expect(shown).toMatchObject({ webhookUrl: receiver.url, webhookSigningSecret: { file: files.secret, exists: true } });
    expect(JSON.stringify(shown)).not.toContain(secret);
    const demo = JSON.parse((await cli(['clients', 'show', 'vaasa-905'])).out) as Record<string, unknown>;
    expect(demo).not.toHaveProperty('webhookSigningSecret');
  });
});

describe("the example municipal client's round trip", () => {
  let trip: RoundTrip;

  beforeAll(async () => {
    trip = await roundTrip({
      hubUrl: hub.doorUrl,
      ...files,
      municipality: '905',
      hetu: HETU,
      timeoutMs: 60_000,
      pushed: (id) => pushes.get(id)?.payload,
      log: (line) => printed.push(line),
    });
  });

  it('posts a referral and pulls its decision from the inbox', () => {
    expect(trip.decision.message).toMatchObject({ type: 'outreach.decision.v1', correlationId: trip.referral.correlationId, municipality: '905', target: 'municipality:905' });
    expect(trip.decision.message.payload).toMatchObject({ origin: 'referral', hetu: HETU });
  });

  it('acknowledges what it read: the next pull starts after the decision', async () => {
    const client = connectToHub({ hubUrl: hub.doorUrl, ...files });
    try {
      const page = await client.pull('905');
      expect(page.acknowledged).toBe(trip.acknowledged);
      expect(Number(page.acknowledged)).toBeGreaterThanOrEqual(Number(trip.decision.cursor));
      expect(page.messages.map((m) => m.message.messageId)).not.toContain(trip.decision.message.messageId);
    } finally {
      client.close();
    }
  });

  it('receives the same decision by webhook, verified with standardwebhooks', () => {
    expect(trip.pushed?.data).toEqual({ cursor: trip.decision.cursor, message: trip.decision.message });
    const { delivery } = pushes.get(trip.decision.message.messageId)!;
    expect(delivery.id).toBe(trip.decision.message.messageId);
    expect(refusals).toEqual([]);
  });

  it('prints messages by type and ids, never the personal identity code', () => {
    expect(printed.some((line) => line.includes(trip.decision.message.messageId))).toBe(true);
    for (const line of printed) expect(containsHetuShape(line), line).toBe(false);
  });
});

describe("the example's webhook receiver", () => {
  const captured = () => pushes.values().next().value!.delivery;

  it('refuses a replay of a delivery it has taken', async () => {
    expect(await replay(receiver.url, captured())).toBe(409);
    expect(refusals.at(-1)).toBe('409 replayed');
  });

  it('refuses a delivery whose body was altered on the way', async () => {
    const delivery = captured();
    const altered = delivery.body.replace('"municipality":"905"', '"municipality":"091"');
    expect(altered).not.toBe(delivery.body);
    expect(await replay(receiver.url, delivery, { body: altered })).toBe(400);
    expect(refusals.at(-1)).toBe('400 bad-signature');
  });

  it('refuses a delivery signed with another secret, under a fresh id', async () => {
    const delivery = captured();
    const at = new Date();
    const forged = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).sign('msg-forged', at, delivery.body);
    const headers = { 'webhook-id': 'msg-forged', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': forged };
    expect(await replay(receiver.url, delivery, { headers })).toBe(400);
    expect(refusals).toEqual(['409 replayed', '400 bad-signature', '400 bad-signature']);
  });
});

describe('koto-hub clients show, the secret gone', () => {
  it('says that the signing secret is missing', async () => {
    rmSync(files.secret);
    const shown = JSON.parse((await cli(['clients', 'show', CLIENT])).out) as Record<string, unknown>;
    expect(shown).toMatchObject({ webhookSigningSecret: { file: files.secret, exists: false } });
  });
});
