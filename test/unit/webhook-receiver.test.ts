/**
 * The example's webhook receiver on its own (no hub): a delivery still being handled is not called
 * stored. The hub treats a 409 as "already received" and stops pushing, so a second copy that
 * arrives while the first is handled must get a 503 (try again), and once the first fails, the
 * next copy is handled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from '../../examples/municipal-client/webhook-receiver.ts';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const deliver = async (url: string, id: string, body: string): Promise<number> => {
  const at = new Date();
  const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(SECRET).sign(id, at, body) };
  return (await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body })).status;
};

describe("the example's webhook receiver", () => {
  it('answers 503, not 409, to a copy of a delivery still being handled, and takes the copy after the first failed', async () => {
    let release!: (ok: boolean) => void;
    let calls = 0;
    const refusals: string[] = [];
    const receiver = await startWebhookReceiver({
      secret: SECRET,
      onMessage: async () => {
        calls += 1;
        if (calls === 1 && !(await new Promise<boolean>((resolve) => (release = resolve)))) throw new Error('the database was down');
      },
      onRefused: (status, reason) => refusals.push(`${status} ${reason}`),
    });
    receivers.push(receiver);
    const body = JSON.stringify({ type: 'outreach.decision.v1', timestamp: new Date().toISOString(), data: { cursor: '1', message: { messageId: 'm-1' } } });

    const first = deliver(receiver.url, 'msg-1', body);
    await expect.poll(() => calls).toBe(1);
    expect(await deliver(receiver.url, 'msg-1', body)).toBe(503);
    expect(refusals).toEqual(['503 in-progress']);
    release(false);
    expect(await first).toBe(503);

    expect(await deliver(receiver.url, 'msg-1', body)).toBe(204);
    expect(calls).toBe(2);
    expect(await deliver(receiver.url, 'msg-1', body)).toBe(409);
    expect(refusals).toEqual(['503 in-progress', '409 replayed']);
  });
});
