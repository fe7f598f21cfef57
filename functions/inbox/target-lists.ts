/**
 * Reading a delivered target list back for its municipality's client: the documents
 * outreach-assemble wrote (functions/outreach/result-store.ts), streamed, never held whole.
 *
 * Streamed rather than a presigned S3 link: the link would be a bearer token, usable by whoever
 * gets hold of it for its lifetime, outside the client's mutual-TLS identity and the audit of the
 * door, and `@aws-sdk/s3-request-presigner` would be a new dependency; streaming keeps every read of
 * personal data behind the client's identity. A list is a few hundred rows (well inside a Lambda
 * response's 6 MB); a municipality whose lists outgrow that would need the link after all.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { traceClient } from '#lib/tracer';

export interface StoredDocument {
  readonly body: Readable;
  readonly contentType: string;
}

/** Opens a stored result document by its key, `<municipality>/<runId>.<kind>`; undefined when there is none. */
export type ListReader = (key: string) => Promise<StoredDocument | undefined>;

const contentTypeOf = (key: string): string => (key.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/json');

export const folderLists =
  (root: string): ListReader =>
  async (key) => {
    const file = join(root, key);
    return existsSync(file) ? { body: createReadStream(file), contentType: contentTypeOf(key) } : undefined;
  };

let client: S3Client | undefined;

export const bucketLists =
  (bucket: string): ListReader =>
  async (key) => {
    client ??= traceClient(new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }));
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: object.Body as Readable, contentType: object.ContentType ?? contentTypeOf(key) };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };

export const listReaderFromEnv = (env: NodeJS.ProcessEnv = process.env): ListReader => {
  if (env.KOTO_RESULTS_BUCKET) return bucketLists(env.KOTO_RESULTS_BUCKET);
  if (env.KOTO_RESULTS_DIR) return folderLists(env.KOTO_RESULTS_DIR);
  throw new Error('configuration: neither KOTO_RESULTS_BUCKET nor KOTO_RESULTS_DIR is set');
};
