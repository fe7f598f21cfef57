/**
 * Who is calling, as the ingress function in AWS reads it: API Gateway passes on the PEM of the
 * client certificate it accepted, and the door maps its fingerprint to the client's record, the
 * same fingerprint `koto-hub clients add` stored (functions/ingress/door.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientRecord } from '#contracts/clients';
import { Door, fingerprintOfPem } from '#functions/ingress/door';
import type { ClientRegistry } from '#lib/door/client-registry';
import * as refusals from '#lib/door/refusals';
import { ensurePki, issueClientCertificate, type ClientCertificateFiles } from '#infra/local/pki';

let issued: ClientCertificateFiles;
let record: ClientRecord;

beforeAll(async () => {
  const pki = await ensurePki(mkdtempSync(join(tmpdir(), 'koto-hub-identity-')));
  issued = await issueClientCertificate(pki, 'vaasa-905');
  record = {
    clientId: 'vaasa-905',
    name: 'Vaasa',
    system: 'municipality:905',
    municipalities: ['905'],
    sends: ['outreach.referral.v1'],
    receives: [],
    authentication: { certificateSha256: issued.fingerprint, subject: issued.subject },
    ratePerMinute: 60,
    status: 'active',
    createdAt: '2026-12-01T00:00:00Z',
  };
  // The refusals' audit writes need no table here: what is refused is what this test reads.
  vi.spyOn(refusals, 'recordRefusal').mockResolvedValue(undefined);
});

const registryOf = (records: readonly ClientRecord[]) =>
  ({ byCertificate: async (fingerprint: string) => records.find((r) => r.authentication.certificateSha256 === fingerprint) }) as unknown as ClientRegistry;

describe('the door in AWS', () => {
  it('reads the fingerprint of the PEM API Gateway passes on as the registry keeps it', () => {
    expect(fingerprintOfPem(readFileSync(issued.cert, 'utf8'))).toBe(issued.fingerprint);
    expect(issued.fingerprint).toMatch(/^[0-9A-F]{64}$/);
  });

  it('admits the client holding the certificate, and refuses a revoked one or a stranger with 401', async () => {
    const presented = { fingerprint256: fingerprintOfPem(readFileSync(issued.cert, 'utf8')), trusted: true };
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
