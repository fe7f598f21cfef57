/**
 * Calling the door as a client: HTTPS with the client's certificate and key, trusting only the
 * hub's CA (what curl does with `--cert --key --cacert`). node:https, because fetch takes no client
 * certificate without the undici package.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface ClientCredentials {
  /** Files of the client certificate, its key and the hub's CA (PEM). */
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface DoorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** Sends one request to the door; `credentials` undefined sends none (to see the door refuse it). */
export const callDoor = (
  url: string,
  credentials: ClientCredentials | { readonly ca: string } | undefined,
  init: { readonly method?: string; readonly body?: string; readonly headers?: Readonly<Record<string, string>> } = {},
): Promise<DoorResponse> =>
  new Promise((resolve, reject) => {
    const tls = {
      ...(credentials ? { ca: readFileSync(credentials.ca) } : { rejectUnauthorized: false }),
      ...(credentials && 'cert' in credentials ? { cert: readFileSync(credentials.cert), key: readFileSync(credentials.key) } : {}),
    };
    const req = request(
      url,
      {
        method: init.method ?? 'POST',
        headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
        ...tls,
        // Each call shows its own certificate: no pooled connection of another caller.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });

/** Posts envelopes as a client: the JSON answer and its status. */
export const postEnvelopes = async (url: string, credentials: ClientCredentials, body: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: DoorResponse['headers'] }> => {
  const response = await callDoor(url, credentials, { body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: JSON.parse(response.text) as Record<string, unknown> };
};
