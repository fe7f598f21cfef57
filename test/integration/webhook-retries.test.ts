/**
 * A webhook receiver that is down: the push comes back with backoff and arrives once the receiver
 * is up again; a receiver that stays down leaves a dead letter on `webhook-deliveries-dlq`, which
 * the operators' redrive (`koto-hub dlq redrive`) delivers once the receiver is back.
 * Only the two delivery functions run; messages are put on `municipality-outbox` as the run and the
 * single decisions put them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvelope } from '#contracts/messages/registry';
import { createWebhookSecret } from '#functions/inbox/clients';
import { redriveMessage } from '#cli/dead-letters';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';
import { registerClients } from '../support/inbox.ts';
import { freePort, startReceiver, type Receiver } from '../support/webhook-receiver.ts';

let hub: TestHub;
const receivers: Receiver[] = [];
const savedBase = process.env.KOTO_RETRY_BASE_SECONDS;

beforeAll(async () => {
  hub = await startTestHub({ functions: ['municipality-inbox', 'webhook-delivery'] });
});
afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  await hub?.stop();
  if (savedBase === undefined) delete process.env.KOTO_RETRY_BASE_SECONDS;
  else process.env.KOTO_RETRY_BASE_SECONDS = savedBase;
});

const listReady = (municipality: string) =>
  buildEnvelope(
    'outreach.list.ready.v1',
    { asOf: '2026-11-01', location: `${municipality}/run.json`, targets: 1, exclusions: {}, unresolved: 0 },
    { messageId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), source: 'hub', target: `municipality:${municipality}`, municipality },
  );

const client = (clientId: string, url: string) => ({ clientId, municipalities: ['905'], receives: ['outreach.list.ready.v1'], webhook: { url } });

describe('a webhook whose receiver is down', () => {
  it('gets the message once the receiver is back, after answering 503 meanwhile', async () => {
    process.env.KOTO_RETRY_BASE_SECONDS = '1';
    const secret = createWebhookSecret(hub.dataDir.webhookSecrets, 'flaky');
    const receiver = await startReceiver(secret);
    receivers.push(receiver);
    receiver.down = true;
    await registerClients(hub, [client('flaky', receiver.url)]);
    const message = listReady('905');
    await hub.sendRaw('municipality-outbox', [JSON.stringify(message)]);
    await eventually(async () => (receiver.received.length >= 2 ? true : undefined), 'two refused tries');
    receiver.down = false;
    const delivered = await eventually(async () => receiver.verified.find((d) => d.id === message.messageId), 'the push after the receiver came back', 30_000);
    expect(delivered.payload.data.message.correlationId).toBe(message.correlationId);
    // Every try carried the same id, so the receiver could tell them apart from new messages.
    expect(new Set(receiver.received.map((d) => d.headers['webhook-id']))).toEqual(new Set([message.messageId]));
  });

  it('that stays down leaves a dead letter naming the failure, which a redrive delivers once it is back', async () => {
    process.env.KOTO_RETRY_BASE_SECONDS = '0';
    const secret = createWebhookSecret(hub.dataDir.webhookSecrets, 'gone');
    const port = await freePort();
    await registerClients(hub, [client('gone', `http://127.0.0.1:${port}/hooks/koto`)]);
    const message = listReady('905');
    await hub.sendRaw('municipality-outbox', [JSON.stringify(message)]);
    const dead = await eventually(
      async () => (await hub.peekDlq('webhook-deliveries')).find((m) => (JSON.parse(m.Body!) as { causationId: string }).causationId === message.messageId),
      'the dead letter of the push',
      60_000,
    );
    // SQS moved it after the last try; the audit log says why each try failed (what `koto-hub dlq show` reads).
    const request = JSON.parse(dead.Body!) as { messageId: string; correlationId: string };
    const failures = (await hub.auditOf(request.correlationId)).filter((r) => r.stage === 'webhook-delivery' && r.reason);
    expect(failures.length).toBeGreaterThanOrEqual(12);
    expect(failures.every((r) => r.reason!.includes('webhook.unreachable') && r.reason!.includes('gone'))).toBe(true);

    const receiver = await startReceiver(secret, port);
    receivers.push(receiver);
    const id = request.messageId;
    const queues = { where: 'test', url: (q: 'webhook-deliveries', d?: boolean) => (d ? hub.queues.dlq[q] : hub.queues.queue[q]), arn: async () => '' };
    expect(await redriveMessage(queues as never, 'webhook-deliveries', id)).toBeDefined();
    const delivered = await eventually(async () => receiver.verified.find((d) => d.id === message.messageId), 'the redriven push', 30_000);
    expect(delivered.payload.data.message.municipality).toBe('905');
  });

  it('is done when the receiver answers 409 for an id it already holds (a retry after its 2xx was lost), not retried into a dead letter', async () => {
    process.env.KOTO_RETRY_BASE_SECONDS = '0';
    const secret = createWebhookSecret(hub.dataDir.webhookSecrets, 'holder');
    const receiver = await startReceiver(secret);
    receivers.push(receiver);
    await registerClients(hub, [client('holder', receiver.url)]);
    const message = listReady('905');
    // The receiver took this id before: the push arrives as a repeat and is answered 409.
    receiver.hold(message.messageId);
    await hub.sendRaw('municipality-outbox', [JSON.stringify(message)]);
    const done = await eventually(
      async () => (await hub.auditOf(message.correlationId)).find((r) => r.stage === 'webhook-delivery' && r.outcome === 'already-received'),
      'the push recorded as already received',
    );
    expect(done.reason).toBeFalsy();
    const tries = receiver.received.filter((d) => d.headers['webhook-id'] === message.messageId);
    expect(tries).toHaveLength(1);
    expect((await hub.peekDlq('webhook-deliveries')).some((m) => (JSON.parse(m.Body!) as { causationId: string }).causationId === message.messageId)).toBe(false);
  });
});
