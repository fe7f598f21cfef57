/**
 * Calls to national systems through the municipality's X-Road security server: SOAP 1.1 with the
 * X-Road 4.0 headers, or REST under `/r1/…` with `X-Road-Client`. Every failure comes out typed
 * (`XRoadFault` transient or permanent, `XmlRejected`, `SoapEnvelopeError`) and free of personal
 * data. A call never outlives its deadline: the caller passes the invocation's remaining time.
 *
 * The transport is Node's own `http`/`https`, not fetch: fetch takes no client certificate without
 * the undici package, and the security server authenticates the hub by the one it presents
 * (functions/lib/xroad-tls.ts). A keep-alive agent per client holds connections open between calls
 * and invocations.
 */
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { buildSoapRequest, parseSoapEnvelope, verifyEcho, xRoadClientId, type SoapEnvelope, type XRoadClientId, type XRoadServiceId } from '#contracts/xroad/soap';
import { issueText } from '#contracts/issues';
import { formatXRoadClientHeader, parseXRoadRestError } from '#contracts/xroad/rest';
import { faultFromHttpStatus, faultFromNetwork, faultFromRest, faultFromSoap, faultFromTimeout, faultFromTls } from '#contracts/xroad/errors';
import { DEFAULT_MAX_XML_BYTES, XmlRejected } from '#contracts/xroad/xml';
import { XROAD_CLIENT_ENV, XROAD_SECURITY_SERVER_ENV, type ExternalSystem } from '#infra/topology';
import { recordExternalCall, type FailureKind } from '#lib/metrics';
import { inSubsegment } from '#lib/tracer';
import type { OutboundLimiter } from '#lib/rate-limit';
import { xroadTlsProvider, type XRoadTls, type XRoadTlsProvider } from '#lib/xroad-tls';

export interface XRoadClientConfig {
  /** Base URL of the security server, e.g. `https://ss.example.fi`. */
  readonly securityServerUrl: string;
  readonly client: XRoadClientId;
  /** X-Road `userId`: the hub's own user, never a person's identity code. */
  readonly userId: string;
  /** Longest a single call may take, in milliseconds. */
  readonly timeoutMs: number;
  /** Largest answer read, in bytes. */
  readonly maxResponseBytes: number;
  /** The client certificate to present and the CA to check the security server by (`https:` only); none: no certificate. */
  readonly tls?: XRoadTlsProvider;
}

/**
 * `FI/MUN/0123456-7/kotohub` -> client identifier, checked as X-Road checks identifiers: a part
 * X-Road would refuse (a control character, a colon, …) is a configuration error naming the part,
 * not a message that goes out silently altered.
 */
export const parseClientId = (value: string): XRoadClientId => {
  const [xRoadInstance, memberClass, memberCode, subsystemCode, ...rest] = value.split('/');
  if (!xRoadInstance || !memberClass || !memberCode || !subsystemCode || rest.length > 0) {
    throw new Error(`configuration: ${XROAD_CLIENT_ENV} must be INSTANCE/CLASS/MEMBER/SUBSYSTEM`);
  }
  const parsed = xRoadClientId.safeParse({ xRoadInstance, memberClass, memberCode, subsystemCode });
  if (!parsed.success) throw new Error(`configuration: ${XROAD_CLIENT_ENV} is not a valid X-Road identifier: ${issueText(parsed.error)}`);
  return parsed.data;
};

export const xroadConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): XRoadClientConfig => {
  const securityServerUrl = env[XROAD_SECURITY_SERVER_ENV];
  if (!securityServerUrl) throw new Error(`configuration: ${XROAD_SECURITY_SERVER_ENV} is not set`);
  return {
    securityServerUrl: securityServerUrl.replace(/\/+$/, ''),
    client: parseClientId(env[XROAD_CLIENT_ENV] ?? 'FI-TEST/MUN/0000000-0/koto-hub'),
    userId: env.KOTO_XROAD_USER_ID ?? 'koto-hub',
    timeoutMs: Number(env.KOTO_XROAD_TIMEOUT_MS ?? 8000),
    maxResponseBytes: Number(env.KOTO_XROAD_MAX_RESPONSE_BYTES ?? DEFAULT_MAX_XML_BYTES),
    tls: xroadTlsProvider({ env }),
  };
};

/**
 * The options of the agent toward an `https:` security server: the hub's certificate and key, and
 * trust in the configured CA only (Node then trusts no public CA), the server's name checked as
 * always. Keep-alive, so calls reuse the connection and its handshake.
 */
export const tlsAgentOptions = (tls: XRoadTls | undefined): HttpsAgentOptions => ({
  keepAlive: true,
  rejectUnauthorized: true,
  ...(tls ? { cert: tls.cert, key: tls.key } : {}),
  ...(tls?.ca ? { ca: tls.ca } : {}),
});

