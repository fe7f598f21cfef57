/**
 * The door over real TLS on the embedded runtime (issue #10, items 1 and 2): who is calling comes
 * from the client certificate alone, and what they may send from their record in the registry.
 * Each refusal answers with its reason, is written to the audit log without personal data, and is
 * counted in the `doorRefusals` metric.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '#contracts/envelope';
import { callDoor, postEnvelopes } from '#infra/local/door-client';
import { DEMO_CLIENT, OPERATOR_CLIENT, addClient } from '#infra/local/local-clients';
import { ensurePki, issueClientCertificate } from '#infra/local/pki';
import { hubMetrics } from '#infra/topology';
import { refusalPartition, resetRefusalMetrics } from '#lib/door/refusals';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { freshHetu, referral } from '../support/envelopes.ts';
import { expectNoPersonalDataIn } from '../support/personal-data.ts';
import { koto } from '../support/outreach-runs.ts';
import { asClient } from '../support/inbox.ts';

let hub: TestHub;
/** The door's clock: frozen at the start, moved only by a test. */
let doorNow = Date.now();
const emf: string[] = [];
const hetus: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ population: 'mocks/population/sample.json', doorClock: { now: () => doorNow } });
  // The runtime turns metrics off; here the door's refusal metric prints its EMF documents to be read.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  resetRefusalMetrics();
  const log = console.log.bind(console);
  vi.spyOn(console, 'log').mockImplementation((line: unknown, ...rest: unknown[]) => {
    if (typeof line === 'string' && line.includes('"_aws"')) emf.push(line);
    else log(line, ...rest);
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await hub?.stop();
});

/** A referral whose HETU the test remembers, to look for it where it must not be. */
const referralFor = (fields: Parameters<typeof referral>[0] = {}) => {
  const envelope = referral({ municipality: '905', ...fields });
  hetus.push(envelope.payload.hetu);
  return envelope;
};

const runRequest = (municipality: string, asOf = '2026-11-01', fields: Partial<Envelope> = {}) => ({
  messageId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  type: 'outreach.run.requested.v1',
  target: 'hub',
  municipality,
  occurredAt: new Date().toISOString(),
  payload: { asOf, requestedBy: 'ingress', listPageSize: 50 },
  ...fields,
});

const asVaasa = (body: unknown) => hub.post(body, DEMO_CLIENT);

