/**
 * The client certificates a stand-in with mutual TLS admits (the security server's registered
 * "internal TLS certificates", a directly reached county's admitted hub certificate), and the CAs
 * its handshake trusts.
 *
 * A connection's certificate is read and fingerprinted once, on the connection's first request:
 * kept-alive connections carry many, and parsing the certificate on each one held up the registers'
 * event loop, so that arrivals the benchmark times came late in bunches. Admission is still checked
 * on every request, against the set as it is then.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

export class ClientCertificates {
  private readonly admitted = new Set<string>();
  private readonly issuers = new Set<string>();
  /** Each open connection's certificate fingerprint; an entry goes with its socket. */
  private readonly presented = new WeakMap<TLSSocket, string | null>();

  /**
   * Registers a client certificate. `trust` is told the CAs (PEM) to trust from now on when `issuer`
   * is new to them: new connections take it, those already open keep their context.
   */
  admit(certificate: string, issuer: string, trust: (issuers: string[]) => void): void {
    this.admitted.add(new X509Certificate(certificate).fingerprint256);
    if (this.issuers.has(issuer)) return;
    this.issuers.add(issuer);
    trust([...this.issuers]);
  }

  /** Whether the connection's client presented a certificate that is registered. */
  admits(socket: TLSSocket): boolean {
    let fingerprint = this.presented.get(socket);
    if (fingerprint === undefined) {
      const raw = socket.getPeerCertificate()?.raw;
      fingerprint = raw ? new X509Certificate(raw).fingerprint256 : null;
      this.presented.set(socket, fingerprint);
    }
    return fingerprint !== null && this.admitted.has(fingerprint);
  }
}
