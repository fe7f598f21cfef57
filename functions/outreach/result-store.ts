/**
 * Where delivered results go: in AWS the stack's encrypted S3 bucket (`KOTO_RESULTS_BUCKET`,
 * SSE-KMS), on the embedded runtime a folder in its data folder (`KOTO_RESULTS_DIR`). The bucket
 * store also writes to any S3-compatible server that `AWS_ENDPOINT_URL_S3` names (path style), which
 * is how the tests put a local S3 stand-in in front of it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { PermanentError, TransientError } from '#lib/errors';
import { traceClient } from '#lib/tracer';

export interface ResultStore {
  /** Stores a document and returns where it is. */
  put(key: string, body: string, contentType: string): Promise<string>;
}

export const folderStore = (root: string): ResultStore => ({
  async put(key, body) {
    const file = join(root, key);
    // A target list is personal data: its owner's alone, whatever the process's umask.
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, body, { encoding: 'utf8', mode: 0o600 });
    return file;
  },
});

export interface BucketStoreOptions {
  /** Longest one attempt may wait for S3, in milliseconds. */
  readonly timeoutMs?: number;
  /** Attempts of one PutObject, the first included (the SDK's standard retry strategy). */
  readonly maxAttempts?: number;
}

/**
 * Three PUTs of up to three attempts each stay inside outreach-assemble's 60 s timeout, so a hung
 * connection is retried by the SDK, then by SQS, rather than timed out.
 */
const S3_ATTEMPT_TIMEOUT_MS = 5_000;
const S3_MAX_ATTEMPTS = 3;

/**
 * The S3 client of the results bucket. `AWS_ENDPOINT_URL_S3` (which the SDK reads itself) points it
 * at an S3-compatible server, addressed path-style (`http://host:port/<bucket>/<key>`), as a local
 * stand-in needs; in AWS it is unset and the bucket is addressed virtual-hosted style.
 */
let sharedClient: S3Client | undefined;

const s3Client = (options: BucketStoreOptions): S3Client =>
  traceClient(
    new S3Client({
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
      maxAttempts: options.maxAttempts ?? S3_MAX_ATTEMPTS,
      // Without throwOnRequestTimeout the handler only warns, and a hung PUT waits for the function's timeout.
      requestHandler: {
        requestTimeout: options.timeoutMs ?? S3_ATTEMPT_TIMEOUT_MS,
        connectionTimeout: options.timeoutMs ?? S3_ATTEMPT_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      },
    }),
  );

/** S3 error codes that no retry changes: who may write, which key, which bucket. */
const REFUSALS: Readonly<Record<string, string>> = {
  AccessDenied: "outreach-assemble's role may not write to it or use its KMS key",
  AllAccessDisabled: 'all access to it is disabled',
  AccountProblem: 'the account that owns it has a problem',
  InvalidAccessKeyId: "the function's credentials are not known to S3",
  SignatureDoesNotMatch: "the function's credentials do not sign as S3 expects",
  NoSuchBucket: 'it does not exist (KOTO_RESULTS_BUCKET names the wrong bucket)',
  InvalidBucketName: 'its name is not a bucket name (KOTO_RESULTS_BUCKET)',
  InvalidArgument: 'the request is invalid, e.g. its KMS key id (KOTO_RESULTS_BUCKET_KEY_ARN)',
};

/** A refusal by the bucket's KMS key: AWS KMS error codes, which S3 passes on as `KMS.<code>`. */
const KMS_REFUSAL = /^(KMS\.)?(AccessDeniedException|DisabledException|KMSInvalidStateException|InvalidKeyUsageException|NotFoundException|KeyUnavailableException|IncorrectKeyException|InvalidGrantTokenException)$/;

/** Codes and statuses worth another try: the same request can succeed later. */
const isRetryable = (error: S3ServiceException, status: number): boolean =>
  Boolean(error.$retryable) || status >= 500 || status === 408 || status === 409 || status === 429 || /Throttl|SlowDown|Timeout|ExpiredToken|TooMany/i.test(error.name);

