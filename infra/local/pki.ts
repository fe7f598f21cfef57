/**
 * The embedded runtime's own small PKI, in the data folder's `tls/` (owner-only, as all of it): a
 * local CA, the door's server certificate for 127.0.0.1 and localhost, and one client certificate
 * per client `koto-hub clients add` issued. The door trusts only certificates this CA signed, and
 * of those only the ones whose fingerprint an active client in the registry holds.
 *
 * For the wellbeing services counties reached directly, `tls/counties/`: the hub's client
 * certificate toward them (`hub.crt|.key`) and `ca/<county>.crt`, the CA each such county's server
 * certificate is checked by (the runtime writes those from the county mocks').
 *
 * For X-Road, `tls/xroad/`: the hub's own client certificate (`hub.crt|.key`), which it presents to
 * its security server as an information system does, and the certificate of the local security
 * server stand-in (`security-server.crt|.key`, for 127.0.0.1 and localhost), both from the same CA.
 *
 * `@peculiar/x509` makes the certificates: Node can make keys but not X.509 certificates. Keys are
 * ECDSA P-256, as X-Road's own TLS uses.
 */
// tsyringe (under @peculiar/x509) refuses to load without the Reflect metadata API: the standard polyfill.
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeCertificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// Node's WebCrypto is the standard Crypto; its typings (node:crypto's webcrypto) differ from the DOM's in name only.
x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEAR_MS = 365 * 86_400_000;

export interface PkiPaths {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientsDir: string;
  /** The hub's X-Road client certificate and key (tls/xroad/hub.crt|.key). */
  readonly xroadCert: string;
  readonly xroadKey: string;
  /** The security-server stand-in's certificate and key (tls/xroad/security-server.crt|.key). */
  readonly securityServerCert: string;
  readonly securityServerKey: string;
  /** The CA the hub checks its security server's certificate by (tls/xroad/security-server-ca.crt). */
  readonly securityServerCa: string;
  /** The hub's client certificate and key toward the counties reached directly (tls/counties/hub.crt|.key). */
  readonly countyCert: string;
  readonly countyKey: string;
  /** The CA of each county reached directly, `<county>.crt` (tls/counties/ca/). */
  readonly countyCaDir: string;
}

export const pkiPaths = (dataRoot: string): PkiPaths => {
  const dir = join(dataRoot, 'tls');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientsDir: join(dir, 'clients'),
    xroadCert: join(dir, 'xroad', 'hub.crt'),
    xroadKey: join(dir, 'xroad', 'hub.key'),
    securityServerCert: join(dir, 'xroad', 'security-server.crt'),
    securityServerKey: join(dir, 'xroad', 'security-server.key'),
    securityServerCa: join(dir, 'xroad', 'security-server-ca.crt'),
    countyCert: join(dir, 'counties', 'hub.crt'),
    countyKey: join(dir, 'counties', 'hub.key'),
    countyCaDir: join(dir, 'counties', 'ca'),
  };
};

export interface ClientCertificateFiles {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the DER certificate, 64 upper-case hex digits: what the registry holds. */
  readonly fingerprint: string;
  readonly subject: string;
}

export const clientCertificatePaths = (paths: PkiPaths, clientId: string): { cert: string; key: string } => ({
  cert: join(paths.clientsDir, `${clientId}.crt`),
  key: join(paths.clientsDir, `${clientId}.key`),
});

const keyPem = async (key: CryptoKey): Promise<string> =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');

const importKey = (pem: string): Promise<CryptoKey> =>
  webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALGORITHM, false, ['sign']);

const newKeys = (): Promise<CryptoKeyPair> => webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);

const write = (file: string, text: string) => writeFileSync(file, text, { mode: 0o600 });

/** The SHA-256 fingerprint of a PEM certificate, as the registry keeps it. */
export const fingerprintOf = (pem: string): string => new NodeCertificate(pem).fingerprint256.replace(/:/g, '');

interface Issuer {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
}

const readIssuer = async (paths: PkiPaths): Promise<Issuer> => ({
  cert: new x509.X509Certificate(readFileSync(paths.caCert, 'utf8')),
  key: await importKey(readFileSync(paths.caKey, 'utf8')),
});

