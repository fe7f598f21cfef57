/**
 * The HMAC key for hashing HETUs in the audit log. Never in the code: in AWS a Secrets Manager
 * secret (`KOTO_AUDIT_KEY_SECRET_ARN`) read through the AWS Parameters and Secrets Lambda Extension
 * (by the CLI outside Lambda, with its own reader), locally a generated file in the data folder
 * (`KOTO_AUDIT_KEY_FILE`, created by the embedded runtime). Read once per process.
 */
import { readFileSync } from 'node:fs';
import { AUDIT_KEY_FILE_ENV, AUDIT_KEY_SECRET_ARN_ENV } from '#infra/topology';
import { subjectHash } from '#lib/audit/record';

/** The extension's port unless PARAMETERS_SECRETS_EXTENSION_HTTP_PORT says otherwise. */
const EXTENSION_DEFAULT_PORT = '2773';
/** The extension answers from its cache, or after one Secrets Manager call. */
const EXTENSION_TIMEOUT_MS = 5_000;

/**
 * A secret's SecretString from the Parameters and Secrets extension, the layer the stack gives every
 * function that has the secret: `GET /secretsmanager/get?secretId=…` on localhost with the
 * function's session token in `X-Aws-Parameters-Secrets-Token`, answered with GetSecretValue's JSON
 * (AWS Secrets Manager User Guide, "Use AWS Secrets Manager secrets in AWS Lambda functions").
 * No SDK client in the bundle, and the extension caches. Errors say what failed, never what the
 * extension answered: an answer may hold the secret.
 */
const fromExtension = async (secretId: string): Promise<string> => {
  const token = process.env.AWS_SESSION_TOKEN;
  if (!token) throw new Error('configuration: AWS_SESSION_TOKEN is not set, so the Parameters and Secrets extension cannot be asked for the audit key');
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || EXTENSION_DEFAULT_PORT;
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { 'X-Aws-Parameters-Secrets-Token': token }, signal: AbortSignal.timeout(EXTENSION_TIMEOUT_MS) });
  } catch {
    throw new Error(`configuration: no answer from the Parameters and Secrets extension on port ${port}; does the function have its layer?`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(
      `configuration: the Parameters and Secrets extension answered HTTP ${response.status} for the audit key secret (${AUDIT_KEY_SECRET_ARN_ENV}); ` +
        (response.status >= 500
          ? 'it could not get the secret from Secrets Manager'
          : 'check that the secret exists, the function may read it (secretsmanager:GetSecretValue, kms:Decrypt) and the session token is sent'),
    );
  }
  let answer: unknown;
  try {
    answer = await response.json();
  } catch {
    // No cause: the parser's message quotes the text it could not read.
    throw new Error('configuration: the Parameters and Secrets extension answered with something that is not JSON');
  }
  const secret = (answer as { SecretString?: unknown } | null)?.SecretString;
  if (typeof secret !== 'string') throw new Error('configuration: the audit key secret has no SecretString');
  return secret;
};

/** Reads a secret's SecretString by its ARN. */
export type SecretReader = (secretId: string) => Promise<string>;

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
