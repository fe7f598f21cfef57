/**
 * TEST SEAM, not a door: the inbox routes (`/inbox/…`, functions/inbox/pull.ts) on the embedded
 * runtime's loopback server, with the caller named by the `X-Koto-Test-Client` header and looked up
 * in the data folder's client file. Mounted only when `startRuntime({ inboxTestSeam: true })` asks
 * (the tests); `npm start` never does. The mutual-TLS door of issue 10 (items 1–2) replaces the
 * header with the client certificate, and these routes move behind it.
 */
import type { DataDir } from '#infra/local/data-dir';
import type { RawRequest, RawResponse } from '#infra/local/ingress-server';
import { fileClientDirectory } from '#functions/inbox/clients';
import { inboxDeps } from '#functions/inbox/deps';
import { handleInboxRequest } from '#functions/inbox/pull';

export const TEST_CLIENT_HEADER = 'x-koto-test-client';

const json = (status: number, body: unknown): RawResponse => ({ status, type: 'application/json', body: JSON.stringify(body) });

export const inboxTestSeam =
  (dir: DataDir) =>
  async (request: RawRequest): Promise<RawResponse> => {
    const clientId = request.headers[TEST_CLIENT_HEADER];
    const caller = typeof clientId === 'string' ? await fileClientDirectory(dir.inboxClientsFile).client(clientId) : undefined;
    if (!caller) return json(401, { error: 'unauthenticated', message: `no registered client named in ${TEST_CLIENT_HEADER}` });
    const answer = await handleInboxRequest(caller, request, inboxDeps());
    return 'json' in answer ? json(answer.status, answer.json) : { status: answer.status, type: answer.contentType, stream: answer.stream };
  };
