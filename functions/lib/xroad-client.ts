/**
 * Calls to national systems through the municipality's X-Road security server: SOAP 1.1 with the
 * X-Road 4.0 headers, or REST under `/r1/…` with `X-Road-Client`. Every failure comes out typed
 * (`XRoadFault` transient or permanent, `XmlRejected`, `SoapEnvelopeError`) and free of personal
 * data. A call never outlives its deadline: the caller passes the invocation's remaining time.
 *
 * The transport is functions/lib/https-exchange.ts, shared with the counties reached directly: the
 * security server authenticates the hub by the client certificate it presents
 * (functions/lib/xroad-tls.ts). A keep-alive agent per client holds connections open between calls
 * and invocations.
 */
import { randomUUID } from 'node:crypto';
import { buildSoapRequest, parseSoapEnvelope, verifyEcho, xRoadClientId, type SoapEnvelope, type XRoadClientId, type XRoadServiceId } from '#contracts/xroad/soap';
import { issueText } from '#contracts/issues';
import { formatXRoadClientHeader, parseXRoadRestError } from '#contracts/xroad/rest';
import { faultFromHttpStatus, faultFromNetwork, faultFromRest, faultFromSoap, faultFromTimeout, faultFromTls } from '#contracts/xroad/errors';
import { DEFAULT_MAX_XML_BYTES, XmlRejected } from '#contracts/xroad/xml';
import { XROAD_CLIENT_ENV, XROAD_SECURITY_SERVER_ENV, type ExternalSystem } from '#infra/topology';
import { AgentPool, exchange, observed, type Attempt, type CallOptions, type Exchange } from '#lib/https-exchange';
import type { OutboundLimiter } from '#lib/rate-limit';
import { xroadTlsProvider, type XRoadTlsProvider } from '#lib/xroad-tls';

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

export { tlsAgentOptions, isTlsFailure, type CallOptions } from '#lib/https-exchange';

/** The hub's X-Road TLS settings could not be read or are wrong: permanent, its message names the setting (never a value). */
export class XRoadConfigurationError extends Error {
  override readonly name = 'XRoadConfigurationError';
  readonly transient = false;
  constructor(cause: unknown) {
    super(cause instanceof Error && cause.message.startsWith('configuration:') ? cause.message : 'configuration: the X-Road TLS settings could not be read');
  }
}

export class XRoadHttpClient {
  private readonly agents = new AgentPool();

  constructor(
    readonly config: XRoadClientConfig,
    private readonly limiter?: OutboundLimiter,
    /** The system called, for its metrics (`externalLatency`, `externalFailures`); none without it. */
    readonly system?: ExternalSystem,
  ) {}

  /** Closes the kept-alive connections (the embedded runtime, when it restarts). */
  close(): void {
    this.agents.close();
  }

  /** One SOAP call: the answer's envelope, after its headers were checked against the request. */
  soap(service: XRoadServiceId, bodyXml: string, options: CallOptions = {}): Promise<SoapEnvelope> {
    return observed(this.system, (attempt) => this.soapCall(service, bodyXml, options, attempt));
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
    return observed(this.system, (attempt) => this.restCall(serviceCode, method, path, json, options, attempt));
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
    return observed(this.system, async (attempt) => {
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

  private exchange(url: string, serviceCode: string, options: CallOptions, attempt: Attempt, init: Exchange): Promise<{ status: number; body: Buffer }> {
    return exchange(url, init, options, attempt, {
      timeoutMs: this.config.timeoutMs,
      maxResponseBytes: this.config.maxResponseBytes,
      limiter: this.limiter,
      agents: this.agents,
      tls: async () => this.config.tls?.(),
      segment: `X-Road ${this.system ?? serviceCode}`,
      faults: {
        timeout: () => faultFromTimeout(serviceCode),
        tls: () => faultFromTls(serviceCode),
        network: () => faultFromNetwork(serviceCode),
        configuration: (cause) => new XRoadConfigurationError(cause),
      },
    });
  }
}
