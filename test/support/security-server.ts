/**
 * The X-Road side of a local PKI for tests that start the mock registers themselves: the
 * security-server stand-in's identity and the hub's client certificate, from a PKI in a folder of
 * their own (or a hub's data folder, so that the hub finds the same certificates there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, hubXRoadCertificate, securityServerIdentity, type PkiPaths, type SecurityServerIdentity } from '#infra/local/pki';
import type { ClientCredentials } from '#infra/local/door-client';

export interface LocalXRoadPki {
  readonly pki: PkiPaths;
  /** What the stand-in is started with. */
  readonly identity: SecurityServerIdentity;
  /** The hub's X-Road client certificate and its issuer: what the stand-in admits. */
  readonly hub: { readonly cert: string; readonly issuer: string };
}

export const localXRoadPki = async (dataRoot = mkdtempSync(join(tmpdir(), 'koto-hub-pki-'))): Promise<LocalXRoadPki> => {
  const pki = await ensurePki(dataRoot);
  return { pki, identity: await securityServerIdentity(pki), hub: hubXRoadCertificate(pki) };
};

/** The files a caller presents as the hub to a stand-in of this PKI. */
export const hubCredentials = (pki: PkiPaths): ClientCredentials => ({ cert: pki.xroadCert, key: pki.xroadKey, ca: pki.caCert });
