/**
 * The TLS the hub speaks with its X-Road security server. The security server authenticates the
 * information system by the TLS certificate it presents (X-Road's "HTTPS" connection type for the
 * client subsystem: the certificate is registered on the security server), and the hub checks the
 * security server's own certificate against the CA it was given rather than the public ones.
 *
 * In AWS: one Secrets Manager secret, JSON `{"certificate", "privateKey", "securityServerCa"}`
 * (PEM each), named by `KOTO_XROAD_TLS_SECRET_ARN` and read through the Parameters and Secrets
 * extension. Locally: the PEM files `KOTO_XROAD_TLS_CERT_FILE`, `…_KEY_FILE` and `…_CA_FILE` the
 * embedded runtime points at its data folder. Neither: no client certificate (a security server
 * reached over plain HTTP, as X-Road's "HTTP" connection type allows). Errors name the field or
 * variable, never a value: the key is a secret.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { XROAD_TLS_CA_FILE_ENV, XROAD_TLS_CERT_FILE_ENV, XROAD_TLS_KEY_FILE_ENV, XROAD_TLS_SECRET_ARN_ENV } from '#infra/topology';
import { extensionSecretReader, jsonSecretFields, refreshing, type SecretReader } from '#lib/extension-secret';
import type { TlsMaterial } from '#lib/https-exchange';

/** The hub's client certificate and key, and the CA the security server's certificate must chain to. */
export type XRoadTls = TlsMaterial;

/** Resolves the TLS material to use now; undefined: present no certificate. */
export type XRoadTlsProvider = () => Promise<XRoadTls | undefined>;

/** How long a read of the secret serves: a renewed certificate counts within this, without a deploy. */
export const XROAD_TLS_TTL_MS = 5 * 60_000;

const SECRET = 'the X-Road TLS secret';

/**
 * Checks that the material is what it claims to be before a connection tries it, so a wrong paste
 * is a configuration error naming its field, not a handshake failure at the security server.
 */
export const checkedTls = (tls: XRoadTls, names: { cert: string; key: string; ca: string }): XRoadTls => {
  try {
    new X509Certificate(tls.cert);
  } catch {
    throw new Error(`configuration: ${names.cert} is not a PEM certificate`);
  }
  try {
    createPrivateKey(tls.key);
  } catch {
    throw new Error(`configuration: ${names.key} is not a PEM private key`);
  }
  if (tls.ca !== undefined) {
    try {
      new X509Certificate(tls.ca);
    } catch {
      throw new Error(`configuration: ${names.ca} is not a PEM certificate`);
    }
  }
  return tls;
};

/** A PEM file the configuration names; an error names the variable, never the content. */
export const readConfigFile = (file: string, variable: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new Error(`configuration: ${variable} names a file that cannot be read`);
  }
};

export interface XRoadTlsOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly readSecret?: SecretReader;
  readonly now?: () => number;
}

export const xroadTlsProvider = (options: XRoadTlsOptions = {}): XRoadTlsProvider => {
  const env = options.env ?? process.env;
  const secretArn = env[XROAD_TLS_SECRET_ARN_ENV];
  if (secretArn) {
    const read = options.readSecret ?? extensionSecretReader(SECRET, env);
    return refreshing(
      async () => {
        const fields = jsonSecretFields(await read(secretArn), SECRET, ['certificate', 'privateKey'], ['securityServerCa']);
        const tls = { cert: fields.certificate, key: fields.privateKey, ...(fields.securityServerCa ? { ca: fields.securityServerCa } : {}) };
        return checkedTls(tls, { cert: `${SECRET}'s certificate`, key: `${SECRET}'s privateKey`, ca: `${SECRET}'s securityServerCa` });
      },
      XROAD_TLS_TTL_MS,
      options.now,
    );
  }
  const certFile = env[XROAD_TLS_CERT_FILE_ENV];
  const keyFile = env[XROAD_TLS_KEY_FILE_ENV];
  const caFile = env[XROAD_TLS_CA_FILE_ENV];
  if (!certFile && !keyFile && !caFile) return async () => undefined;
  if (!certFile || !keyFile) throw new Error(`configuration: ${XROAD_TLS_CERT_FILE_ENV} and ${XROAD_TLS_KEY_FILE_ENV} go together`);
  // Read once: the files are the embedded runtime's, fixed for its life.
  const tls = checkedTls(
    {
      cert: readConfigFile(certFile, XROAD_TLS_CERT_FILE_ENV),
      key: readConfigFile(keyFile, XROAD_TLS_KEY_FILE_ENV),
      ...(caFile ? { ca: readConfigFile(caFile, XROAD_TLS_CA_FILE_ENV) } : {}),
    },
    { cert: XROAD_TLS_CERT_FILE_ENV, key: XROAD_TLS_KEY_FILE_ENV, ca: XROAD_TLS_CA_FILE_ENV },
  );
  return async () => tls;
};