const issue = async (issuer: Issuer, subject: string, usage: x509.ExtendedKeyUsage, names: x509.JsonGeneralNames = [], now = new Date()) => {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.cert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 2 * YEAR_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage]),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
};

/**
 * Creates, once, the CA and the door's server certificate; later starts keep them, so issued
 * client certificates stay valid across restarts.
 */
export const ensurePki = async (dataRoot: string): Promise<PkiPaths> => {
  const paths = pkiPaths(dataRoot);
  mkdirSync(paths.clientsDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(paths.xroadCert), { recursive: true, mode: 0o700 });
  mkdirSync(paths.countyCaDir, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.caCert) || !existsSync(paths.caKey)) {
    const keys = await newKeys();
    const now = new Date();
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=koto-hub local CA',
      keys,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 10 * YEAR_MS),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    write(paths.caKey, await keyPem(keys.privateKey));
    write(paths.caCert, ca.toString('pem'));
  }
  if (!existsSync(paths.serverCert) || !existsSync(paths.serverKey)) {
    const server = await issue(await readIssuer(paths), 'CN=koto-hub door', x509.ExtendedKeyUsage.serverAuth, [
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'localhost' },
    ]);
    write(paths.serverKey, server.key);
    write(paths.serverCert, server.cert);
  }
  if (!existsSync(paths.xroadCert) || !existsSync(paths.xroadKey)) {
    // X-Road names the information system by its client subsystem; the certificate is only registered, never parsed for it.
    const hub = await issue(await readIssuer(paths), 'CN=koto-hub, O=koto-hub X-Road information system', x509.ExtendedKeyUsage.clientAuth);
    write(paths.xroadKey, hub.key);
    write(paths.xroadCert, hub.cert);
  }
  if (!existsSync(paths.countyCert) || !existsSync(paths.countyKey)) {
    const hub = await issue(await readIssuer(paths), 'CN=koto-hub, O=koto-hub wellbeing county client', x509.ExtendedKeyUsage.clientAuth);
    write(paths.countyKey, hub.key);
    write(paths.countyCert, hub.cert);
  }
  return paths;
};

/** The hub's client certificate toward the counties reached directly, and the CA that issued it: what a county registers. */
export const hubCountyCertificate = (paths: PkiPaths): { readonly cert: string; readonly issuer: string } => ({
  cert: readFileSync(paths.countyCert, 'utf8'),
  issuer: readFileSync(paths.caCert, 'utf8'),
});

/** What the security-server stand-in is started with: its certificate and key, and the CA that issued them. */
export interface SecurityServerIdentity {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** The stand-in's identity from this PKI (issued once into `tls/xroad/`). */
export const securityServerIdentity = async (paths: PkiPaths): Promise<SecurityServerIdentity> => {
  if (!existsSync(paths.securityServerCert) || !existsSync(paths.securityServerKey)) {
    const server = await issue(await readIssuer(paths), 'CN=koto-hub security server stand-in', x509.ExtendedKeyUsage.serverAuth, [
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'localhost' },
    ]);
    write(paths.securityServerKey, server.key);
    write(paths.securityServerCert, server.cert);
  }
  return { cert: readFileSync(paths.securityServerCert, 'utf8'), key: readFileSync(paths.securityServerKey, 'utf8'), ca: readFileSync(paths.caCert, 'utf8') };
};

/** The hub's X-Road client certificate and the CA that issued it: what a security server registers. */
export const hubXRoadCertificate = (paths: PkiPaths): { readonly cert: string; readonly issuer: string } => ({
  cert: readFileSync(paths.xroadCert, 'utf8'),
  issuer: readFileSync(paths.caCert, 'utf8'),
});

/** Issues a client certificate from the local CA into `tls/clients/<clientId>.crt|.key`. */
export const issueClientCertificate = async (paths: PkiPaths, clientId: string): Promise<ClientCertificateFiles> => {
  const files = clientCertificatePaths(paths, clientId);
  // The common name is the client id: a display name may hold characters a DN must escape.
  const subject = `CN=${clientId}, O=koto-hub client`;
  const issued = await issue(await readIssuer(paths), subject, x509.ExtendedKeyUsage.clientAuth);
  write(files.key, issued.key);
  write(files.cert, issued.cert);
  return { ...files, fingerprint: fingerprintOf(issued.cert), subject };
};
