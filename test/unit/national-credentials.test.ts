/**
 * The hub's credentials toward the national systems: VTJ's username and password and the X-Road
 * TLS material, from Secrets Manager (through the extension) in AWS and from the environment or
 * files locally; and the X-Road client presenting its certificate to an HTTPS security server.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XRoadFault } from '#contracts/xroad/errors';
import { vtjCredentialsProvider, VTJ_CREDENTIALS_TTL_MS } from '#functions/vtj-adapter/credentials';
import { tlsAgentOptions, XRoadConfigurationError, XRoadHttpClient, type XRoadClientConfig } from '#lib/xroad-client';
import { xroadTlsProvider, type XRoadTls } from '#lib/xroad-tls';
import { localXRoadPki, type LocalXRoadPki } from '../support/security-server.ts';
import { readFileSync } from 'node:fs';

const ARN = 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:koto-hub-vtj';
const PASSWORD = 'Salainen-9f3a';

/** A secret reader that counts its reads and answers what the test says. */
const reader = (answers: (() => string)[]) => {
  const asked: string[] = [];
  return {
    asked,
    read: async (id: string) => {
      asked.push(id);
      const next = answers[Math.min(asked.length - 1, answers.length - 1)]!;
      return next();
    },
  };
};

describe('VTJ credentials', () => {
  it('come from the environment on the embedded runtime, with the product and end user', async () => {
    const credentials = await vtjCredentialsProvider({ env: { KOTO_VTJ_USERNAME: 'hub', KOTO_VTJ_PASSWORD: PASSWORD, KOTO_VTJ_END_USER: 'kunta' } })();
    expect(credentials).toMatchObject({ username: 'hub', password: PASSWORD, endUser: 'kunta' });
  });

  it('come from the secret in AWS, read once per five minutes of the injected clock and again after', async () => {
    let now = 0;
    const secret = reader([() => JSON.stringify({ username: 'hub', password: PASSWORD }), () => JSON.stringify({ username: 'hub', password: 'Uusi-1' })]);
    const provider = vtjCredentialsProvider({ env: { KOTO_VTJ_CREDENTIALS_SECRET_ARN: ARN, KOTO_VTJ_USERNAME: 'not-this', KOTO_VTJ_PASSWORD: 'nor-this' }, readSecret: secret.read, now: () => now });
    expect(await provider()).toMatchObject({ username: 'hub', password: PASSWORD });
    now = VTJ_CREDENTIALS_TTL_MS - 1;
    expect(await provider()).toMatchObject({ password: PASSWORD });
    expect(secret.asked).toEqual([ARN]);
    now = VTJ_CREDENTIALS_TTL_MS;
    expect(await provider()).toMatchObject({ password: 'Uusi-1' });
    expect(secret.asked).toHaveLength(2);
  });

  it.each([
    ['not JSON', () => `password=${PASSWORD}`, /is not JSON \{username, password\}/],
    ['the placeholder the stack made', () => JSON.stringify({ username: '', password: '', placeholder: 'x' }), /has no username/],
    ['without a password', () => JSON.stringify({ username: 'hub', password: 7 }), /has no password/],
  ])('refuse a secret that is %s with an error naming the field, never the value', async (_what, answer, message) => {
    const provider = vtjCredentialsProvider({ env: { KOTO_VTJ_CREDENTIALS_SECRET_ARN: ARN }, readSecret: reader([answer]).read });
    const error = (await provider().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(PASSWORD);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  });

  it('try the secret again after a failed read rather than keeping the failure', async () => {
    const secret = reader([
      () => {
        throw new Error('configuration: the Parameters and Secrets extension answered HTTP 500 for the VTJ credentials secret');
      },
      () => JSON.stringify({ username: 'hub', password: PASSWORD }),
    ]);
    const provider = vtjCredentialsProvider({ env: { KOTO_VTJ_CREDENTIALS_SECRET_ARN: ARN }, readSecret: secret.read, now: () => 0 });
    await expect(provider()).rejects.toThrow(/HTTP 500/);
    expect(await provider()).toMatchObject({ password: PASSWORD });
  });
});

let xroad: LocalXRoadPki;
let material: XRoadTls;
beforeAll(async () => {
  xroad = await localXRoadPki();
  material = { cert: xroad.hub.cert, key: readFileSync(xroad.pki.xroadKey, 'utf8'), ca: xroad.identity.ca };
});

describe('X-Road TLS material', () => {
  it('comes from the secret in AWS as JSON of PEMs, checked before any connection', async () => {
    const secret = reader([() => JSON.stringify({ certificate: material.cert, privateKey: material.key, securityServerCa: material.ca })]);
    const tls = await xroadTlsProvider({ env: { KOTO_XROAD_TLS_SECRET_ARN: ARN }, readSecret: secret.read })();
    expect(tls).toEqual(material);
  });

  it('refuses a secret whose key is not a key, naming the field and quoting nothing of it', async () => {
    const secret = reader([() => JSON.stringify({ certificate: material.cert, privateKey: `${PASSWORD}\n`, securityServerCa: material.ca })]);
    const error = (await xroadTlsProvider({ env: { KOTO_XROAD_TLS_SECRET_ARN: ARN }, readSecret: secret.read })().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("configuration: the X-Road TLS secret's privateKey is not a PEM private key");
  });

  it('comes from the files the embedded runtime names, and is none when no variable is set', async () => {
    const env = { KOTO_XROAD_TLS_CERT_FILE: xroad.pki.xroadCert, KOTO_XROAD_TLS_KEY_FILE: xroad.pki.xroadKey, KOTO_XROAD_TLS_CA_FILE: xroad.pki.caCert };
    expect(await xroadTlsProvider({ env })()).toEqual(material);
    expect(await xroadTlsProvider({ env: {} })()).toBeUndefined();
    expect(() => xroadTlsProvider({ env: { KOTO_XROAD_TLS_CERT_FILE: xroad.pki.xroadCert } })).toThrow(/KOTO_XROAD_TLS_CERT_FILE and KOTO_XROAD_TLS_KEY_FILE go together/);
  });

  it('becomes agent options that present the certificate and trust the given CA only', () => {
    expect(tlsAgentOptions(material)).toEqual({ keepAlive: true, rejectUnauthorized: true, cert: material.cert, key: material.key, ca: material.ca });
    expect(tlsAgentOptions(undefined)).toEqual({ keepAlive: true, rejectUnauthorized: true });
  });
});

describe('the X-Road client over HTTPS', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** An HTTPS server of the stand-in's certificate that answers with the fingerprint of the client certificate it got. */
  const echoServer = async (): Promise<string> => {
    const server = createServer({ cert: xroad.identity.cert, key: xroad.identity.key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ presented: peer?.raw ? new X509Certificate(peer.raw).fingerprint256 : null }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const client = (url: string, tls: XRoadClientConfig['tls']) =>
    new XRoadHttpClient({ securityServerUrl: url, client: { xRoadInstance: 'FI-TEST', memberClass: 'MUN', memberCode: '0000000-0', subsystemCode: 'koto-hub' }, userId: 'koto-hub', timeoutMs: 5_000, maxResponseBytes: 10_000, tls });

  it("presents the hub's certificate to the security server", async () => {
    const hub = client(await echoServer(), async () => material);
    const answer = await hub.rest('probe', 'GET', '/r1/probe');
    expect(answer).toEqual({ presented: new X509Certificate(material.cert).fingerprint256 });
    hub.close();
  });

  it("refuses a security server whose certificate the configured CA did not issue: a permanent TLS fault", async () => {
    const other = await localXRoadPki();
    const hub = client(await echoServer(), async () => ({ ...material, ca: other.identity.ca }));
    const fault = (await hub.rest('probe', 'GET', '/r1/probe').catch((e: unknown) => e)) as XRoadFault;
    expect(fault).toBeInstanceOf(XRoadFault);
    expect(fault).toMatchObject({ faultCode: 'Client.TlsHandshakeFailed', transient: false });
    hub.close();
  });

  it('fails a call permanently, naming the setting, when the TLS material cannot be read', async () => {
    const hub = client(await echoServer(), async () => {
      throw new Error('configuration: the X-Road TLS secret has no certificate (a non-empty string)');
    });
    const error = await hub.rest('probe', 'GET', '/r1/probe').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XRoadConfigurationError);
    expect(error).toMatchObject({ transient: false, message: 'configuration: the X-Road TLS secret has no certificate (a non-empty string)' });
  });
});
