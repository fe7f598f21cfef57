/**
 * The client certificates a mutual-TLS stand-in admits: a connection's certificate is parsed once,
 * on its first request, and admission is still decided on every request against the set as it is then.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ensurePki, issueClientCertificate, type PkiPaths } from '#infra/local/pki';
import { ClientCertificates } from '#mocks/framework/client-certificates';

let pki: PkiPaths;
let certificate: string;
let other: string;
let ca: string;

beforeAll(async () => {
  pki = await ensurePki(mkdtempSync(join(tmpdir(), 'koto-hub-mock-certs-')));
  certificate = readFileSync((await issueClientCertificate(pki, 'vaasa-905')).cert, 'utf8');
  other = readFileSync((await issueClientCertificate(pki, 'oulu-564')).cert, 'utf8');
  ca = readFileSync(pki.caCert, 'utf8');
});

/** A connection whose client presented `pem` (or nothing), counting how often it was asked. */
const connection = (pem: string | null) => {
  const getPeerCertificate = vi.fn(() => (pem ? { raw: new X509Certificate(pem).raw } : {}));
  return { socket: { getPeerCertificate } as unknown as TLSSocket, getPeerCertificate };
};

describe('ClientCertificates', () => {
  it('admits a registered certificate and refuses another one and none', () => {
    const clients = new ClientCertificates();
    clients.admit(certificate, ca, () => undefined);
    expect(clients.admits(connection(certificate).socket)).toBe(true);
    expect(clients.admits(connection(other).socket)).toBe(false);
    expect(clients.admits(connection(null).socket)).toBe(false);
  });

  it("reads a connection's certificate once, however many requests it carries", () => {
    const clients = new ClientCertificates();
    clients.admit(certificate, ca, () => undefined);
    const { socket, getPeerCertificate } = connection(certificate);
    for (let request = 0; request < 5; request++) expect(clients.admits(socket)).toBe(true);
    expect(getPeerCertificate).toHaveBeenCalledTimes(1);
  });

  it('admits an open connection once its certificate is registered, not before', () => {
    const clients = new ClientCertificates();
    const { socket } = connection(other);
    expect(clients.admits(socket)).toBe(false);
    clients.admit(other, ca, () => undefined);
    expect(clients.admits(socket)).toBe(true);
  });

  it('tells the server the CAs to trust when an issuer is new, not again for a known one', () => {
    const clients = new ClientCertificates();
    const trust = vi.fn();
    clients.admit(certificate, ca, trust);
    clients.admit(other, ca, trust);
    expect(trust).toHaveBeenCalledTimes(1);
    expect(trust).toHaveBeenCalledWith([ca]);
  });
});