describe('who is calling', () => {
  it('answers 401 to a request without a client certificate', async () => {
    const response = await callDoor(hub.ingressUrl, { ca: hub.pki.caCert }, { body: JSON.stringify(referralFor()) });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toMatchObject({ error: 'no-client-certificate' });
  });

  it('answers 401 to a certificate from another CA, even one naming a registered client', async () => {
    const elsewhere = await ensurePki(mkdtempSync(join(tmpdir(), 'koto-hub-other-ca-')));
    const forged = await issueClientCertificate(elsewhere, DEMO_CLIENT);
    const response = await postEnvelopes(hub.ingressUrl, { cert: forged.cert, key: forged.key, ca: hub.pki.caCert }, referralFor());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'certificate-not-trusted' });
  });

  it('answers 401 to a certificate of our CA that no client holds', async () => {
    const stray = await issueClientCertificate(hub.pki, 'never-registered');
    const response = await postEnvelopes(hub.ingressUrl, { cert: stray.cert, key: stray.key, ca: hub.pki.caCert }, referralFor());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'unknown-client' });
  });

  it('refuses a revoked client from its next request on', async () => {
    await addClient(hub.clients, hub.pki, {
      clientId: 'kela-test',
      name: 'Kela (test)',
      system: 'authority:kela',
      municipalities: ['905'],
      sends: ['outreach.referral.v1'],
      receives: [],
    });
    const first = await hub.post(referralFor({ source: 'authority:kela' }), 'kela-test');
    expect(first.status).toBe(202);
    await hub.clients.revoke('kela-test', new Date());
    const after = await hub.post(referralFor({ source: 'authority:kela' }), 'kela-test');
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: 'client-revoked' });
  });

  it('answers 429 with Retry-After to a client over its rate, and takes it again once the wait is over', async () => {
    await addClient(hub.clients, hub.pki, {
      clientId: 'slow-system',
      name: 'A system allowed two requests a minute',
      system: 'authority:slow',
      municipalities: ['905'],
      sends: ['outreach.referral.v1'],
      receives: [],
      ratePerMinute: 2,
    });
    const post = () => hub.post(referralFor({ source: 'authority:slow' }), 'slow-system');
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(202);
    const over = await post();
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('30');
    expect(over.body).toMatchObject({ error: 'over-rate' });
    doorNow += 30_000;
    expect((await post()).status).toBe(202);
  });

  it('holds a client pulling its inbox to the same rate: 429 with Retry-After, and its pulls again once the wait is over', async () => {
    await addClient(hub.clients, hub.pki, {
      clientId: 'slow-reader',
      name: 'An inbox client allowed two requests a minute',
      system: 'authority:slow-reader',
      municipalities: ['905'],
      sends: [],
      receives: ['outreach.decision.v1'],
      ratePerMinute: 2,
    });
    const pull = () => asClient(hub, 'slow-reader', '/inbox/905/messages?limit=10');
    const ack = () => asClient(hub, 'slow-reader', '/inbox/905/ack', { method: 'POST', body: JSON.stringify({ cursor: '0' }) });
    expect((await pull()).status).toBe(200);
    expect((await ack()).status).not.toBe(429);
    const over = await pull();
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('30');
    expect(await over.json()).toMatchObject({ error: 'over-rate' });
    expect((await ack()).status).toBe(429);
    doorNow += 30_000;
    expect((await pull()).status).toBe(200);
  });
});

describe('what a client may send', () => {
  it('takes Vaasa’s run request for 905, stamping its source when the body leaves it out', async () => {
    const request = runRequest('905');
    const response = await asVaasa(request);
    expect(response.status).toBe(202);
    const [root] = await hub.auditOf(request.correlationId);
    expect(root).toMatchObject({ stage: 'ingress', source: 'municipality:905' });
  });

  it.each([
    ['Vaasa posting for Helsinki (091)', () => asVaasa(referralFor({ source: 'municipality:905', municipality: '091' })), 'municipality-not-yours'],
    ['a type the client may not send', () => hub.post(runRequest('905')), 'type-not-permitted'],
    ['a forged source (an authority claiming to be Vaasa)', () => hub.post(referralFor({ source: 'municipality:905' })), 'source-not-yours'],
    ['a referral for 905 with source vtj', () => asVaasa(referralFor({ source: 'vtj' })), 'source-not-yours'],
    ['a referral for 905 with source hub', () => asVaasa(referralFor({ source: 'hub' })), 'source-not-yours'],
    ['a referral for 905 with source municipality:091', () => asVaasa(referralFor({ source: 'municipality:091' })), 'source-not-yours'],
    ['a run for 091 "by municipality:905"', () => asVaasa(runRequest('091', '2026-11-01', { source: 'municipality:905' } as Partial<Envelope>)), 'municipality-not-yours'],
    ['a run for 049, which the hub does not serve', () => hub.post(runRequest('049'), 'region-test'), 'municipality-not-served'],
    ['a run for 905 as of 1900-01-01', () => asVaasa(runRequest('905', '1900-01-01')), 'as-of-out-of-range'],
    ['a referral for 905 that occurred on 0000-01-01', () => asVaasa({ ...referralFor({ source: 'municipality:905' }), occurredAt: '0000-01-01T00:00:00+01:00' }), 'occurred-at-out-of-range'],
  ])('refuses %s with 403 and its rule', async (_what, send, rule) => {
    if (!(await hub.clients.get('region-test'))) {
      // A regional system acting for Vaasa and Espoo (049): the hub serves only the first.
      await addClient(hub.clients, hub.pki, {
        clientId: 'region-test',
        name: 'A regional system',
        system: 'authority:region',
        municipalities: ['905', '049'],
        sends: ['outreach.run.requested.v1'],
        receives: [],
      });
    }
    const response = await send();
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: 'forbidden', rule });
  });

  it('lets nothing of a refused run into the hub: no audit record, no lookups', async () => {
    const request = runRequest('905', '1900-01-01');
    expect((await asVaasa(request)).status).toBe(403);
    expect(await hub.auditOf(request.correlationId)).toEqual([]);
    const runs = (await hub.scan('correlation')).filter((item) => item.pk === `RUN#${request.correlationId}`);
    expect(runs).toEqual([]);
  });

  it('lets the operator’s client request runs for every municipality the hub serves', async () => {
    for (const municipality of ['905', '091', '837']) {
      expect((await hub.post(runRequest(municipality, '2026-11-01'), OPERATOR_CLIENT)).status, municipality).toBe(202);
    }
  });
});

