/**
 * A stand-in for the municipality's X-Road security server on the embedded runtime: the hub sends
 * every call to one address, as in production, and this routes each to the mock of the member it
 * is addressed to (by the SOAP `service` header, or the `/r1/{instance}/{class}/{member}/…` path).
 * It passes bodies through untouched and never logs them.
 *
 * As a security server whose client subsystem has the "HTTPS" connection type, it speaks TLS only
 * and authenticates the information system by its certificate: the handshake requires a client
 * certificate from a CA it was told of, and a call whose certificate is not one registered for the
 * client (`admit`, X-Road's "internal TLS certificates" of the subsystem) is answered 401 with the
 * fault `Server.ClientProxy.SslAuthenticationFailed`, as X-Road answers it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { VTJ_SERVICE } from '#contracts/vtj/wire';
import { UMA_PERSON_SERVICE } from '#contracts/uma/wire';
import { KELMU_SERVICE } from '#contracts/kelmu/wire';
import { DATASTORE_SERVICE } from '#contracts/datastore/wire';
import { KOTOAJ_SERVICE } from '#contracts/kotoaj/wire';
import { YA_SERVICE } from '#contracts/ya/wire';
import { buildSoapFault } from '#contracts/xroad/soap';
import { reportMockTraffic } from '#mocks/framework';
import { ClientCertificates } from '#mocks/framework/client-certificates';

export type MemberRoutes = Readonly<Record<string, string>>;

/** Members the hub calls, by business ID, and the system each one is. */
export const MEMBER_SYSTEMS = {
  [VTJ_SERVICE.memberCode]: 'vtj',
  [UMA_PERSON_SERVICE.memberCode]: 'uma',
  [KELMU_SERVICE.memberCode]: 'kelmu',
  [DATASTORE_SERVICE.memberCode]: 'datastore',
} as const;

const readAll = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** Subsystem a REST request is addressed to, if it is one. */
const subsystemOf = (path: string): string | undefined => /^\/r1\/[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(path)?.[1];

/** Member code a request is addressed to. */
const memberOf = (path: string, body: Buffer): string | undefined => {
  const rest = /^\/r1\/[^/]+\/[^/]+\/([^/]+)\//.exec(path);
  if (rest) return decodeURIComponent(rest[1]!);
  // SOAP: the memberCode inside <xrd:service>, whatever the prefixes.
  const service = /<(?:\w+:)?service\b[\s\S]*?<\/(?:\w+:)?service>/.exec(body.toString('utf8'));
  return service ? /<(?:\w+:)?memberCode>([^<]+)</.exec(service[0])?.[1] : undefined;
};

/** The stand-in's own TLS certificate and key, and the CA that issued them (what an information system trusts). */
export interface SecurityServerTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface SecurityServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** The CA an information system checks this server's certificate by (PEM). */
  readonly ca: string;
  /** Registers an information system's TLS certificate, and trusts the CA that issued it in the handshake. */
  admit(certificate: string, issuer: string): void;
  close(): Promise<void>;
}

const SSL_AUTHENTICATION_FAILED = 'Server.ClientProxy.SslAuthenticationFailed';

/** The refusal of a caller whose certificate is missing or not registered, SOAP or REST as it called. */
const refuse = (res: ServerResponse, path: string) => {
  const message = 'The client did not present a registered TLS certificate';
  if (path.startsWith('/r1/')) {
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ type: SSL_AUTHENTICATION_FAILED, message, detail: '' }));
  }
  res.writeHead(401, { 'content-type': 'text/xml' });
  return res.end(buildSoapFault({ faultCode: SSL_AUTHENTICATION_FAILED, faultString: message }));
};

/**
 * `upstream` maps a system name (`vtj`, `uma`, …) to its mock's base URL; `tls` is the stand-in's own
 * certificate; `members` adds members beyond the national registers (a county's member code → its
 * system name in `upstream`), since which counties are reached over X-Road is configuration.
 */
export const startSecurityServer = async (
  upstream: Readonly<Record<string, string>>,
  tls: SecurityServerTls,
  members: MemberRoutes = {},
): Promise<SecurityServer> => {
  const systemOf = (member: string): string | undefined => MEMBER_SYSTEMS[member as keyof typeof MEMBER_SYSTEMS] ?? members[member];
  const clients = new ClientCertificates();
  const server: Server = createServer({ cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: true, ca: [] }, async (req, res) => {
    reportMockTraffic({ kind: 'request', system: 'security-server', method: req.method ?? 'GET', target: req.url ?? '/' });
    const body = await readAll(req);
    const path = req.url ?? '/';
    if (!clients.admits(req.socket as TLSSocket)) return refuse(res, path);
    const member = memberOf(path, body);
    // KEHA centre is one member with three systems: Koto-AJ and YA are told apart by their subsystems.
    const subsystem = subsystemOf(path);
    const system = subsystem === KOTOAJ_SERVICE.subsystemCode ? 'kotoaj' : subsystem === YA_SERVICE.subsystemCode ? 'ya' : member ? systemOf(member) : undefined;
    const target = system ? upstream[system] : undefined;
    if (!target) {
      res.writeHead(500, { 'content-type': 'text/xml' });
      return res.end(buildSoapFault({ faultCode: 'Server.ClientProxy.UnknownMember', faultString: 'No route to the member' }));
    }
    // When the hub gives up (its timeout), the call upstream is abandoned too.
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      const answer = await fetch(`${target}${path}`, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        signal: abort.signal,
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(bytes);
    } catch {
      if (res.writableEnded || abort.signal.aborted) return;
      res.writeHead(502, { 'content-type': 'text/xml' });
      res.end(buildSoapFault({ faultCode: 'Server.ServerProxy.NetworkError', faultString: 'The member did not answer' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  reportMockTraffic({ kind: 'started', system: 'security-server' });
  return {
    url: `https://127.0.0.1:${port}`,
    ca: tls.ca,
    admit(certificate, issuer) {
      clients.admit(certificate, issuer, (ca) => server.setSecureContext({ cert: tls.cert, key: tls.key, ca }));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
