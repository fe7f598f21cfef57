/**
 * The door in AWS. Who is calling: API Gateway passes on the PEM of the client certificate it
 * accepted, and the door maps its fingerprint to the client's record, the same fingerprint
 * `koto-hub clients add` stored (functions/ingress/door.ts). And what a function behind it answers
 * before its own work (functions/ingress/behind-door.ts) — the door's refusals as JSON with their
 * headers — and what it hands on: the caller the certificate names and the body, decoded.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Caller, ClientRecord } from '#contracts/clients';
import { Door, fingerprintOfPem } from '#functions/ingress/door';
import { behindTheDoor, jsonAnswer, requestBody, type Serve } from '#functions/ingress/behind-door';
import type { ClientRegistry } from '#lib/door/client-registry';
import * as refusals from '#lib/door/refusals';
import { lambdaContext } from '#infra/local/runner';
import { ensurePki, issueClientCertificate } from '#infra/local/pki';

let pem: string;
let fingerprint: string;
let record: ClientRecord;

beforeAll(async () => {
  const pki = await ensurePki(mkdtempSync(join(tmpdir(), 'koto-hub-door-aws-')));
  const issued = await issueClientCertificate(pki, 'vaasa-905');
  pem = readFileSync(issued.cert, 'utf8');
  fingerprint = issued.fingerprint;
  record = {
    clientId: 'vaasa-905',
    name: 'Vaasa',
    system: 'municipality:905',
    municipalities: ['905'],
    sends: ['outreach.referral.v1'],
    receives: [],
    authentication: { certificateSha256: issued.fingerprint, subject: issued.subject },
    ratePerMinute: 2,
    status: 'active',
    createdAt: '2026-12-01T00:00:00Z',
  };
  // The refusals' audit writes need no table here: the answers are what this test reads.
  vi.spyOn(refusals, 'recordRefusal').mockResolvedValue(undefined);
});

const registryOf = (records: readonly ClientRecord[]) =>
  ({ byCertificate: async (fingerprint: string) => records.find((r) => r.authentication.certificateSha256 === fingerprint) }) as unknown as ClientRegistry;

const eventOf = (fields: { pem?: string; body?: string | null; isBase64Encoded?: boolean }): APIGatewayProxyEvent =>
  ({
    httpMethod: 'POST',
    path: '/envelopes',
    body: fields.body ?? null,
    isBase64Encoded: fields.isBase64Encoded ?? false,
    queryStringParameters: null,
    requestContext: { identity: { clientCert: fields.pem ? { clientCertPem: fields.pem } : null } },
  }) as unknown as APIGatewayProxyEvent;

const context = () => lambdaContext({ functionName: 'ingress', memoryMb: 256 }, Date.now() + 30_000);

/** A handler behind a door on `records`, whose `serve` echoes what it was handed. */
const echoing = (records: readonly ClientRecord[], now = 0) => {
  const served: { caller: Caller; body: string | undefined }[] = [];
  const serve: Serve = async (caller, event) => {
    served.push({ caller, body: requestBody(event) });
    return jsonAnswer(202, { clientId: caller.clientId });
  };
  const handler = behindTheDoor(serve, () => new Door(registryOf(records), { now: () => now }));
  return { served, invoke: (event: APIGatewayProxyEvent) => handler(event, context()) };
};

describe('the door in AWS', () => {
  it('reads the fingerprint of the PEM API Gateway passes on as the registry keeps it', () => {
    expect(fingerprintOfPem(pem)).toBe(fingerprint);
    expect(fingerprint).toMatch(/^[0-9A-F]{64}$/);
  });

  it('admits the client holding the certificate, and refuses a revoked one or a stranger with 401', async () => {
    const presented = { fingerprint256: fingerprintOfPem(pem), trusted: true };
    expect(await new Door(registryOf([record])).admit(presented)).toMatchObject({ ok: true, caller: { clientId: 'vaasa-905' } });
    expect(await new Door(registryOf([{ ...record, status: 'revoked', revokedAt: '2026-12-02T00:00:00Z' }])).admit(presented)).toMatchObject({
      ok: false,
      status: 401,
      body: { error: 'client-revoked' },
    });
    expect(await new Door(registryOf([])).admit(presented)).toMatchObject({ ok: false, status: 401, body: { error: 'unknown-client' } });
    expect(await new Door(registryOf([record])).admit(undefined)).toMatchObject({ ok: false, status: 401, body: { error: 'no-client-certificate' } });
  });
});

describe('a function behind the door in AWS', () => {
  it('answers a request without a certificate, or from a stranger or a revoked client, with the door’s 401, and never serves it', async () => {
    const { served, invoke } = echoing([record]);
    const none = await invoke(eventOf({ body: '{}' }));
    expect(none).toMatchObject({ statusCode: 401, headers: { 'www-authenticate': 'mutual-tls', 'content-type': 'application/json' } });
    expect(JSON.parse(none.body)).toMatchObject({ error: 'no-client-certificate' });

    const stranger = await echoing([]).invoke(eventOf({ pem, body: '{}' }));
    expect(stranger.statusCode).toBe(401);
    expect(JSON.parse(stranger.body)).toMatchObject({ error: 'unknown-client' });

    const revoked = await echoing([{ ...record, status: 'revoked', revokedAt: '2026-12-02T00:00:00Z' }]).invoke(eventOf({ pem, body: '{}' }));
    expect(JSON.parse(revoked.body)).toMatchObject({ error: 'client-revoked' });
    expect(served).toEqual([]);
  });

  it('hands the client the certificate names and the body, decoded from base64 where API Gateway encoded it', async () => {
    const { served, invoke } = echoing([record]);
    const plain = await invoke(eventOf({ pem, body: '{"a":1}' }));
    expect(plain).toMatchObject({ statusCode: 202, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(plain.body)).toEqual({ clientId: 'vaasa-905' });
    await invoke(eventOf({ pem, body: Buffer.from('{"b":"ä"}', 'utf8').toString('base64'), isBase64Encoded: true }));
    expect(served.map((s) => [s.caller.clientId, s.body])).toEqual([
      ['vaasa-905', '{"a":1}'],
      ['vaasa-905', '{"b":"ä"}'],
    ]);
  });

  it('counts a client’s rate across the instance’s requests: past it, 429 with retry-after', async () => {
    const { served, invoke } = echoing([record]);
    for (let i = 0; i < record.ratePerMinute; i++) expect((await invoke(eventOf({ pem, body: '{}' }))).statusCode).toBe(202);
    const over = await invoke(eventOf({ pem, body: '{}' }));
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(over.body)).toMatchObject({ error: 'over-rate' });
    expect(served).toHaveLength(record.ratePerMinute);
  });

  it('reads a missing body as none', () => {
    expect(requestBody({ body: null, isBase64Encoded: false })).toBeUndefined();
    expect(requestBody({ body: null, isBase64Encoded: true })).toBe('');
  });
});
