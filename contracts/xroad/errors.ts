/**
 * Classification of X-Road failures into transient (retry with backoff) and permanent (dead letter
 * at once with the reason), for SOAP faults, REST error bodies, HTTP statuses and timeouts.
 *
 * Fault codes follow the security server's error codes (`Server.ClientProxy.*`, `Server.ServerProxy.*`,
 * `Client.*`; X-Road ErrorCodes): `Server.*` is the infrastructure or the provider failing —
 * network, proxy, timestamping, the provider's own error — and worth retrying; `Client.*` means the
 * request itself is wrong and will fail the same way again. Some `Server.*` codes are about
 * configuration, not luck (unknown service or member, access denied), and are permanent.
 *
 * An `XRoadFault` carries the fault code and nothing from `faultstring` or `detail`: both may
 * quote the request, and the request may hold a personal identity code. The one exception is a REST
 * error whose `detail` is a list of codes (`UPPER_SNAKE`, comma-separated), as a provider names the
 * rules a document broke: those codes are kept (`detailCodes`), and a `detail` with anything else in
 * it is dropped whole.
 */
import type { SoapFault } from '#contracts/xroad/soap';
import type { XRoadRestError } from '#contracts/xroad/rest';

export type XRoadFaultSource = 'soap' | 'rest' | 'http' | 'timeout' | 'network';

/** Suffixes of fault codes that no retry will cure. */
const PERMANENT_MARKERS = [
  'AccessDenied',
  'UnknownService',
  'UnknownMember',
  'UnknownSubsystem',
  'InvalidRequest',
  'InvalidClientIdentifier',
  'InvalidServiceIdentifier',
  'InvalidSoap',
  'ServiceNotFound',
  'NotFound',
  // The security server does not know the TLS certificate the information system presented (or got none).
  'SslAuthenticationFailed',
] as const;

/** Codes that are always transient, whatever their prefix. */
const TRANSIENT_MARKERS = ['Timeout', 'NetworkError', 'ServiceUnavailable', 'TooManyRequests', 'Throttl'] as const;

/** A fault code safe to record: letters, digits and `._:-` only, at most 200 characters. */
export const sanitizeFaultCode = (code: string): string => {
  const trimmed = code.trim();
  return /^[A-Za-z0-9_.:-]{1,200}$/.test(trimmed) ? trimmed : 'Unknown';
};

/**
 * Whether a fault code is worth retrying. `Server.*` (and a bare SOAP `Server`) is transient unless
 * it names a configuration error; `Client.*` (and a bare `Client`) and anything unknown is
 * permanent, except codes that name a timeout or network failure.
 */
export function isTransientFaultCode(faultCode: string): boolean {
  const code = sanitizeFaultCode(faultCode);
  const parts = code.split('.');
  if (TRANSIENT_MARKERS.some((marker) => parts.some((part) => part.includes(marker)))) return true;
  if (PERMANENT_MARKERS.some((marker) => parts.includes(marker))) return false;
  const head = (parts[0] ?? '').replace(/^.*:/, '');
  return head === 'Server' || head === 'Receiver';
}

/** HTTP statuses worth retrying: 408, 425, 429 and every 5xx except 501 and 505. */
export const isTransientHttpStatus = (status: number): boolean =>
  status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);

/** A failed X-Road call. `faultCode` is sanitised; of the faultstring and detail only a list of codes is kept. */
export class XRoadFault extends Error {
  override readonly name = 'XRoadFault';
  readonly faultCode: string;
  readonly transient: boolean;
  readonly source: XRoadFaultSource;
  readonly httpStatus: number | null;
  /** The codes a REST error's `detail` names (a provider's rule codes), when it is nothing but codes; else empty. */
  readonly detailCodes: readonly string[];

  constructor(init: { faultCode: string; transient?: boolean; source: XRoadFaultSource; httpStatus?: number | null; service?: string; detailCodes?: readonly string[] }) {
    const faultCode = sanitizeFaultCode(init.faultCode);
    const transient = init.transient ?? isTransientFaultCode(faultCode);
    const where = init.service ? ` from ${sanitizeFaultCode(init.service)}` : '';
    const status = init.httpStatus != null ? ` (HTTP ${init.httpStatus})` : '';
    super(`X-Road ${init.source} fault ${faultCode}${where}${status}: ${transient ? 'transient, will be retried' : 'permanent'}`);
    this.faultCode = faultCode;
    this.transient = transient;
    this.source = init.source;
    this.httpStatus = init.httpStatus ?? null;
    this.detailCodes = init.detailCodes ?? [];
  }
}

/** At most this many codes are kept of a `detail`. */
const MAX_DETAIL_CODES = 20;

/**
 * The codes of a REST error's `detail` when it is a comma-separated list of `UPPER_SNAKE` codes and
 * nothing else: such a list names rules, never a value. Any other text is dropped whole (empty).
 */
export const detailCodesOf = (detail: string | null | undefined): readonly string[] => {
  const parts = (detail ?? '').split(',').map((part) => part.trim());
  if (parts.length > MAX_DETAIL_CODES || !parts.every((part) => /^[A-Z][A-Z0-9_]{0,63}$/.test(part))) return [];
  return parts;
};

/** The fault of a SOAP answer (the HTTP status does not change the classification of a fault). */
export const faultFromSoap = (fault: SoapFault, httpStatus?: number, service?: string): XRoadFault =>
  new XRoadFault({ faultCode: fault.faultCode || 'Server', source: 'soap', httpStatus: httpStatus ?? null, service });

/** An X-Road REST error body: classified by its `type`, and by the status when the type says nothing. */
export function faultFromRest(error: XRoadRestError, httpStatus: number, service?: string): XRoadFault {
  const code = sanitizeFaultCode(error.type);
  const known = code !== 'Unknown' && /^(Server|Client)\b/.test(code);
  return new XRoadFault({
    faultCode: code,
    transient: known ? isTransientFaultCode(code) || httpStatus === 429 : isTransientHttpStatus(httpStatus),
    source: 'rest',
    httpStatus,
    service,
    detailCodes: detailCodesOf(error.detail),
  });
}

/** A non-2xx answer without a usable fault or error body. */
export const faultFromHttpStatus = (httpStatus: number, service?: string): XRoadFault =>
  new XRoadFault({
    faultCode: `Http.${httpStatus}`,
    transient: isTransientHttpStatus(httpStatus),
    source: 'http',
    httpStatus,
    service,
  });

/** The call did not complete in time. */
export const faultFromTimeout = (service?: string): XRoadFault =>
  new XRoadFault({ faultCode: 'Client.Timeout', transient: true, source: 'timeout', service });

/**
 * The TLS handshake with the security server failed: its certificate is not one the configured CA
 * vouches for, or it refused the hub's. Configuration, not luck: no retry cures it.
 */
export const faultFromTls = (service?: string): XRoadFault =>
  new XRoadFault({ faultCode: 'Client.TlsHandshakeFailed', transient: false, source: 'network', service });

/** The connection failed (refused, reset, DNS). */
export const faultFromNetwork = (service?: string): XRoadFault =>
  new XRoadFault({ faultCode: 'Client.NetworkError', transient: true, source: 'network', service });
