/**
 * The door in front of ingress (and of whatever else a client may call): who is calling, from the
 * TLS client certificate alone, and whether they are within their rate. Both runtimes call it: the
 * embedded runtime with the certificate of its own TLS socket, AWS with the one API Gateway's mutual
 * TLS passed on (`requestContext.identity.clientCert`). A header or a body field never names the
 * caller.
 *
 * 401: no certificate, one not from the hub's CA, or one no active client holds; 429 with
 * `Retry-After`: a client over its rate. Each refusal is audited and counted (refusals.ts).
 */
import { X509Certificate } from 'node:crypto';
import type { Caller } from '#contracts/clients';
import { ClientRateLimiter, type DoorClock } from '#lib/door/client-rate';
import type { ClientRegistry } from '#lib/door/client-registry';
import { recordRefusal } from '#lib/door/refusals';

export interface PresentedCertificate {
  /** SHA-256 of the DER certificate, hex, with or without colons. */
  readonly fingerprint256: string;
  /** Did it chain to the hub's CA (the embedded runtime's TLS check; API Gateway's truststore in AWS)? */
  readonly trusted: boolean;
}

export interface DoorAnswer {
  readonly status: 401 | 429;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: string; readonly message: string };
}

export type Admission = { readonly ok: true; readonly caller: Caller } | ({ readonly ok: false } & DoorAnswer);

const REASONS = {
  'no-client-certificate': 'present the TLS client certificate the hub issued your system',
  'certificate-not-trusted': 'the client certificate was not issued by the hub’s CA',
  'unknown-client': 'no client of the hub holds this certificate',
  'client-revoked': 'this client has been revoked',
} as const;

/** `AB:CD:…` or `abcd…` → `ABCD…`, as the registry keeps it. */
export const normalizeFingerprint = (fingerprint: string): string => fingerprint.replace(/:/g, '').toUpperCase();

/** The SHA-256 fingerprint of a PEM certificate (what API Gateway passes on). */
export const fingerprintOfPem = (pem: string): string => normalizeFingerprint(new X509Certificate(pem).fingerprint256);

/** The certificate API Gateway's mutual TLS accepted: it chained to the truststore, or the request would not be here. */
export const certificateFromApiGateway = (event: { requestContext: { identity: { clientCert?: { clientCertPem?: string } | null } } }): PresentedCertificate | undefined => {
  const pem = event.requestContext.identity.clientCert?.clientCertPem;
  return pem ? { fingerprint256: fingerprintOfPem(pem), trusted: true } : undefined;
};

export class Door {
  private readonly limiter: ClientRateLimiter;

  constructor(
    private readonly registry: ClientRegistry,
    private readonly clock: DoorClock = { now: () => Date.now() },
  ) {
    this.limiter = new ClientRateLimiter(clock);
  }

  now(): number {
    return this.clock.now();
  }

  async admit(presented: PresentedCertificate | undefined): Promise<Admission> {
    if (!presented) return this.unauthenticated('no-client-certificate');
    if (!presented.trusted) return this.unauthenticated('certificate-not-trusted');
    const caller = await this.registry.byCertificate(normalizeFingerprint(presented.fingerprint256));
    if (!caller) return this.unauthenticated('unknown-client');
    if (caller.status !== 'active') return this.unauthenticated('client-revoked', caller);
    const rate = this.limiter.take(caller.clientId, caller.ratePerMinute);
    if (!rate.ok) {
      await recordRefusal({ status: 429, rule: 'over-rate', clientId: caller.clientId, source: caller.system }, new Date(this.clock.now()));
      return {
        ok: false,
        status: 429,
        headers: { 'retry-after': String(rate.retryAfterSeconds) },
        body: { error: 'over-rate', message: `over this client's rate of ${caller.ratePerMinute} requests a minute; retry after ${rate.retryAfterSeconds} s` },
      };
    }
    return { ok: true, caller };
  }

  private async unauthenticated(rule: keyof typeof REASONS, caller?: Caller): Promise<Admission> {
    await recordRefusal({ status: 401, rule, clientId: caller?.clientId, source: caller?.system }, new Date(this.clock.now()));
    return { ok: false, status: 401, headers: { 'www-authenticate': 'mutual-tls' }, body: { error: rule, message: REASONS[rule] } };
  }
}
