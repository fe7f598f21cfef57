/**
 * The HMAC key for hashing HETUs in the audit log. Never in the code: in AWS a Secrets Manager
 * secret (`KOTO_AUDIT_KEY_SECRET_ARN`), locally a generated file in the data folder
 * (`KOTO_AUDIT_KEY_FILE`, created by the embedded runtime). Read once per process.
 */
import { readFileSync } from 'node:fs';
import { AUDIT_KEY_FILE_ENV, AUDIT_KEY_SECRET_ARN_ENV } from '#infra/topology';
import { subjectHash } from '#lib/audit/record';

let cached: Promise<Buffer> | undefined;

const load = async (): Promise<Buffer> => {
  const file = process.env[AUDIT_KEY_FILE_ENV];
  if (file) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  const secretArn = process.env[AUDIT_KEY_SECRET_ARN_ENV];
  if (secretArn) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error('configuration: the audit key secret is empty');
    return Buffer.from(SecretString, 'utf8');
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

/** Forget the cached key (the embedded runtime calls this when it switches data folders). */
export const resetAuditKey = (): void => {
  cached = undefined;
};

/** The keyed hash of a HETU under this runtime's audit key: how the hub keys a person without the code. */
export const hashHetu = async (hetu: string): Promise<string> => subjectHash(await auditKey(), hetu);