describe('the record of the refusals', () => {
  it('writes each refusal to the audit log with its rule and client, and nothing of a person', async () => {
    const hetu = freshHetu();
    hetus.push(hetu);
    expect((await asVaasa(referralFor({ source: 'municipality:905', municipality: '091', payload: { hetu } }))).status).toBe(403);
    // The door's clock moved 30 s: the refusals may straddle two days' partitions.
    const partitions = new Set([refusalPartition(new Date(doorNow - 30_000)), refusalPartition(new Date(doorNow))]);
    const records = (await Promise.all([...partitions].map((partition) => hub.auditOf(partition)))).flat();
    const reasons = records.map((r) => r.reason);
    for (const rule of [
      '401 no-client-certificate',
      '401 certificate-not-trusted',
      '401 unknown-client',
      '401 client-revoked client=kela-test',
      '429 over-rate client=slow-system',
      '429 over-rate client=slow-reader',
    ]) {
      expect(reasons, rule).toContain(rule);
    }
    for (const rule of ['municipality-not-yours', 'type-not-permitted', 'source-not-yours', 'municipality-not-served', 'as-of-out-of-range', 'occurred-at-out-of-range']) {
      expect(reasons.some((r) => r?.startsWith(`403 ${rule} client=`)), rule).toBe(true);
    }
    expect(records.every((r) => r.stage === 'door' && r.outcome === 'refused' && !r.subjectHash)).toBe(true);
    expectNoPersonalDataIn(records.map((r) => JSON.stringify(r)), { hetus });
  });

  it('counts each refusal in the doorRefusals metric, by rule, with no personal data', () => {
    const documents = emf.map((line) => JSON.parse(line) as Record<string, unknown>).filter((doc) => hubMetrics.doorRefusals in doc);
    const byRule = new Map<string, number>();
    for (const doc of documents) byRule.set(String(doc.kind ?? 'total'), (byRule.get(String(doc.kind ?? 'total')) ?? 0) + Number(doc[hubMetrics.doorRefusals]));
    expect(byRule.get('source-not-yours')).toBeGreaterThanOrEqual(4);
    expect(byRule.get('as-of-out-of-range')).toBeGreaterThanOrEqual(2);
    // slow-system's post, and slow-reader's pull and acknowledgement.
    expect(byRule.get('over-rate')).toBe(3);
    expect(byRule.get('no-client-certificate')).toBe(1);
    const byKind = [...byRule].filter(([kind]) => kind !== 'total').reduce((sum, [, n]) => sum + n, 0);
    expect(byRule.get('total'), 'the total the alarm watches').toBe(byKind);
    expectNoPersonalDataIn(emf, { hetus });
  });
});

