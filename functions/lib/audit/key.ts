/**
 * The HMAC key for hashing HETUs in the audit log. Never in the code: in AWS a Secrets Manager
 * secret (`KOTO_AUDIT_KEY_SECRET_ARN`) read through the AWS Parameters and Secrets Lambda Extension
 * (by the CLI outside Lambda, with its own reader), locally a generated file in the data folder
 * (`KOTO_AUDIT_KEY_FILE`, created by the embedded runtime). Read once per process.
 */
import { readFileSync } from 'node:fs';
import { AUDIT_KEY_FILE_ENV, AUDIT_KEY_SECRET_ARN_ENV } from '#infra/topology';
import { subjectHash } from '#lib/audit/record';
import { extensionSecretReader, type SecretReader } from '#lib/extension-secret';

export type { SecretReader };

/** Reads the secret through the Parameters and Secrets extension, the layer the stack gives every function that has it. */
const fromExtension: SecretReader = (secretId) => extensionSecretReader(`the audit key secret (${AUDIT_KEY_SECRET_ARN_ENV})`)(secretId);

let readSecret: SecretReader = fromExtension;
let cached: Promise<Buffer> | undefined;

/**
 * Reads the audit key secret another way from now on: the CLI working on the hub in AWS runs on an
 * operator's machine, where there is no extension (cli/connection.ts). Lambda bundles never call
 * this, so no Secrets Manager client is in them.
 */
export const readAuditKeySecretWith = (reader: SecretReader): void => {
  readSecret = reader;
  cached = undefined;
};

const load = async (): Promise<Buffer> => {
  const file = process.env[AUDIT_KEY_FILE_ENV];
  if (file) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  const secretArn = process.env[AUDIT_KEY_SECRET_ARN_ENV];
  if (secretArn) {
    const secret = await readSecret(secretArn);
    if (!secret) throw new Error('configuration: the audit key secret is empty');
    return Buffer.from(secret, 'utf8');
  }
  throw new Error('configuration: neither KOTO_AUDIT_KEY_FILE nor KOTO_AUDIT_KEY_SECRET_ARN is set');
};

export const auditKey = (): Promise<Buffer> => {
  cached ??= load().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
};

/** Forget the cached key and any reader put in place (the embedded runtime calls this when it switches data folders). */
export const resetAuditKey = (): void => {
  readSecret = fromExtension;
  cached = undefined;
};

/** The keyed hash of a HETU under this runtime's audit key: how the hub keys a person without the code. */
export const hashHetu = async (hetu: string): Promise<string> => subjectHash(await auditKey(), hetu);
