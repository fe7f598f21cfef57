/**
 * What the wellbeing functions read from their deployment: the counties' endpoints and the
 * pseudonym key. Neither is code.
 *
 * - The endpoints (`KOTO_WELLBEING_COUNTIES`): JSON of `countyEndpointsV1`, a deployment parameter
 *   in AWS, the county mocks' on the embedded runtime. Checked on first use; an error names the
 *   variable and the field, never a value.
 * - The pseudonym key: in AWS a Secrets Manager secret (`KOTO_PSEUDONYM_KEY_SECRET_ARN`) read through
 *   the Parameters and Secrets extension like the audit key, locally a generated file in the data
 *   folder (`KOTO_PSEUDONYM_KEY_FILE`). A key of its own, not the audit key: a pseudonym leaves the
 *   hub, an audit hash never does, and the two must not be linkable.
 */
import { readFileSync } from 'node:fs';
import { issueText } from '#contracts/issues';
import { countyEndpointsV1, type CountyEndpointV1 } from '#contracts/wellbeing/endpoint';
import { PSEUDONYM_KEY_FILE_ENV, PSEUDONYM_KEY_SECRET_ARN_ENV, WELLBEING_COUNTIES_ENV } from '#infra/topology';
import { extensionSecretReader, refreshing, type SecretReader } from '#lib/extension-secret';

/** The counties' endpoints as configured; `[]` when the variable is unset (no county is reachable). */
export const countyEndpoints = (value: string | undefined = process.env[WELLBEING_COUNTIES_ENV]): readonly CountyEndpointV1[] => {
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`configuration: ${WELLBEING_COUNTIES_ENV} is not JSON (an array of county endpoints)`);
  }
  const checked = countyEndpointsV1.safeParse(parsed);
  if (!checked.success) throw new Error(`configuration: ${WELLBEING_COUNTIES_ENV}: ${issueText(checked.error)}`);
  return checked.data as CountyEndpointV1[];
};

/** A new version of the secret counts within five minutes, without a deploy. */
const KEY_TTL_MS = 5 * 60_000;

const loadKey = async (reader: SecretReader, env: NodeJS.ProcessEnv): Promise<Uint8Array> => {
  const file = env[PSEUDONYM_KEY_FILE_ENV];
  let key: Uint8Array;
  if (file) key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  else if (env[PSEUDONYM_KEY_SECRET_ARN_ENV]) key = Buffer.from(await reader(env[PSEUDONYM_KEY_SECRET_ARN_ENV]), 'utf8');
  else throw new Error(`configuration: neither ${PSEUDONYM_KEY_FILE_ENV} nor ${PSEUDONYM_KEY_SECRET_ARN_ENV} is set`);
  if (key.byteLength < 32) throw new Error('configuration: the pseudonym key must be at least 32 bytes');
  return key;
};

/** The pseudonym key reader of one process (`env` and `reader` injectable for tests). */
export const pseudonymKeyReader = (
  env: NodeJS.ProcessEnv = process.env,
  reader: SecretReader = extensionSecretReader(`the pseudonym key secret (${PSEUDONYM_KEY_SECRET_ARN_ENV})`, env),
): (() => Promise<Uint8Array>) => refreshing(() => loadKey(reader, env), KEY_TTL_MS);

let shared: (() => Promise<Uint8Array>) | undefined;
let sharedFor: string | undefined;

/** The key under the current environment (the embedded runtime changes data folders between tests). */
export const pseudonymKey = (): Promise<Uint8Array> => {
  const source = `${process.env[PSEUDONYM_KEY_FILE_ENV] ?? ''}|${process.env[PSEUDONYM_KEY_SECRET_ARN_ENV] ?? ''}`;
  if (!shared || sharedFor !== source) {
    shared = pseudonymKeyReader();
    sharedFor = source;
  }
  return shared();
};
