/**
 * The audit key in AWS comes from the AWS Parameters and Secrets Lambda Extension; here a local
 * HTTP server on 127.0.0.1 stands in for it, with the extension's contract: GET
 * /secretsmanager/get?secretId=…, the session token in X-Aws-Parameters-Secrets-Token, and
 * GetSecretValue's JSON as the answer. The CLI, outside Lambda, asks Secrets Manager itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUDIT_KEY_FILE_ENV, AUDIT_KEY_SECRET_ARN_ENV } from '#infra/topology';
import { auditKey, readAuditKeySecretWith, resetAuditKey } from '#lib/audit/key';
import { connectToHub } from '#cli/connection';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:koto-hub-audit-key-AbCdEf';
const SECRET = 'k3yM4terial0nlyTheExtensionKnowsAbout0123456789abcdefghijklmnopq';
const SESSION_TOKEN = 'session-token-of-the-function';

/** What the fake extension does with the next request; every request it saw. */
let answer: (token: string | undefined, secretId: string | null) => { status: number; body: string };
const seen: { path: string; token: string | undefined; secretId: string | null }[] = [];

/** The extension's own rule: no token, or not the function's, is refused. */
const extension = (token: string | undefined, secretId: string | null) =>
  token !== SESSION_TOKEN
    ? { status: 401, body: '{"message":"missing or invalid X-Aws-Parameters-Secrets-Token"}' }
    : secretId !== SECRET_ARN
      ? { status: 400, body: '{"__type":"ResourceNotFoundException","message":"Secrets Manager can\'t find the specified secret."}' }
      : { status: 200, body: JSON.stringify({ ARN: SECRET_ARN, Name: 'koto-hub-audit-key', SecretString: SECRET, VersionStages: ['AWSCURRENT'] }) };

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const token = request.headers['x-aws-parameters-secrets-token'] as string | undefined;
    const secretId = url.searchParams.get('secretId');
    seen.push({ path: url.pathname, token, secretId });
    const { status, body } = url.pathname === '/secretsmanager/get' ? answer(token, secretId) : { status: 404, body: 'not found' };
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  answer = extension;
  seen.length = 0;
  resetAuditKey();
  vi.stubEnv(AUDIT_KEY_FILE_ENV, '');
  vi.stubEnv(AUDIT_KEY_SECRET_ARN_ENV, SECRET_ARN);
  vi.stubEnv('AWS_SESSION_TOKEN', SESSION_TOKEN);
  vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', String(port));
});
afterEach(() => {
  vi.unstubAllEnvs();
  resetAuditKey();
});

/** The error auditKey() fails with; it must never carry the secret. */
const failure = async (): Promise<Error> => {
  const error = await auditKey().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('auditKey() did not fail');
  expect(`${error.message} ${String(error.cause ?? '')}`).not.toContain(SECRET);
  return error;
};

