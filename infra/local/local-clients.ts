/**
 * The clients of the embedded runtime: `addClient` (what `koto-hub clients add` does: a
 * certificate from the local CA, then the record), and the two a data folder gets on its first
 * start so that the hub can be called at once:
 * - `vaasa-905`, the demo client: Vaasa's (905) own system, `municipality:905`, sending referrals
 *   and run requests for 905 and receiving its decisions and target lists;
 * - `operator`, the local operator's client (`authority:koto-hub-operator`): run requests for every
 *   municipality the hub serves, what `koto-hub outreach` and `npm start`'s demo run post as.
 */
import type { ClientRecord } from '#contracts/clients';
import { inboxTypes, ingressRoutes } from '#infra/topology';
import type { ClientRegistry } from '#lib/door/client-registry';
import { clientCertificatePaths, issueClientCertificate, type PkiPaths } from '#infra/local/pki';
import type { ClientCredentials } from '#infra/local/door-client';

export const DEMO_CLIENT = 'vaasa-905';
export const OPERATOR_CLIENT = 'operator';

/** Requests a minute a client gets unless it says otherwise. */
export const DEFAULT_RATE_PER_MINUTE = 600;

export type NewClient = Omit<ClientRecord, 'authentication' | 'status' | 'createdAt' | 'revokedAt' | 'ratePerMinute'> & {
  readonly ratePerMinute?: number;
};

/** Registers a client known by the certificate `authentication` names; the record as stored. */
export const registerClient = async (registry: ClientRegistry, client: NewClient, authentication: ClientRecord['authentication'], now = new Date()): Promise<ClientRecord> => {
  const record: ClientRecord = {
    ...client,
    ratePerMinute: client.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
    authentication,
    status: 'active',
    createdAt: now.toISOString(),
  };
  await registry.add(record);
  return record;
};

/** Issues the client's certificate and registers it; the record as stored. */
export const addClient = async (registry: ClientRegistry, pki: PkiPaths, client: NewClient, now = new Date()): Promise<ClientRecord> => {
  if (await registry.get(client.clientId)) throw new Error(`client ${client.clientId} exists already`);
  const issued = await issueClientCertificate(pki, client.clientId);
  return registerClient(registry, client, { certificateSha256: issued.fingerprint, subject: issued.subject }, now);
};

const sameTypes = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** The files a client calls the door with. */
export const clientCredentials = (pki: PkiPaths, clientId: string): ClientCredentials => ({ ...clientCertificatePaths(pki, clientId), ca: pki.caCert });

/**
 * Registers the demo and operator clients when the registry does not know them. They are the hub's
 * own: a data folder made by an earlier release gets this release's permissions for them at start
 * (every type ingress routes and every inbox type, for the demo client), so a new flow is callable
 * from `npm start` without a fresh folder. A revoked one stays revoked.
 */
export const ensureLocalClients = async (registry: ClientRegistry, pki: PkiPaths, served: readonly string[]): Promise<void> => {
  const wanted: NewClient[] = [
    {
      clientId: DEMO_CLIENT,
      name: 'Vaasa (905), demo municipal system',
      system: 'municipality:905',
      municipalities: ['905'],
      sends: Object.keys(ingressRoutes) as NewClient['sends'],
      receives: [...inboxTypes],
    },
    {
      clientId: OPERATOR_CLIENT,
      name: 'The local operator (koto-hub outreach, npm start)',
      system: 'authority:koto-hub-operator',
      municipalities: [...served],
      // claims.costs.submitted.v1: the finance officer's CSV import (koto-hub claims import).
      sends: ['outreach.run.requested.v1', 'claims.costs.submitted.v1'],
      receives: [],
    },
  ];
  for (const client of wanted) {
    const known = await registry.get(client.clientId);
    if (!known) await addClient(registry, pki, client);
    else if (!sameTypes(known.sends, client.sends) || !sameTypes(known.receives, client.receives)) await registry.setPermissions(client.clientId, client);
  }
};
