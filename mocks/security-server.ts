/**
 * A stand-in for the municipality's X-Road security server on the embedded runtime: the hub sends
 * every call to one address, as in production, and this routes each to the mock of the member it
 * is addressed to (by the SOAP `service` header, or the `/r1/{instance}/{class}/{member}/…` path).
 * It passes bodies through untouched and never logs them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VTJ_SERVICE } from '#contracts/vtj/wire';
import { UMA_PERSON_SERVICE } from '#contracts/uma/wire';
import { KELMU_SERVICE } from '#contracts/kelmu/wire';
import { DATASTORE_SERVICE } from '#contracts/datastore/wire';
import { buildSoapFault } from '#contracts/xroad/soap';
import { reportMockTraffic } from '#mocks/framework';

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

/** Member code a request is addressed to. */
const memberOf = (path: string, body: Buffer): string | undefined => {
  const rest = /^\/r1\/[^/]+\/[^/]+\/([^/]+)\//.exec(path);
  if (rest) return decodeURIComponent(rest[1]!);
  // SOAP: the memberCode inside <xrd:service>, whatever the prefixes.
  const service = /<(?:\w+:)?service\b[\s\S]*?<\/(?:\w+:)?service>/.exec(body.toString('utf8'));
  return service ? /<(?:\w+:)?memberCode>([^<]+)</.exec(service[0])?.[1] : undefined;
};

export interface SecurityServer {
  readonly url: string;
  close(): Promise<void>;
}

/** `upstream` maps a system name (`vtj`, `uma`, …) to its mock's base URL. */
export const startSecurityServer = async (upstream: Readonly<Record<string, string>>): Promise<SecurityServer> => {
  const server: Server = createServer(async (req, res) => {
    reportMockTraffic({ kind: 'request', system: 'security-server', method: req.method ?? 'GET', target: req.url ?? '/' });
    const body = await readAll(req);
    const path = req.url ?? '/';
    const member = memberOf(path, body);
    const system = member ? MEMBER_SYSTEMS[member as keyof typeof MEMBER_SYSTEMS] : undefined;
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
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
