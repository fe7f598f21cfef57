/**
 * The results bucket without an S3 client: one SigV4-signed PUT. A local HTTP server on 127.0.0.1
 * stands in for S3 (AWS_ENDPOINT_URL_S3, path style) and checks the request the way S3 does: it
 * recomputes the signature from what it received, with the same credentials and the request's own
 * x-amz-date, by the algorithm of the Amazon S3 API Reference ("Signature Calculations for the
 * Authorization Header"), written out here rather than taken from the signer under test.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { bucketStore } from '#functions/outreach/result-store';
import { TransientError } from '#lib/errors';

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

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The signature S3 expects for a received request, given the signed headers its Authorization names. */
const expectedSignature = (request: Received, signedHeaders: string[]): string => {
  const amzDate = String(request.headers['x-amz-date']);
  const day = amzDate.slice(0, 8);
  const canonicalRequest = [
    request.method,
    request.path,
    '',
    ...signedHeaders.map((name) => `${name}:${String(request.headers[name]).trim()}`),
    '',
    signedHeaders.join(';'),
    String(request.headers['x-amz-content-sha256']),
  ].join('\n');
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = ['s3', 'aws4_request'].reduce(
    (key, part) => hmac(key, part),
    hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day), REGION),
  );
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
};

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

let server: Server;
let endpoint: string;
const received: Received[] = [];
/** What the fake S3 answers; by default it checks the request as S3 would and stores the object. */
let answer: (request: Received) => { status: number; body: string };

const s3 = (request: Received): { status: number; body: string } => {
  const match = AUTHORIZATION.exec(String(request.headers.authorization));
  if (!match) return { status: 400, body: '<Error><Code>AuthorizationHeaderMalformed</Code></Error>' };
  const [, accessKeyId, , region, signedHeaders, signature] = match;
  if (accessKeyId !== CREDENTIALS.accessKeyId || region !== REGION) return { status: 403, body: '<Error><Code>InvalidAccessKeyId</Code></Error>' };
  if (request.headers['x-amz-content-sha256'] !== sha256(request.body)) return { status: 400, body: '<Error><Code>XAmzContentSHA256Mismatch</Code></Error>' };
  if (signature !== expectedSignature(request, signedHeaders!.split(';'))) return { status: 403, body: '<Error><Code>SignatureDoesNotMatch</Code></Error>' };
  return { status: 200, body: '' };
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const got = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(got);
      const { status, body } = answer(got);
      response.writeHead(status, { 'content-type': 'application/xml' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  received.length = 0;
  answer = s3;
  vi.stubEnv('AWS_ENDPOINT_URL_S3', endpoint);
  vi.stubEnv('AWS_REGION', REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', CREDENTIALS.sessionToken);
});
afterEach(() => vi.unstubAllEnvs());

describe('the results bucket (bucketStore)', () => {
  const csv = 'code;reasons\nT-1;kotikunta\nÅsa;ä\n';

  it("puts the document with one PUT that S3 would accept: signed with the function's credentials, SSE-KMS with the stack's key", async () => {
    const location = await bucketStore(BUCKET, KEY_ARN).put('905/run-1.csv', csv, 'text/csv; charset=utf-8');
    expect(location).toBe(`s3://${BUCKET}/905/run-1.csv`);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'PUT', path: `/${BUCKET}/905/run-1.csv`, body: csv });
    expect(request!.headers).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      'x-amz-content-sha256': sha256(csv),
      'x-amz-security-token': CREDENTIALS.sessionToken,
    });
    const [, , day, , signedHeaders] = AUTHORIZATION.exec(String(request!.headers.authorization)) ?? [];
    expect(day).toBe(String(request!.headers['x-amz-date']).slice(0, 8));
    expect(Math.abs(Date.parse(String(request!.headers['x-amz-date']).replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, '$1-$2-$3T$4:$5:$6Z')) - Date.now())).toBeLessThan(60_000);
    // Everything that says where the object goes and how it is kept is under the signature.
    expect(signedHeaders?.split(';')).toEqual(
      expect.arrayContaining([
        'content-type',
        'host',
        'x-amz-content-sha256',
        'x-amz-date',
        'x-amz-security-token',
        'x-amz-server-side-encryption',
        'x-amz-server-side-encryption-aws-kms-key-id',
      ]),
    );
  });

  it("names no key without a key ARN, so the bucket's default applies", async () => {
    await bucketStore(BUCKET).put('905/run-1.json', '{}\n', 'application/json');
    expect(received[0]!.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(received[0]!.headers).not.toHaveProperty('x-amz-server-side-encryption-aws-kms-key-id');
  });

  it('encodes a key as S3 signs it: every reserved character of a segment escaped, the slashes kept', async () => {
    await bucketStore(BUCKET, KEY_ARN).put("905/run (1)*!'.json", '{}\n', 'application/json');
    expect(received[0]!.path).toBe(`/${BUCKET}/905/run%20%281%29%2A%21%27.json`);
  });

  it('a refusal is a transient error with the status and S3 error code, and nothing else of the answer', async () => {
    answer = () => ({
      status: 403,
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>User is not authorized to perform kms:GenerateDataKey</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>',
    });
    const error = await bucketStore(BUCKET, KEY_ARN)
      .put('905/run-1.csv', csv, 'text/csv; charset=utf-8')
      .then(() => undefined, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'S3.AccessDenied', message: `S3 PutObject to bucket ${BUCKET} failed: HTTP 403 AccessDenied` });
  });

  it('an answer without an S3 error document still names the status', async () => {
    answer = () => ({ status: 503, body: 'upstream overloaded' });
    await expect(bucketStore(BUCKET).put('905/run-1.csv', csv, 'text/csv')).rejects.toMatchObject({
      code: 'S3.503',
      message: `S3 PutObject to bucket ${BUCKET} failed: HTTP 503`,
    });
  });

  it('a request signed with other credentials is refused by the stand-in, so the check above is real', async () => {
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-secret-the-bucket-knows');
    await expect(bucketStore(BUCKET).put('905/run-1.csv', csv, 'text/csv')).rejects.toMatchObject({ code: 'S3.SignatureDoesNotMatch' });
  });

  it('no answer in time is a transient error naming the bucket, so SQS redelivers and the same key is written again', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      silent.closeAllConnections();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    vi.stubEnv('AWS_ENDPOINT_URL_S3', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    const error = await bucketStore(BUCKET, KEY_ARN, 200)
      .put('905/run-1.csv', csv, 'text/csv')
      .then(() => undefined, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'S3.unreachable', message: `S3 PutObject to bucket ${BUCKET} failed: TimeoutError` });
  });

  it('without AWS_REGION it says so before sending anything', async () => {
    vi.stubEnv('AWS_REGION', '');
    await expect(bucketStore(BUCKET).put('905/run-1.csv', csv, 'text/csv')).rejects.toThrow(
      'configuration: AWS_REGION is not set, so the results bucket cannot be addressed',
    );
    expect(received).toEqual([]);
  });
});
