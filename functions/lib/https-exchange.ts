/**
 * One outbound HTTP(S) call as the hub makes it to an external system, whichever way it goes: to
 * the municipality's X-Road security server (functions/lib/xroad-client.ts) or straight to a
 * wellbeing services county's FHIR server (functions/lib/direct-client.ts). Both present the hub's
 * client certificate and trust only the CA configured for the other end, wait for a rate-limit slot
 * within the deadline, read at most so many bytes of the answer, and record the system's latency and
 * failures; only the way a failure is named differs (`CallFaults`).
 *
 * Node's own `http`/`https`, not fetch: fetch takes no client certificate without the undici
 * package. A keep-alive agent per TLS material (`AgentPool`) holds connections open between calls.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { Agent as HttpAgent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { XmlRejected } from '#contracts/xroad/xml';
import type { ExternalSystem } from '#infra/topology';
import { recordExternalCall, type FailureKind } from '#lib/metrics';
import type { OutboundLimiter } from '#lib/rate-limit';
import { inSubsegment } from '#lib/tracer';

/** A client certificate, its key and the CA the other end's certificate must chain to (PEM each). */
export interface TlsMaterial {
  /** The hub's client certificate (PEM; a chain may follow it). */
  readonly cert: string;
  /** Its private key (PEM). */
  readonly key: string;
  /** The CA (or the self-signed certificate) the server's certificate must chain to (PEM); none: the public CAs. */
  readonly ca?: string;
}

/**
 * The options of an agent toward an `https:` server: the hub's certificate and key, and trust in the
 * configured CA only (Node then trusts no public CA), the server's name checked as always.
 * Keep-alive, so calls reuse the connection and its handshake.
 */
export const tlsAgentOptions = (tls: TlsMaterial | undefined): HttpsAgentOptions => ({
  keepAlive: true,
  rejectUnauthorized: true,
  ...(tls ? { cert: tls.cert, key: tls.key } : {}),
  ...(tls?.ca ? { ca: tls.ca } : {}),
});

/** Node's error codes of a failed TLS handshake or certificate check (OpenSSL's verify results and alerts). */
const TLS_FAILURE = /^(?:ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_(?:GET|VERIFY)|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

export const isTlsFailure = (error: unknown): boolean => TLS_FAILURE.test(String((error as { code?: unknown } | null)?.code ?? ''));

/** The agent for the TLS material it was made with; remade when the material changes (a renewed certificate). */
export class AgentPool {
  private connection?: { readonly tls: TlsMaterial | undefined; readonly agent: HttpAgent };

  async agentFor(url: URL, material: () => Promise<TlsMaterial | undefined>): Promise<HttpAgent> {
    if (url.protocol !== 'https:') {
      this.connection ??= { tls: undefined, agent: new HttpAgent({ keepAlive: true }) };
      return this.connection.agent;
    }
    const tls = await material();
    const current = this.connection;
    if (current && current.tls?.cert === tls?.cert && current.tls?.key === tls?.key && current.tls?.ca === tls?.ca) return current.agent;
    current?.agent.destroy();
    this.connection = { tls, agent: new HttpsAgent(tlsAgentOptions(tls)) };
    return this.connection.agent;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.connection?.agent.destroy();
    this.connection = undefined;
  }
}

export interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly headers: OutgoingHttpHeaders;
  readonly body?: string;
}

/**
 * One request; the answer read up to `limit` bytes (a larger one is rejected without reading the
 * rest). Its bytes are held until `leaveAt` (epoch ms; the rate limiter's slot, which let it
 * through a little early). `onDeparted` is told once when the request has left — handed whole to
 * the socket — or, with no time, that it failed before it did.
 */
const send = (
  url: URL,
  init: Exchange,
  agent: HttpAgent,
  signal: AbortSignal,
  limit: number,
  leaveAt: number,
  onDeparted: (at?: number) => void,
): Promise<{ status: number; body: Buffer }> =>
  new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    const headers = body ? { ...init.headers, 'content-length': body.byteLength } : init.headers;
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: init.method, headers, agent, signal }, (response) => {
      const declared = Number(response.headers['content-length'] ?? NaN);
      if (declared > limit) {
        response.destroy();
        return reject(new XmlRejected('too-large', `the answer of ${declared} bytes exceeds the limit of ${limit} bytes`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limit) {
          response.destroy();
          return reject(new XmlRejected('too-large', `the answer exceeds the limit of ${limit} bytes`));
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('the answer was cut off')));
    });
    request.on('finish', () => onDeparted(Date.now()));
    request.on('error', (error) => (onDeparted(), reject(error)));
    const leave = () => {
      if (request.destroyed) return;
      // On a connection that is open (a kept-alive one, as a rule) the bytes are written on the way
      // out of `end`: that is the departure. `finish` comes only once the event loop has turned, which
      // on a busy one is milliseconds later, and pacing from it would lose those to every interval.
      const open = connectionOpen(request.socket);
      request.end(body);
      if (open) onDeparted(Date.now());
    };
    const hold = leaveAt - Date.now();
    if (hold > 0) setTimeout(leave, hold);
    else leave();
  });