/** Node's error codes of a failed TLS handshake or certificate check (OpenSSL's verify results and alerts). */
const TLS_FAILURE = /^(?:ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_(?:GET|VERIFY)|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

export const isTlsFailure = (error: unknown): boolean => TLS_FAILURE.test(String((error as { code?: unknown } | null)?.code ?? ''));

interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly headers: OutgoingHttpHeaders;
  readonly body?: string;
}

/**
 * One request; the answer read up to `limit` bytes (a larger one is rejected without reading the
 * rest). `onDeparted` is told once when the request has left — handed whole to the socket — or, with
 * no time, that it failed before it did.
 */
const send = (url: URL, init: Exchange, agent: HttpAgent, signal: AbortSignal, limit: number, onDeparted: (at?: number) => void): Promise<{ status: number; body: Buffer }> =>
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
    request.end(body);
  });

export interface CallOptions {
  /** Epoch milliseconds by which the call must have ended (the invocation's deadline less a margin). */
  readonly deadline?: number;
  readonly issue?: string;
}

/**
 * One call as the metrics see it: sent once the request left (a call refused before, for want of
 * time or a rate-limit slot, says nothing about the system), with its duration until the answer
 * was read or the call failed.
 */
interface Attempt {
  startedAt?: number;
  durationMs?: number;
}

/** The hub's X-Road TLS settings could not be read or are wrong: permanent, its message names the setting (never a value). */
export class XRoadConfigurationError extends Error {
  override readonly name = 'XRoadConfigurationError';
  readonly transient = false;
  constructor(cause: unknown) {
    super(cause instanceof Error && cause.message.startsWith('configuration:') ? cause.message : 'configuration: the X-Road TLS settings could not be read');
  }
}

/** Every error the client throws says whether a retry can help; what does not, counts as permanent. */
const failureKind = (error: unknown): FailureKind =>
  (error as { transient?: unknown } | null)?.transient === true ? 'transient' : 'permanent';

export class XRoadHttpClient {
  /** The agent for the TLS material it was made with; remade when the material changes (a renewed certificate). */
  private connection?: { readonly tls: XRoadTls | undefined; readonly agent: HttpAgent };

  constructor(
    readonly config: XRoadClientConfig,
    private readonly limiter?: OutboundLimiter,
    /** The system called, for its metrics (`externalLatency`, `externalFailures`); none without it. */
    readonly system?: ExternalSystem,
  ) {}

  private async agentFor(url: URL): Promise<HttpAgent> {
    if (url.protocol !== 'https:') {
      this.connection ??= { tls: undefined, agent: new HttpAgent({ keepAlive: true }) };
      return this.connection.agent;
    }
    const tls = await this.config.tls?.();
    const current = this.connection;
    if (current && current.tls?.cert === tls?.cert && current.tls?.key === tls?.key && current.tls?.ca === tls?.ca) return current.agent;
    current?.agent.destroy();
    this.connection = { tls, agent: new HttpsAgent(tlsAgentOptions(tls)) };
    return this.connection.agent;
  }

  /** Closes the kept-alive connections (the embedded runtime, when it restarts). */
  close(): void {
    this.connection?.agent.destroy();
    this.connection = undefined;
  }

  /** Runs one call and records its latency and, if it failed once sent, its failure. */
  private async observed<T>(call: (attempt: Attempt) => Promise<T>): Promise<T> {
    const attempt: Attempt = {};
    let failure: FailureKind | undefined;
    try {
      return await call(attempt);
    } catch (error) {
      failure = failureKind(error);
      throw error;
    } finally {
      if (this.system && attempt.startedAt !== undefined) {
        recordExternalCall(this.system, attempt.durationMs ?? Date.now() - attempt.startedAt, failure);
      }
    }
  }

  /** One SOAP call: the answer's envelope, after its headers were checked against the request. */
  soap(service: XRoadServiceId, bodyXml: string, options: CallOptions = {}): Promise<SoapEnvelope> {
    return this.observed((attempt) => this.soapCall(service, bodyXml, options, attempt));
  }

