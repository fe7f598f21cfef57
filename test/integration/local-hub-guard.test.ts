/**
 * A local hub only its operator can use: over real HTTP(S), the door and the ops API refuse what a
 * web page in the operator's browser could send (issue "Nothing lost …", item 4), and everything
 * the hub writes into its data folder is readable by its owner only.
 */
import { request } from 'node:http';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDoor } from '#infra/local/door-client';
import { eventually, startTestHub, TEST_AUTHORITY, type TestHub } from '../support/hub.ts';
import { referral } from '../support/envelopes.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ population: 'mocks/population/sample.json', inMemory: false });
});
afterAll(async () => {
  await hub?.stop();
});

/** node:http, because fetch will not let a caller set Host. */
const send = (url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });

const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));

describe('the local hub and a hostile web page', () => {
  it('refuses a valid envelope posted as text/plain, or from another origin, even with a client certificate, and accepts it as JSON from a tool', async () => {
    const envelope = JSON.stringify(referral({ municipality: '905' }));
    const client = hub.credentials(TEST_AUTHORITY);
    const asText = await callDoor(hub.ingressUrl, client, { body: envelope, headers: { 'content-type': 'text/plain' } });
    expect(asText.status).toBe(415);
    const fromEvil = await callDoor(hub.ingressUrl, client, { body: envelope, headers: { origin: 'http://evil.example' } });
    expect(fromEvil.status).toBe(403);
    expect(JSON.parse(fromEvil.text)).toMatchObject({ error: 'cross-site' });
    const fromTool = await callDoor(hub.ingressUrl, client, { body: envelope });
    expect(fromTool.status).toBe(202);
  });

  it('takes no envelopes on the operator’s plain-HTTP port: they go to the door', async () => {
    const response = await send(new URL('/envelopes', hub.opsPageUrl).toString(), 'POST', { 'content-type': 'application/json' }, JSON.stringify(referral()));
    expect(response.status).toBe(404);
  });

  it('answers the ops API only under its own loopback name (no DNS rebinding)', async () => {
    const dlq = new URL('/api/dlq', hub.opsPageUrl).toString();
    const rebound = await send(dlq, 'GET', { host: 'attacker.example' });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('referral-intake');
    expect((await send(dlq, 'GET', {})).status).toBe(200);
  });

  it('keeps everything in the data folder its owner’s alone', async () => {
    const envelope = referral({ municipality: '905' });
    expect((await hub.post(envelope)).status).toBe(202);
    await eventually(async () => ((await hub.auditOf(envelope.correlationId)).length >= 2 ? true : undefined), 'the referral recorded');
    const paths = walk(hub.dataDir.root);
    expect(paths.length).toBeGreaterThan(3);
    const open = paths.filter((p) => (statSync(p).mode & 0o077) !== 0).map((p) => p.slice(hub.dataDir.root.length));
    expect(open, 'readable or writable by others').toEqual([]);
    expect(statSync(hub.dataDir.root).mode & 0o077).toBe(0);
  });
});
