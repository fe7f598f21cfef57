/**
 * The embedded runtime listens on loopback for its operator, and any web page the operator opens
 * can send requests there too. Refused, before any route runs:
 * - a `Host` that is not this server's loopback address (DNS rebinding: a hostile name resolved to
 *   127.0.0.1 reaches the port with its own name in `Host`) → 421;
 * - a request a browser marks as coming from another site (`Origin` other than this server's, or
 *   `Sec-Fetch-Site` `cross-site` / `same-site`) → 403;
 * - a POST whose body is not declared `application/json` → 415: a page can send `text/plain`,
 *   form and multipart bodies cross-site without asking first, never JSON.
 * Clients that are not browsers (curl, the CLI, the tests) send none of the browser headers.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface GuardRefusal {
  readonly status: 403 | 415 | 421;
  readonly error: 'host-not-allowed' | 'cross-site' | 'unsupported-media-type';
  readonly message: string;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The origins this server answers as: its loopback names on its port. */
export const ownOrigins = (port: number, scheme: 'http' | 'https' = 'http'): string[] => LOOPBACK_NAMES.map((name) => `${scheme}://${name}:${port}`);

export const refuseCrossSite = (method: string, headers: IncomingHttpHeaders, port: number, scheme: 'http' | 'https' = 'http'): GuardRefusal | undefined => {
  const host = header(headers, 'host')?.toLowerCase();
  if (!host || !LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) {
    return { status: 421, error: 'host-not-allowed', message: `this hub answers only as ${LOOPBACK_NAMES.map((n) => `${n}:${port}`).join(', ')}` };
  }
  const origin = header(headers, 'origin');
  // `null` is what a sandboxed page or a redirect sends: not this server either.
  if (origin !== undefined && !ownOrigins(port, scheme).includes(origin.toLowerCase())) {
    return { status: 403, error: 'cross-site', message: 'requests from other sites are refused' };
  }
  const fetchSite = header(headers, 'sec-fetch-site')?.toLowerCase();
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
    return { status: 403, error: 'cross-site', message: 'requests from other sites are refused' };
  }
  if (method === 'POST') {
    const type = header(headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      return { status: 415, error: 'unsupported-media-type', message: 'POST a body of Content-Type application/json' };
    }
  }
  return undefined;
};