  private async soapCall(service: XRoadServiceId, bodyXml: string, options: CallOptions, attempt: Attempt): Promise<SoapEnvelope> {
    const headers = {
      client: this.config.client,
      service,
      id: randomUUID(),
      userId: this.config.userId,
      protocolVersion: '4.0' as const,
      ...(options.issue ? { issue: options.issue } : {}),
    };
    const request = buildSoapRequest(headers, bodyXml);
    const { status, body } = await this.exchange(`${this.config.securityServerUrl}/`, service.serviceCode, options, attempt, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: request,
    });
    if (body.byteLength === 0) throw faultFromHttpStatus(status, service.serviceCode);
    let envelope: SoapEnvelope;
    try {
      envelope = parseSoapEnvelope(body, { maxBytes: this.config.maxResponseBytes });
    } catch (error) {
      // An error status with a body that is no SOAP (a proxy's error page) is classified by its status.
      if (status >= 400) throw faultFromHttpStatus(status, service.serviceCode);
      throw error;
    }
    if (envelope.fault) throw faultFromSoap(envelope.fault, status, service.serviceCode);
    if (status >= 400) throw faultFromHttpStatus(status, service.serviceCode);
    verifyEcho(headers, envelope.headers);
    return envelope;
  }

  /**
   * One REST call to `path` (`/r1/{instance}/{class}/{member}/{subsystem}/{service}/…`, as the
   * system's contract builds it): the parsed JSON answer. `serviceCode` names it in errors.
   */
  rest(serviceCode: string, method: 'GET' | 'POST', path: string, json?: unknown, options: CallOptions = {}): Promise<unknown> {
    return this.observed((attempt) => this.restCall(serviceCode, method, path, json, options, attempt));
  }

  private async restCall(serviceCode: string, method: 'GET' | 'POST', path: string, json: unknown, options: CallOptions, attempt: Attempt): Promise<unknown> {
    const url = `${this.config.securityServerUrl}${path}`;
    const { status, body } = await this.exchange(url, serviceCode, options, attempt, {
      method,
      headers: {
        'x-road-client': formatXRoadClientHeader(this.config.client),
        'x-road-id': randomUUID(),
        'x-road-userid': this.config.userId,
        accept: 'application/json',
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = body.toString('utf8');
    if (status >= 400) {
      const error = parseXRoadRestError(text);
      throw error ? faultFromRest(error, status, serviceCode) : faultFromHttpStatus(status, serviceCode);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new XmlRejected('malformed', `the answer of ${serviceCode} is not JSON`);
    }
  }

  /**
   * One REST call whose documents are XML (YA's claim and answers, contracts/ya/): the answer's
   * text for the caller's reader. Errors as `rest`'s: X-Road's JSON error body, else the status.
   */
  restXml(serviceCode: string, method: 'GET' | 'POST', path: string, xml?: string, options: CallOptions = {}): Promise<string> {
    return this.observed(async (attempt) => {
      const { status, body } = await this.exchange(`${this.config.securityServerUrl}${path}`, serviceCode, options, attempt, {
        method,
        headers: {
          'x-road-client': formatXRoadClientHeader(this.config.client),
          'x-road-id': randomUUID(),
          'x-road-userid': this.config.userId,
          accept: 'application/xml',
          ...(xml === undefined ? {} : { 'content-type': 'application/xml; charset=utf-8' }),
        },
        body: xml,
      });
      const text = body.toString('utf8');
      if (status >= 400) {
        const error = parseXRoadRestError(text);
        throw error ? faultFromRest(error, status, serviceCode) : faultFromHttpStatus(status, serviceCode);
      }
      return text;
    });
  }

  private async exchange(url: string, serviceCode: string, options: CallOptions, attempt: Attempt, init: Exchange): Promise<{ status: number; body: Buffer }> {
    const budget = Math.min(this.config.timeoutMs, options.deadline ? options.deadline - Date.now() : Infinity);
    if (budget <= 0) throw faultFromTimeout(serviceCode);
    if (this.limiter) {
      // Waiting for a slot counts against the deadline too: a call that could only start after it fails now.
      const granted = await this.limiter.acquire(options.deadline);
      if (!granted) throw faultFromTimeout(serviceCode);
    }
    // The limiter paces from the moment the request really left (or learns that it did not): once.
    let told = false;
    const departed = (at?: number) => {
      if (told) return;
      told = true;
      this.limiter?.departed?.(at);
    };
    const target = new URL(url);
    let agent: HttpAgent;
    try {
      agent = await this.agentFor(target);
    } catch (error) {
      departed();
      // The TLS configuration could not be read: no call can go out, and the reason names the setting.
      throw new XRoadConfigurationError(error);
    }
    const signal = AbortSignal.timeout(Math.max(1, options.deadline ? Math.min(budget, options.deadline - Date.now()) : budget));
    attempt.startedAt = Date.now();
    try {
      // In X-Ray, one subsegment per call named by the system (the request's own HTTP one nested in it).
      return await inSubsegment(`X-Road ${this.system ?? serviceCode}`, () => send(target, init, agent, signal, this.config.maxResponseBytes, departed));
    } catch (error) {
      if (error instanceof XmlRejected) throw error;
      if (signal.aborted) throw faultFromTimeout(serviceCode);
      if (isTlsFailure(error)) throw faultFromTls(serviceCode);
      throw faultFromNetwork(serviceCode);
    } finally {
      departed();
      // The system's latency: the request and the answer, not what the hub does with it afterwards.
      attempt.durationMs = Date.now() - attempt.startedAt;
    }
  }
}
