/**
 * JSON calls over HTTPS with mutual TLS straight to a system's own URL, not through X-Road: what a
 * wellbeing services county that publishes its FHIR server directly is called with. The way there is
 * the X-Road client's (functions/lib/https-exchange.ts: the hub's client certificate, trust in the
 * configured CA only, the deadline, the rate limit, the answer's size limit, the metrics); the
 * failures are `DirectCallFault`s, transient or permanent by the HTTP status as for X-Road, and free
 * of personal data: only the status and a code, never the answer's text.
 */
import type { ExternalSystem } from '#infra/topology';
import { isTransientHttpStatus } from '#contracts/xroad/errors';
import { XmlRejected } from '#contracts/xroad/xml';
import { AgentPool, exchange, observed, type CallOptions, type TlsMaterial } from '#lib/https-exchange';
import type { OutboundLimiter } from '#lib/rate-limit';

/** A failed direct call: `code` says what failed (an HTTP status, a timeout, the handshake), never a value. */
export class DirectCallFault extends Error {
  override readonly name = 'DirectCallFault';
  constructor(
    readonly code: string,
    readonly transient: boolean,
    where: string,
    readonly httpStatus: number | null = null,
    /** What the configuration lacks (a setting's name), for a `Configuration` fault. */
    detail?: string,
  ) {
    const status = httpStatus !== null ? ` (HTTP ${httpStatus})` : '';
    super(`direct HTTPS call to ${where} failed: ${code}${status}${detail ? ` (${detail})` : ''}: ${transient ? 'transient, will be retried' : 'permanent'}`);
  }
}

export interface DirectClientConfig {
  /** Names the other end in errors and X-Ray (e.g. `wellbeing:helsinki`); not a URL, which may carry a path worth keeping out of logs. */
  readonly name: string;
  readonly tls: () => Promise<TlsMaterial>;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export class DirectHttpClient {
  private readonly agents = new AgentPool();

  constructor(
    readonly config: DirectClientConfig,
    private readonly limiter?: OutboundLimiter,
    /** The system called, for its metrics. */
    readonly system?: ExternalSystem,
  ) {}

  close(): void {
    this.agents.close();
  }

  /** One JSON call to `url` (`accept`/`content-type` as given): the parsed answer, or a typed failure. */
  json(method: 'GET' | 'POST', url: string, body: unknown, mediaType: string, options: CallOptions = {}): Promise<unknown> {
    const where = this.config.name;
    return observed(this.system, async (attempt) => {
      const { status, body: answer } = await exchange(
        url,
        { method, headers: { accept: mediaType, ...(body === undefined ? {} : { 'content-type': mediaType }) }, body: body === undefined ? undefined : JSON.stringify(body) },
        options,
        attempt,
        {
          timeoutMs: this.config.timeoutMs,
          maxResponseBytes: this.config.maxResponseBytes,
          limiter: this.limiter,
          agents: this.agents,
          tls: this.config.tls,
          segment: `HTTPS ${where}`,
          faults: {
            timeout: () => new DirectCallFault('Timeout', true, where),
            // Configuration, not luck: the server's certificate is not the configured CA's, or it refused the hub's.
            tls: () => new DirectCallFault('TlsHandshakeFailed', false, where),
            network: () => new DirectCallFault('NetworkError', true, where),
            configuration: (cause) =>
              new DirectCallFault('Configuration', false, where, null, cause instanceof Error && cause.message.startsWith('configuration:') ? cause.message : 'the TLS settings could not be read'),
          },
        },
      );
      if (status >= 400) throw new DirectCallFault(`Http.${status}`, isTransientHttpStatus(status), where, status);
      try {
        return JSON.parse(answer.toString('utf8'));
      } catch {
        throw new XmlRejected('malformed', `the answer of ${where} is not JSON`);
      }
    });
  }
}
