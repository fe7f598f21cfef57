/**
 * Delivery per municipality through the real embedded runtime: an outreach run and a referral end in
 * their municipality's inbox and nowhere else, a client pages and acknowledges, fetches its own
 * target list and not another's, and its webhook gets each message signed as Standard Webhooks says.
 * Every call goes through the mutual-TLS door with the client's own certificate.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSecret } from '#functions/inbox/clients';
import { Webhook } from 'standardwebhooks';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { referral } from '../support/envelopes.ts';
import { requestRun, SAMPLE } from '../support/outreach-runs.ts';
import { asClient, pull, pullAll, registerClients } from '../support/inbox.ts';
import { replay, startReceiver, type Receiver } from '../support/webhook-receiver.ts';

const RATE_LIMITS = { KOTO_RATE_LIMIT_VTJ: '500', KOTO_RATE_LIMIT_UMA: '500', KOTO_RATE_LIMIT_DATASTORE: '500', KOTO_RATE_LIMIT_KELMU: '500' };
const savedEnv = Object.fromEntries(Object.keys(RATE_LIMITS).map((name) => [name, process.env[name]]));
const RECEIVES = ['outreach.list.ready.v1', 'outreach.decision.v1'];

let hub: TestHub;
let receiver: Receiver;
let secret: string;
const runId = randomUUID();
const referred = referral({ municipality: '905' });

beforeAll(async () => {
  Object.assign(process.env, RATE_LIMITS);
  hub = await startTestHub({ population: SAMPLE, scheduleSeconds: 0 });
  secret = createWebhookSecret(hub.dataDir.webhookSecrets, 'vaasa');
  receiver = await startReceiver(secret);
  await registerClients(hub, [
    { clientId: 'vaasa', municipalities: ['905'], receives: RECEIVES, webhook: { url: receiver.url } },
    { clientId: 'helsinki', municipalities: ['091'], receives: RECEIVES },
  ]);
  await requestRun(hub, { runId, municipality: '905', asOf: '2026-11-01' });
  expect((await hub.post(referred)).status).toBe(202);
});
afterAll(async () => {
  await receiver?.close();
  await hub?.stop();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const inboxOf = async (clientId: string, municipality: string) => pullAll(hub, clientId, municipality);
const waitFor = (clientId: string, municipality: string, correlationId: string, type: string) =>
  eventually(async () => (await inboxOf(clientId, municipality)).find((m) => m.message.correlationId === correlationId && m.message.type === type), `${type} in ${municipality}'s inbox`, 60_000);

describe("a municipality's inbox", () => {
  it("holds the run's list-ready message for 905, and 091's inbox does not", async () => {
    const ready = await waitFor('vaasa', '905', runId, 'outreach.list.ready.v1');
    expect(ready.message).toMatchObject({ municipality: '905', target: 'municipality:905' });
    // The run completed, and helsinki's inbox (its own) holds nothing of it.
    expect((await inboxOf('helsinki', '091')).some((m) => m.message.correlationId === runId)).toBe(false);
  });

  it('holds the single decision of a referral for 905', async () => {
    const decided = await waitFor('vaasa', '905', referred.correlationId, 'outreach.decision.v1');
    expect(decided.message.municipality).toBe('905');
    expect((await inboxOf('helsinki', '091')).some((m) => m.message.correlationId === referred.correlationId)).toBe(false);
  });

  it("refuses another municipality's inbox with 403 naming the rule, and an unknown caller with 401", async () => {
    const response = await asClient(hub, 'helsinki', '/inbox/905/messages');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'own-municipality-only' });
    expect((await asClient(hub, 'helsinki', '/inbox/905/ack', { method: 'POST', body: '{"cursor":"1"}' })).status).toBe(403);
    expect((await asClient(hub, 'nobody', '/inbox/905/messages')).status).toBe(401);
  });

  it('pages one message at a time in cursor order, the same messages as one long page', async () => {
    await waitFor('vaasa', '905', referred.correlationId, 'outreach.decision.v1');
    const whole = await pullAll(hub, 'vaasa', '905', 100);
    const oneByOne = await pullAll(hub, 'vaasa', '905', 1);
    expect(oneByOne.map((m) => m.cursor)).toEqual(whole.map((m) => m.cursor));
    expect(whole.length).toBeGreaterThanOrEqual(2);
    const cursors = whole.map((m) => Number(m.cursor));
    expect(cursors).toEqual(cursors.toSorted((a, b) => a - b));
    expect(new Set(whole.map((m) => m.message.messageId)).size).toBe(whole.length);
  });

  it('resumes after the acknowledged cursor, which never moves back', async () => {
    const whole = await pullAll(hub, 'vaasa', '905');
    const first = whole[0]!.cursor;
    const ack = await asClient(hub, 'vaasa', '/inbox/905/ack', { method: 'POST', body: JSON.stringify({ cursor: first }) });
    expect(await ack.json()).toEqual({ municipality: '905', acknowledged: first });
    const resumed = await pull(hub, 'vaasa', '905');
    expect(resumed.acknowledged).toBe(first);
    expect(resumed.messages.map((m) => m.cursor)).toEqual(whole.slice(1).map((m) => m.cursor));
    const back = await asClient(hub, 'vaasa', '/inbox/905/ack', { method: 'POST', body: JSON.stringify({ cursor: '0' }) });
    expect(await back.json()).toMatchObject({ acknowledged: first });
  });

  it('stores a redelivered message once', async () => {
    const ready = await waitFor('vaasa', '905', runId, 'outreach.list.ready.v1');
    const handled = async () => (await hub.status()).functions.find((f) => f.name === 'municipality-inbox')!.records;
    const before = await handled();
    await hub.sendRaw('municipality-outbox', [JSON.stringify(ready.message)]);
    await eventually(async () => ((await handled()) > before ? true : undefined), 'the redelivery handled');
    expect((await inboxOf('vaasa', '905')).filter((m) => m.message.messageId === ready.message.messageId)).toHaveLength(1);
  });
});

describe('a target list through the inbox', () => {
  it("is streamed to the municipality's own client, as JSON and CSV", async () => {
    await waitFor('vaasa', '905', runId, 'outreach.list.ready.v1');
    const json = await asClient(hub, 'vaasa', `/inbox/905/lists/${runId}.json`);
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ municipality: '905', asOf: '2026-11-01', correlationId: runId });
    const csv = await asClient(hub, 'vaasa', `/inbox/905/lists/${runId}.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\n')[0]).toContain('hetu');
  });

  it("is refused to another municipality's client, whichever municipality it names", async () => {
    expect((await asClient(hub, 'helsinki', `/inbox/905/lists/${runId}.json`)).status).toBe(403);
    // Its own municipality's key holds no such run: the list of 905 is not reachable through 091.
    expect((await asClient(hub, 'helsinki', `/inbox/091/lists/${runId}.json`)).status).toBe(404);
  });
});

describe('webhooks', () => {
  it('push each message to the client that registered one, each verified with standardwebhooks', async () => {
    await eventually(
      async () => (receiver.verified.some((d) => d.payload.data.message.correlationId === runId) && receiver.verified.some((d) => d.payload.data.message.correlationId === referred.correlationId) ? true : undefined),
      'both pushes',
      60_000,
    );
    for (const delivery of receiver.verified) expect(delivery.payload.data.message.municipality).toBe('905');
    expect(receiver.refused).toEqual([]);
    const ids = receiver.verified.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are refused by the receiver when replayed, altered or old', async () => {
    await eventually(async () => (receiver.received.length > 0 ? true : undefined), 'a push');
    const captured = receiver.received[0]!;
    expect(await replay(receiver.url, captured)).toBe(409);
    expect(await replay(receiver.url, captured, { body: captured.body.replace('"905"', '"091"') })).toBe(400);
    // Signed correctly but ten minutes ago: outside the library's five-minute tolerance.
    const old = new Date(Date.now() - 10 * 60_000);
    const id = randomUUID();
    const signature = new Webhook(secret).sign(id, old, captured.body);
    const stale = await replay(receiver.url, captured, {
      headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(old.getTime() / 1000)), 'webhook-signature': signature },
    });
    expect(stale).toBe(400);
    expect(receiver.refused).toHaveLength(3);
  });
});