/** Whether bytes written to `socket` now go out now: connected, and past a TLS handshake. */
const connectionOpen = (socket: Socket | null): boolean => {
  if (!socket || socket.connecting || !socket.writable) return false;
  // A TLS connection names its protocol once the handshake is done ('unknown' until then).
  if (socket instanceof TLSSocket) return !['unknown', null].includes(socket.getProtocol());
  return true;
};

export interface CallOptions {
  /** Epoch milliseconds by which the call must have ended (the invocation's deadline less a margin). */
  readonly deadline?: number;
  readonly issue?: string;
}

/** How a caller names the failures of the way there (each typed: transient or permanent, free of personal data). */
export interface CallFaults {
  timeout(): Error;
  /** The TLS handshake failed: the other end's certificate is not the configured CA's, or it refused the hub's. */
  tls(): Error;
  network(): Error;
  /** The TLS material could not be read or is wrong: no call can go out. */
  configuration(cause: unknown): Error;
}

/**
 * One call as the metrics see it: sent once the request left (a call refused before, for want of
 * time or a rate-limit slot, says nothing about the system), with its duration until the answer
 * was read or the call failed.
 */
export interface Attempt {
  startedAt?: number;
  durationMs?: number;
}

const NOT_SENT = Symbol('not sent');

/**
 * Marks a failure that came before the request left — no time or rate-limit slot before the
 * deadline, the hub's own TLS material unreadable — so that the breaker does not count it against
 * the system (functions/lib/breaker/guard.ts): it says nothing about the system.
 */
const notSent = <E extends Error>(error: E): E => Object.assign(error, { [NOT_SENT]: true });

/** Whether the call failed before its request left (`notSent`). */
export const wasNotSent = (error: unknown): boolean => typeof error === 'object' && error !== null && NOT_SENT in error;

/** Every error a client throws says whether a retry can help; what does not, counts as permanent. */
const failureKind = (error: unknown): FailureKind =>
  (error as { transient?: unknown } | null)?.transient === true ? 'transient' : 'permanent';

/** Runs one call and records its latency and, if it failed once sent, its failure, for `system`. */
export const observed = async <T>(system: ExternalSystem | undefined, call: (attempt: Attempt) => Promise<T>): Promise<T> => {
  const attempt: Attempt = {};
  let failure: FailureKind | undefined;
  try {
    return await call(attempt);
  } catch (error) {
    failure = failureKind(error);
    throw error;
  } finally {
    if (system && attempt.startedAt !== undefined) {
      recordExternalCall(system, attempt.durationMs ?? Date.now() - attempt.startedAt, failure);
    }
  }
};

export interface ExchangeSettings {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly limiter?: OutboundLimiter;
  readonly agents: AgentPool;
  readonly tls: () => Promise<TlsMaterial | undefined>;
  /** The X-Ray subsegment's name. */
  readonly segment: string;
  readonly faults: CallFaults;
}

/**
 * Sends one request within the call's deadline and the client's timeout: a rate-limit slot first
 * (waiting for it counts against the deadline), then the request; the answer's status and body.
 */
export const exchange = async (url: string, init: Exchange, options: CallOptions, attempt: Attempt, settings: ExchangeSettings): Promise<{ status: number; body: Buffer }> => {
  const { faults } = settings;
  const budget = Math.min(settings.timeoutMs, options.deadline ? options.deadline - Date.now() : Infinity);
  if (budget <= 0) throw notSent(faults.timeout());
  let leaveAt = 0;
  if (settings.limiter) {
    // A call that could only start after its deadline fails now.
    const grant = await settings.limiter.acquire(options.deadline);
    if (!grant) throw notSent(faults.timeout());
    leaveAt = grant.leaveAt;
  }
  // The limiter paces from the moment the request really left (or learns that it did not): once.
  let told = false;
  const departed = (at?: number) => {
    if (told) return;
    told = true;
    settings.limiter?.departed?.(at);
  };
  const target = new URL(url);
  let agent: HttpAgent;
  try {
    agent = await settings.agents.agentFor(target, settings.tls);
  } catch (error) {
    departed();
    throw notSent(faults.configuration(error));
  }
  const signal = AbortSignal.timeout(Math.max(1, options.deadline ? Math.min(budget, options.deadline - Date.now()) : budget));
  attempt.startedAt = Date.now();
  try {
    // In X-Ray, one subsegment per call named by the system (the request's own HTTP one nested in it).
    return await inSubsegment(settings.segment, () => send(target, init, agent, signal, settings.maxResponseBytes, leaveAt, departed));
  } catch (error) {
    if (error instanceof XmlRejected) throw error;
    if (signal.aborted) throw faults.timeout();
    if (isTlsFailure(error)) throw faults.tls();
    throw faults.network();
  } finally {
    departed();
    // The system's latency: the request and the answer, not what the hub does with it afterwards.
    attempt.durationMs = Date.now() - attempt.startedAt;
  }
};