describe('koto-hub clients', () => {
  it('adds a client whose printed certificate the door takes, shows it, and revokes it at once', async () => {
    const added = await koto(hub, ['clients', 'add', 'kela-cli-test', '--name', 'Kela test', '--system', 'authority:kela-cli', '--municipalities', '905,091', '--sends', 'outreach.referral.v1']);
    expect(added.code, added.err).toBe(0);
    const path = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(added.out)?.[1] ?? '';
    const credentials = { cert: path('certificate'), key: path('key'), ca: path('hub CA') };
    expect(credentials.cert).toMatch(/tls\/clients\/kela-cli-test\.crt$/);
    expect((await postEnvelopes(hub.ingressUrl, credentials, referralFor({ source: 'authority:kela-cli', municipality: '091' }))).status).toBe(202);

    const listed = await koto(hub, ['clients', 'list']);
    expect(listed.out).toMatch(/kela-cli-test\s+active\s+authority:kela-cli/);
    const revoked = await koto(hub, ['clients', 'revoke', 'kela-cli-test']);
    expect(revoked.code).toBe(0);
    const refused = await postEnvelopes(hub.ingressUrl, credentials, referralFor({ source: 'authority:kela-cli', municipality: '091' }));
    expect(refused).toMatchObject({ status: 401, body: { error: 'client-revoked' } });
    expect(JSON.parse((await koto(hub, ['clients', 'show', 'kela-cli-test'])).out)).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    // Five runs of the CLI, each a new Node process loading TypeScript: slow on a busy machine.
  }, 300_000);

  it('refuses a client that would speak as the hub, naming the option, and makes no certificate for it', async () => {
    const refused = await koto(hub, ['clients', 'add', 'fake-hub', '--name', 'x', '--system', 'hub', '--municipalities', '905', '--sends', 'outreach.referral.v1']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--system: system hub is the hub's own/);
    expect(existsSync(join(hub.pki.clientsDir, 'fake-hub.crt'))).toBe(false);
  }, 120_000);

  it('registers a certificate the client brought instead of issuing one, and refuses a CA, a foreign holder twice and a file that is no certificate', async () => {
    // A vendor's certificate from the hub's CA, made outside `clients add` (as a municipality's own CA would in AWS).
    const own = await issueClientCertificate(hub.pki, 'brought-vendor-cert');
    const args = (id: string, file: string) => ['clients', 'add', id, '--name', 'Brought', '--system', 'municipality:905', '--municipalities', '905', '--sends', 'outreach.referral.v1', '--certificate', file];
    const added = await koto(hub, args('brought-905', own.cert));
    expect(added.code, added.err).toBe(0);
    expect(added.out).toMatch(/certificate\s+\S+brought-vendor-cert\.crt \(brought: CN=brought-vendor-cert/);
    expect(added.out).not.toMatch(/note: not signed/);
    expect(existsSync(join(hub.pki.clientsDir, 'brought-905.crt'))).toBe(false);
    expect((await postEnvelopes(hub.ingressUrl, { cert: own.cert, key: own.key, ca: hub.pki.caCert }, referralFor({ source: 'municipality:905' }))).status).toBe(202);

    const again = await koto(hub, args('brought-905-b', own.cert));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/--certificate: client brought-905 holds this certificate already/);

    const ca = await koto(hub, args('brought-ca', hub.pki.caCert));
    expect(ca.code).toBe(2);
    expect(ca.err).toMatch(/--certificate: is a CA certificate/);

    const notPem = await koto(hub, args('brought-key', own.key));
    expect(notPem.code).toBe(2);
    expect(notPem.err).toMatch(/--certificate: not a PEM X.509 certificate/);
    expect(notPem.err).not.toMatch(/PRIVATE KEY/);

    // From another CA: registered, with the note that this door will not take it.
    const elsewhere = await issueClientCertificate(await ensurePki(mkdtempSync(join(tmpdir(), 'koto-hub-other-ca-'))), 'foreign');
    const foreign = await koto(hub, args('brought-foreign', elsewhere.cert));
    expect(foreign.code, foreign.err).toBe(0);
    expect(foreign.out).toMatch(/note: not signed by this hub's local CA/);
    expect(await postEnvelopes(hub.ingressUrl, { cert: elsewhere.cert, key: elsewhere.key, ca: hub.pki.caCert }, referralFor({ source: 'municipality:905' }))).toMatchObject({
      status: 401,
      body: { error: 'certificate-not-trusted' },
    });
  }, 300_000);
});
