/**
 * The TLS the hub speaks with a wellbeing services county reached directly (the county's endpoint
 * `transport.kind` `direct`, contracts/wellbeing/endpoint.ts): the hub's client certificate, which
 * the county admits as X-Road's security server would, and the CA that county names for its own
 * server certificate, the only one trusted for it (each county runs its own PKI or buys from its own
 * vendor; trusting one county's CA for another would let either stand in for the other).
 *
 * In AWS: one Secrets Manager secret (`KOTO_COUNTY_TLS_SECRET_ARN`), JSON `{"certificate",
 * "privateKey", "ca-<county>": …}` (PEM each), read through the Parameters and Secrets extension and
 * read again after `XROAD_TLS_TTL_MS`, so a renewed certificate counts without a deploy. Locally: the
 * PEM files `KOTO_COUNTY_TLS_CERT_FILE`, `…_KEY_FILE` and the folder `KOTO_COUNTY_TLS_CA_DIR` of
 * `<county>.crt`, which the embedded runtime writes into its data folder. A county without a CA is a
 * configuration error naming the field, never a value.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTY_IDS, type CountyId } from '#contracts/wellbeing/counties';
import { COUNTY_TLS_CA_DIR_ENV, COUNTY_TLS_CERT_FILE_ENV, COUNTY_TLS_KEY_FILE_ENV, COUNTY_TLS_SECRET_ARN_ENV } from '#infra/topology';
import { extensionSecretReader, jsonSecretFields, refreshing, type SecretReader } from '#lib/extension-secret';
import type { TlsMaterial } from '#lib/https-exchange';
import { checkedTls, readConfigFile, XROAD_TLS_TTL_MS } from '#lib/xroad-tls';

/** The material toward one county: the hub's certificate and key, and that county's CA (always set). */
export type CountyTlsProvider = (county: CountyId) => Promise<TlsMaterial & { readonly ca: string }>;

const SECRET = 'the county TLS secret';

/** The secret's field holding a county's CA. */
export const countyCaField = (county: CountyId): string => `ca-${county}`;

export interface CountyTlsOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly readSecret?: SecretReader;
  readonly now?: () => number;
}

const withCa = (tls: TlsMaterial, county: CountyId, where: string): TlsMaterial & { ca: string } => {
  if (tls.ca === undefined) throw new Error(`configuration: ${where} names no CA for the wellbeing services county '${county}', reached directly`);
  return { ...tls, ca: tls.ca };
};

export const countyTlsProvider = (options: CountyTlsOptions = {}): CountyTlsProvider => {
  const env = options.env ?? process.env;
  const secretArn = env[COUNTY_TLS_SECRET_ARN_ENV];
  if (secretArn) {
    const read = options.readSecret ?? extensionSecretReader(SECRET, env);
    const fields = refreshing(
      async () => jsonSecretFields(await read(secretArn), SECRET, ['certificate', 'privateKey'], COUNTY_IDS.map(countyCaField)),
      XROAD_TLS_TTL_MS,
      options.now,
    );
    return async (county) => {
      const secret = await fields();
      const field = countyCaField(county);
      const tls = { cert: secret.certificate, key: secret.privateKey, ...(secret[field] ? { ca: secret[field] } : {}) };
      const checked = checkedTls(tls, { cert: `${SECRET}'s certificate`, key: `${SECRET}'s privateKey`, ca: `${SECRET}'s ${field}` });
      return withCa(checked, county, `${SECRET} (${field})`);
    };
  }
  const certFile = env[COUNTY_TLS_CERT_FILE_ENV];
  const keyFile = env[COUNTY_TLS_KEY_FILE_ENV];
  const caDir = env[COUNTY_TLS_CA_DIR_ENV];
  // Read on each call (a few small local files): a county's CA the runtime writes later still counts.
  return async (county) => {
    if (!certFile || !keyFile || !caDir) {
      throw new Error(`configuration: a county reached directly needs ${COUNTY_TLS_SECRET_ARN_ENV}, or ${COUNTY_TLS_CERT_FILE_ENV}, ${COUNTY_TLS_KEY_FILE_ENV} and ${COUNTY_TLS_CA_DIR_ENV}`);
    }
    const caFile = join(caDir, `${county}.crt`);
    const tls = {
      cert: readConfigFile(certFile, COUNTY_TLS_CERT_FILE_ENV),
      key: readConfigFile(keyFile, COUNTY_TLS_KEY_FILE_ENV),
      ...(existsSync(caFile) ? { ca: readConfigFile(caFile, COUNTY_TLS_CA_DIR_ENV) } : {}),
    };
    const checked = checkedTls(tls, { cert: COUNTY_TLS_CERT_FILE_ENV, key: COUNTY_TLS_KEY_FILE_ENV, ca: `${COUNTY_TLS_CA_DIR_ENV}/${county}.crt` });
    return withCa(checked, county, `${COUNTY_TLS_CA_DIR_ENV} (${county}.crt)`);
  };
};