describe('the audit key through the Parameters and Secrets extension', () => {
  it("is the secret's SecretString, asked for by ARN with the function's session token, once per process", async () => {
    expect((await auditKey()).toString('utf8')).toBe(SECRET);
    expect(await auditKey()).toEqual(Buffer.from(SECRET, 'utf8'));
    expect(seen).toEqual([{ path: '/secretsmanager/get', token: SESSION_TOKEN, secretId: SECRET_ARN }]);
  });

  it('is refused by the extension without the right token, and the error says which answer came', async () => {
    vi.stubEnv('AWS_SESSION_TOKEN', 'someone-elses-token');
    const error = await failure();
    expect(error.message).toMatch(/^configuration: the Parameters and Secrets extension answered HTTP 401 for the audit key secret/);
    expect(seen).toHaveLength(1);
  });

  it('is not asked for at all without a session token to send', async () => {
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    expect((await failure()).message).toBe(
      'configuration: AWS_SESSION_TOKEN is not set, so the Parameters and Secrets extension cannot be asked for the audit key secret (KOTO_AUDIT_KEY_SECRET_ARN)',
    );
    expect(seen).toEqual([]);
  });

  it.each([
    [400, 'check that the secret exists'],
    [403, 'check that the secret exists'],
    [500, 'could not get the secret from Secrets Manager'],
    [503, 'could not get the secret from Secrets Manager'],
  ])('an extension answering HTTP %i is a configuration error without the answer in it', async (status, hint) => {
    // The worst case: an answer that carries the secret after all.
    answer = () => ({ status, body: JSON.stringify({ SecretString: SECRET, message: `failed ${SECRET}` }) });
    const error = await failure();
    expect(error.message).toMatch(new RegExp(`^configuration: .*HTTP ${status} for the audit key secret \\(${AUDIT_KEY_SECRET_ARN_ENV}\\)`));
    expect(error.message).toContain(hint);
  });

  it('an answer that is not JSON is a configuration error that does not quote it', async () => {
    answer = () => ({ status: 200, body: `${SECRET} is not JSON` });
    expect((await failure()).message).toBe('configuration: the Parameters and Secrets extension answered with something that is not JSON for the audit key secret (KOTO_AUDIT_KEY_SECRET_ARN)');
  });

  it('a secret without a SecretString, or an empty one, is a configuration error', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ ARN: SECRET_ARN, SecretBinary: 'AAEC' }) });
    expect((await failure()).message).toBe('configuration: the audit key secret (KOTO_AUDIT_KEY_SECRET_ARN) has no SecretString');
    answer = () => ({ status: 200, body: JSON.stringify({ ARN: SECRET_ARN, SecretString: '' }) });
    expect((await failure()).message).toBe('configuration: the audit key secret (KOTO_AUDIT_KEY_SECRET_ARN) is empty');
  });

  it('no extension listening is a configuration error that asks for its layer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', String(unused));
    expect((await failure()).message).toBe(
      `configuration: no answer from the Parameters and Secrets extension on port ${unused} for the audit key secret (KOTO_AUDIT_KEY_SECRET_ARN); does the function have its layer?`,
    );
  });

  it('a failed read is not remembered: the next call asks again', async () => {
    answer = () => ({ status: 503, body: '' });
    await failure();
    answer = extension;
    expect((await auditKey()).toString('utf8')).toBe(SECRET);
    expect(seen).toHaveLength(2);
  });
});

describe('the audit key for the CLI working on the hub in AWS', () => {
  /** Secrets Manager's GetSecretValue (JSON 1.1 protocol), standing in at AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  let secretsManager: Server;
  const asked: { target: string | undefined; secretId: unknown }[] = [];

  beforeAll(async () => {
    secretsManager = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown };
        asked.push({ target: request.headers['x-amz-target'] as string | undefined, secretId: SecretId });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ ARN: SecretId, SecretString: SECRET }));
      });
    });
    await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => secretsManager.close(() => resolve())));

  it("reads the secret with the operator's credentials, there being no extension outside Lambda", async () => {
    vi.stubEnv('KOTO_TABLE_AUDIT', 'koto-hub-audit');
    vi.stubEnv('KOTO_DATA_DIR', '');
    vi.stubEnv('AWS_REGION', 'eu-north-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDOPERATOR');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'operator-secret');
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`);
    const connection = await connectToHub();
    expect(connection.where).toBe('AWS (eu-north-1)');
    expect((await auditKey()).toString('utf8')).toBe(SECRET);
    expect(asked).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN }]);
    expect(seen).toEqual([]);
  });

  it('a reader put in place is used from then on, until the key is reset', async () => {
    readAuditKeySecretWith(async () => 'first key');
    expect((await auditKey()).toString('utf8')).toBe('first key');
    readAuditKeySecretWith(async (secretId) => `second key for ${secretId}`);
    expect((await auditKey()).toString('utf8')).toBe(`second key for ${SECRET_ARN}`);
    resetAuditKey();
    expect((await auditKey()).toString('utf8')).toBe(SECRET);
    expect(seen).toHaveLength(1);
  });
});
