/**
 * A client certificate the municipality's system brought with it (`koto-hub clients add
 * --certificate FILE`), checked before the registry holds its fingerprint: in AWS the door trusts
 * the CAs of its truststore (`DoorTruststoreUri`), not the local CA, so a vendor's own certificate
 * is registered rather than issued. Node's X509Certificate reads it: nothing here needs a library.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { normalizeFingerprint } from '#functions/ingress/door';
import { UsageError } from '#cli/connection';

/** Extended key usage "TLS client authentication" (RFC 5280 4.2.1.12, id-kp-clientAuth). */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface BroughtCertificate {
  readonly certificateSha256: string;
  readonly subject: string;
  /** Whether `issuerPem` (the local hub CA) signed it; undefined without one to check against. */
  readonly signedByLocalCa?: boolean;
}

/** Reads and checks `file`; every refusal names the option and the reason, never the certificate's contents. */
export const broughtCertificate = (file: string, now: Date, issuerPem?: string): BroughtCertificate => {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--certificate: cannot read ${file}`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new UsageError('--certificate: not a PEM X.509 certificate');
  }
  if (cert.ca) throw new UsageError('--certificate: is a CA certificate; give the client system\'s own certificate (the CA goes into the door\'s truststore)');
  if (now.getTime() < Date.parse(cert.validFrom)) throw new UsageError(`--certificate: not valid before ${new Date(cert.validFrom).toISOString()}`);
  if (now.getTime() > Date.parse(cert.validTo)) throw new UsageError(`--certificate: expired on ${new Date(cert.validTo).toISOString()}`);
  // Node lists the extended key usages when the certificate restricts them (undefined: unrestricted).
  const usages = cert.keyUsage as string[] | undefined;
  if (usages && !usages.includes(CLIENT_AUTH)) throw new UsageError('--certificate: its extended key usage does not include TLS client authentication');
  let signedByLocalCa: boolean | undefined;
  if (issuerPem) {
    const issuer = new X509Certificate(issuerPem);
    signedByLocalCa = cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  }
  return { certificateSha256: normalizeFingerprint(cert.fingerprint256), subject: cert.subject.replace(/\n/g, ', '), ...(signedByLocalCa === undefined ? {} : { signedByLocalCa }) };
};
