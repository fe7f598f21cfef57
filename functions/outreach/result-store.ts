/**
 * Where delivered results go: in AWS the stack's encrypted S3 bucket (`KOTO_RESULTS_BUCKET`,
 * SSE-KMS), on the embedded runtime a folder in its data folder (`KOTO_RESULTS_DIR`).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import { TransientError } from '#lib/errors';

export interface ResultStore {
  /** Stores a document and returns where it is. */
  put(key: string, body: string, contentType: string): Promise<string>;
}

export const folderStore = (root: string): ResultStore => ({
  async put(key, body) {
    const file = join(root, key);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body, 'utf8');
    return file;
  },
});

/** SHA-256 for SignatureV4 over node:crypto: an HMAC when it is given a key, a plain hash otherwise. */
class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

/** A key as S3 wants it in the path: every byte but the unreserved ones percent-encoded, `/` kept. */
const keyPath = (key: string): string =>
  key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

/**
 * Where a bucket's object is: virtual-hosted style in AWS; path style under `AWS_ENDPOINT_URL_S3`
 * (the SDK's name for an S3 endpoint override), which tests point at a local server.
 */
const objectUrl = (bucket: string, key: string, region: string): URL => {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  return endpoint
    ? new URL(`${endpoint.replace(/\/+$/, '')}/${bucket}/${keyPath(key)}`)
    : new URL(`https://${bucket}.s3.${region}.amazonaws.com/${keyPath(key)}`);
};

/** Three PUTs stay well inside outreach-assemble's timeout, so a hung connection is retried rather than timed out. */
const S3_PUT_TIMEOUT_MS = 15_000;

/**
 * One PutObject as a SigV4-signed HTTPS PUT (Amazon S3 API Reference, "PutObject" and
 * "Authenticating Requests: Using the Authorization Header"): no S3 client in the bundle for the one
 * call the hub makes. The credentials are the function's, from its environment. The signer hashes
 * the body and adds it as `x-amz-content-sha256`, which S3 requires.
 *
 * `keyArn` names the stack's key: with `aws:kms` and no key id S3 would use the AWS-managed
 * `aws/s3` key rather than the bucket's default one.
 */
export const bucketStore = (bucket: string, keyArn?: string, timeoutMs = S3_PUT_TIMEOUT_MS): ResultStore => ({
  async put(key, body, contentType) {
    const region = process.env.AWS_REGION;
    if (!region) throw new Error('configuration: AWS_REGION is not set, so the results bucket cannot be addressed');
    const url = objectUrl(bucket, key, region);
    const payload = Buffer.from(body, 'utf8');
    const signer = new SignatureV4({ service: 's3', region, credentials: fromEnv(), sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({
      method: 'PUT',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      headers: {
        host: url.host,
        'content-type': contentType,
        'x-amz-server-side-encryption': 'aws:kms',
        ...(keyArn ? { 'x-amz-server-side-encryption-aws-kms-key-id': keyArn } : {}),
      },
      body: payload,
    });
    // fetch sends Host itself, from the same URL that was signed.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(url, { method: 'PUT', headers, body: payload, signal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
      // No answer in time, or none at all: SQS redelivers, and the same key is written again.
      throw new TransientError('S3.unreachable', `S3 PutObject to bucket ${bucket} failed: ${error instanceof Error ? error.name : 'no answer'}`);
    });
    if (!response.ok) {
      // S3 explains a refusal in an XML <Error>; only its Code is passed on.
      const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(await response.text().catch(() => ''))?.[1];
      throw new TransientError(
        `S3.${code ?? response.status}`,
        `S3 PutObject to bucket ${bucket} failed: HTTP ${response.status}${code ? ` ${code}` : ''}`,
      );
    }
    await response.body?.cancel();
    return `s3://${bucket}/${key}`;
  },
});

export const resultStoreFromEnv = (env: NodeJS.ProcessEnv = process.env): ResultStore => {
  if (env.KOTO_RESULTS_BUCKET) return bucketStore(env.KOTO_RESULTS_BUCKET, env.KOTO_RESULTS_BUCKET_KEY_ARN);
  if (env.KOTO_RESULTS_DIR) return folderStore(env.KOTO_RESULTS_DIR);
  throw new Error('configuration: neither KOTO_RESULTS_BUCKET nor KOTO_RESULTS_DIR is set');
};

/** Key of a run's result documents: `<municipality>/<runId>.json`, `.csv`, `.exclusions.json`. */
export const resultKey = (municipality: string, runId: string, suffix: '.json' | '.csv' | '.exclusions.json'): string =>
  `${municipality}/${runId}${suffix}`;
