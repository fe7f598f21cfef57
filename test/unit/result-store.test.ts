/**
 * The results bucket through `@aws-sdk/client-s3`. A local HTTP server on 127.0.0.1 stands in for
 * S3 (AWS_ENDPOINT_URL_S3, path style): it answers PutObject as S3 does, with an empty 200 or an
 * XML <Error>, and keeps what it received, so the tests see the request the SDK sent (signed, with
 * its checksum) and how each refusal ends: a permanent failure with its reason, or a transient one.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { bucketStore, classifyPutFailure } from '#functions/outreach/result-store';
import { classifyError, PermanentError, TransientError } from '#lib/errors';

const CREDENTIALS = { accessKeyId: 'AKIDKOTOHUBTEST', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYKOTOHUBKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLEsession' };
const REGION = 'eu-north-1';
const BUCKET = 'koto-hub-results-test';
const KEY_ARN = 'arn:aws:kms:eu-north-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** S3's error document. Its Message is never passed on: this one carries a HETU to prove it. */
const s3Error = (code: string, message = 'refused for 131052-308T') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>kotohub</HostId></Error>`;

let server: Server;
let endpoint: string;
const received: Received[] = [];
/** What the stand-in answers to each request; by default S3's answer to a stored object. */
let answer: (request: Received, index: number) => { status: number; body: string };
const stored = () => ({ status: 200, body: '' });

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const got = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(got);
      const { status, body } = answer(got, received.length - 1);
      response.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': '4442587FB7D0A2F9' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  answer = stored;
  vi.stubEnv('AWS_ENDPOINT_URL_S3', endpoint);
  vi.stubEnv('AWS_REGION', REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', CREDENTIALS.sessionToken);
});
afterEach(() => vi.unstubAllEnvs());

const failureOf = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => {
      throw new Error('expected the put to fail');
    },
    (error: unknown) => error as Error,
  );

/** A store with fresh connections and quick retries, so each test sees only its own requests. */
const store = (keyArn: string | null = KEY_ARN, maxAttempts = 3) => bucketStore(BUCKET, keyArn ?? undefined, { timeoutMs: 2_000, maxAttempts });

describe('the results bucket (bucketStore, @aws-sdk/client-s3)', () => {
  const csv = 'code;reasons\nT-1;kotikunta\nÅsa;ä\n';

  it("puts the document with one signed PutObject: the body whole, its CRC32 checksum, SSE-KMS with the stack's key", async () => {
    const location = await store().put('905/run-1.csv', csv, 'text/csv; charset=utf-8');
    expect(location).toBe(`s3://${BUCKET}/905/run-1.csv`);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('PUT');
    expect(request!.path.split('?')[0]).toBe(`/${BUCKET}/905/run-1.csv`);
    expect(request!.body).toBe(csv);
    expect(request!.headers).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      'x-amz-security-token': CREDENTIALS.sessionToken,
    });
    // The SDK's default integrity protection: S3 recomputes the checksum and refuses a mismatch.
    const expected = Buffer.alloc(4);
    expected.writeUInt32BE(crc32(Buffer.from(csv, 'utf8')));
    expect(request!.headers['x-amz-checksum-crc32']).toBe(expected.toString('base64'));
    expect(String(request!.headers.authorization)).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/s3/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`),
    );
    const signed = /SignedHeaders=([a-z0-9;-]+)/.exec(String(request!.headers.authorization))![1]!.split(';');
    expect(signed).toEqual(
      expect.arrayContaining(['content-type', 'host', 'x-amz-checksum-crc32', 'x-amz-security-token', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id']),
    );
  });

  it("names no key without a key ARN, so the bucket's default applies", async () => {
    await store(null).put('905/run-1.json', '{}\n', 'application/json');
    expect(received[0]!.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(received[0]!.headers).not.toHaveProperty('x-amz-server-side-encryption-aws-kms-key-id');
  });

  it('a 403 AccessDenied ends as a permanent failure at once: no retry, the reason names the results bucket and the cause, nothing of the answer', async () => {
    answer = () => ({ status: 403, body: s3Error('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform kms:GenerateDataKey 131052-308T') });
    const error = await failureOf(store().put('905/run-1.csv', csv, 'text/csv; charset=utf-8'));
    expect(received).toHaveLength(1);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({
      code: 'S3.AccessDenied',
      message: `S3 PutObject to the results bucket ${BUCKET} was refused: AccessDenied (HTTP 403); outreach-assemble's role may not write to it or use its KMS key`,
    });
    // How the batch handler sees it: straight to the DLQ with this reason.
    const failure = classifyError(error);
    expect(failure).toEqual({ kind: 'permanent', code: 'S3.AccessDenied', reason: error.message });
    expect(failure.reason).not.toMatch(/131052|assumed-role|GenerateDataKey/);
  });

  it.each([
    [400, 'KMS.DisabledException'],
    [400, 'KMS.KMSInvalidStateException'],
    [403, 'KMS.AccessDeniedException'],
  ])("a refusal by the bucket's KMS key (HTTP %i %s) is permanent and says so", async (status, code) => {
    answer = () => ({ status, body: s3Error(code) });
    const error = await failureOf(store().put('905/run-1.csv', csv, 'text/csv'));
    expect(received).toHaveLength(1);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: `S3.${code}` });
    expect(error.message).toBe(
      `S3 PutObject to the results bucket ${BUCKET} was refused: ${code} (HTTP ${status}); the bucket's KMS key refused outreach-assemble's role (disabled, pending deletion, or not granted)`,
    );
  });

  it('a missing bucket is permanent and points at KOTO_RESULTS_BUCKET', async () => {
    answer = () => ({ status: 404, body: s3Error('NoSuchBucket') });
    const error = await failureOf(store().put('905/run-1.csv', csv, 'text/csv'));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(`S3 PutObject to the results bucket ${BUCKET} was refused: NoSuchBucket (HTTP 404); it does not exist (KOTO_RESULTS_BUCKET names the wrong bucket)`);
  });

  it('a 5xx is retried by the SDK, and a later success is a success', async () => {
    answer = (_request, index) => (index === 0 ? { status: 500, body: s3Error('InternalError') } : stored());
    await expect(store().put('905/run-1.csv', csv, 'text/csv')).resolves.toBe(`s3://${BUCKET}/905/run-1.csv`);
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(csv);
  });

  it('a 5xx on every attempt ends as a transient failure naming the code, so SQS redelivers', async () => {
    answer = () => ({ status: 500, body: s3Error('InternalError') });
    const error = await failureOf(store(KEY_ARN, 2).put('905/run-1.csv', csv, 'text/csv'));
    expect(received).toHaveLength(2);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'S3.InternalError', message: `S3 PutObject to the results bucket ${BUCKET} failed: InternalError (HTTP 500)` });
    expect(classifyError(error).kind).toBe('transient');
  });

  it('throttling is transient', () => {
    const slowDown = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    expect(classifyPutFailure(BUCKET, slowDown)).toBeInstanceOf(TransientError);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'KMS.ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(classifyPutFailure(BUCKET, throttled)).toBeInstanceOf(TransientError);
  });

  it('no answer in time is a transient error naming the bucket, so SQS redelivers and the same key is written again', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      silent.closeAllConnections();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    vi.stubEnv('AWS_ENDPOINT_URL_S3', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    const error = await failureOf(bucketStore(BUCKET, KEY_ARN, { timeoutMs: 200, maxAttempts: 1 }).put('905/run-1.csv', csv, 'text/csv'));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'S3.unreachable' });
    expect(error.message).toBe(`S3 PutObject to the results bucket ${BUCKET} failed: TimeoutError`);
  });

  it('without AWS_REGION it says so before sending anything', async () => {
    vi.stubEnv('AWS_REGION', '');
    await expect(store().put('905/run-1.csv', csv, 'text/csv')).rejects.toThrow('configuration: AWS_REGION is not set, so the results bucket cannot be addressed');
    expect(received).toEqual([]);
  });
});