/**
 * What a failed PutObject means for the message: permanent when S3 or the bucket's KMS key refuses
 * (403, AccessDenied, a KMS refusal, NoSuchBucket, any other 4xx), with the reason an operator acts
 * on; transient when S3 is throttling, failing (5xx) or unreachable. Only S3's error code and status
 * go into the reason, never its message (which names principals and keys) nor the document.
 */
export const classifyPutFailure = (bucket: string, error: unknown): PermanentError | TransientError => {
  const where = `S3 PutObject to the results bucket ${bucket}`;
  if (error instanceof S3ServiceException || (error instanceof Error && '$metadata' in error && '$fault' in error)) {
    const e = error as S3ServiceException;
    const status = e.$metadata?.httpStatusCode ?? 0;
    const code = /^[A-Za-z0-9.]{1,64}$/.test(e.name) ? e.name : 'Unknown';
    const answer = `${code}${status ? ` (HTTP ${status})` : ''}`;
    const kms = KMS_REFUSAL.exec(code);
    if (kms) {
      return new PermanentError(`S3.${code}`, `${where} was refused: ${answer}; the bucket's KMS key refused outreach-assemble's role (disabled, pending deletion, or not granted)`, { cause: error });
    }
    const refusal = REFUSALS[code];
    if (refusal || status === 403) {
      return new PermanentError(`S3.${code}`, `${where} was refused: ${answer}; ${refusal ?? REFUSALS.AccessDenied}`, { cause: error });
    }
    if (!isRetryable(e, status) && status >= 400 && status < 500) {
      return new PermanentError(`S3.${code}`, `${where} was refused: ${answer}; the same request will be refused again`, { cause: error });
    }
    return new TransientError(`S3.${code}`, `${where} failed: ${answer}`, { cause: error });
  }
  // No answer at all (a timeout, a refused or reset connection, DNS): the same key is written again.
  const name = error instanceof Error ? error.name : 'no answer';
  return new TransientError('S3.unreachable', `${where} failed: ${name === 'Error' ? 'no answer' : name}`, { cause: error });
};

/**
 * One PutObject per document through `@aws-sdk/client-s3`: the SDK signs it with the function's
 * credentials, retries throttling, 5xx and network errors (standard mode, `maxAttempts`), and adds
 * a CRC32 checksum of the body that S3 verifies. What still fails is classified by
 * `classifyPutFailure`.
 *
 * `keyArn` names the stack's key: with `aws:kms` and no key id S3 would use the AWS-managed
 * `aws/s3` key rather than the bucket's default one.
 */
export const bucketStore = (bucket: string, keyArn?: string, options: BucketStoreOptions = {}): ResultStore => {
  let client: S3Client | undefined;
  return {
    async put(key, body, contentType) {
      if (!process.env.AWS_REGION) throw new Error('configuration: AWS_REGION is not set, so the results bucket cannot be addressed');
      // The default client is kept for the process, so its connections outlive an invocation.
      client ??= options.timeoutMs || options.maxAttempts ? s3Client(options) : (sharedClient ??= s3Client(options));
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ServerSideEncryption: 'aws:kms',
            ...(keyArn ? { SSEKMSKeyId: keyArn } : {}),
          }),
        );
      } catch (error) {
        throw classifyPutFailure(bucket, error);
      }
      return `s3://${bucket}/${key}`;
    },
  };
};

export const resultStoreFromEnv = (env: NodeJS.ProcessEnv = process.env): ResultStore => {
  if (env.KOTO_RESULTS_BUCKET) return bucketStore(env.KOTO_RESULTS_BUCKET, env.KOTO_RESULTS_BUCKET_KEY_ARN);
  if (env.KOTO_RESULTS_DIR) return folderStore(env.KOTO_RESULTS_DIR);
  throw new Error('configuration: neither KOTO_RESULTS_BUCKET nor KOTO_RESULTS_DIR is set');
};

/** Key of a run's result documents: `<municipality>/<runId>.json`, `.csv`, `.exclusions.json`. */
export const resultKey = (municipality: string, runId: string, suffix: '.json' | '.csv' | '.exclusions.json'): string =>
  `${municipality}/${runId}${suffix}`;
