/**
 * Where delivered results go: in AWS the stack's encrypted S3 bucket (`KOTO_RESULTS_BUCKET`,
 * SSE-KMS), on the embedded runtime a folder in its data folder (`KOTO_RESULTS_DIR`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

/**
 * `keyArn` names the stack's key: with `aws:kms` and no key id S3 would use the AWS-managed
 * `aws/s3` key rather than the bucket's default one.
 */
export const bucketStore = (bucket: string, keyArn?: string): ResultStore => ({
  async put(key, body, contentType) {
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    await new S3Client({}).send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ServerSideEncryption: 'aws:kms',
        ...(keyArn ? { SSEKMSKeyId: keyArn } : {}),
      }),
    );
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
