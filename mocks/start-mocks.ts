/**
 * Every mock external system over one fixture population, behind a local stand-in for the X-Road
 * security server: what the embedded runtime, the tests and `--population FILE` start.
 */
import type { FixturePopulation } from '#contracts/population';
import type { MockServer } from '#mocks/framework';
import { asPopulationIndex, loadPopulation, type PopulationIndex } from '#mocks/population-index';
import { createVtjMock, type VtjMock, type VtjMockOptions } from '#mocks/vtj';
import { createUmaMock } from '#mocks/uma';
import { createKelmuMock } from '#mocks/kelmu';
import { createDatastoreMock } from '#mocks/datastore';
import { createKotoAjMock, type KotoAjMock } from '#mocks/kotoaj';
import { createYaMock, type YaMock } from '#mocks/ya';
import { startCountyMocks, type CountyMocks } from '#mocks/wellbeing';
import { startSecurityServer, type SecurityServer, type SecurityServerTls } from '#mocks/security-server';

export interface Mocks {
  readonly vtj: VtjMock;
  readonly uma: MockServer;
  readonly kelmu: MockServer;
  readonly datastore: MockServer;
  readonly kotoaj: KotoAjMock;
  readonly ya: YaMock;
  /** The wellbeing services counties' FHIR servers, and how the hub reaches each. */
  readonly counties: CountyMocks;
  readonly securityServer: SecurityServer;
  /** Base URLs by system, for runtime.json and the operators. */
  readonly urls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * `tls` is the security-server stand-in's own certificate (infra/local/pki.ts `securityServerIdentity`);
 * an information system calls it once its certificate was admitted (`securityServer.admit`).
 * `vtj`: options of the VTJ mock beyond the seed (its change pages, the clock its latencies wait on).
 */
export const startMocks = async (
  population: string | FixturePopulation | PopulationIndex,
  tls: SecurityServerTls,
  seed = 1,
  options: { readonly vtj?: Omit<VtjMockOptions, 'seed'> } = {},
): Promise<Mocks> => {
  const index = typeof population === 'string' ? await loadPopulation(population) : asPopulationIndex(population);
  const started: { close(): Promise<void> }[] = [];
  try {
    const vtj = await createVtjMock(index, { ...options.vtj, seed });
    started.push(vtj);
    const uma = await createUmaMock(index, { seed });
    started.push(uma);
    const kelmu = await createKelmuMock(index, { seed });
    started.push(kelmu);
    const datastore = await createDatastoreMock(index, { seed });
    started.push(datastore);
    const kotoaj = await createKotoAjMock(index, { seed });
    started.push(kotoaj);
    const ya = await createYaMock({ seed });
    started.push(ya);
    // Helsinki is reached directly: served over TLS under the same local identity as the stand-in.
    const counties = await startCountyMocks(tls, { seed });
    started.push(counties);
    const countyUrls = Object.fromEntries(counties.mocks.map((m) => [`wellbeing:${m.county}`, m.url]));
    // The security-server stand-in forwards over plain HTTP: only the counties behind X-Road are its upstream.
    const upstream = { vtj: vtj.url, uma: uma.url, kelmu: kelmu.url, datastore: datastore.url, kotoaj: kotoaj.url, ya: ya.url, ...countyUrls };
    const securityServer = await startSecurityServer(upstream, tls, counties.members);
    started.push(securityServer);
    return {
      vtj,
      uma,
      kelmu,
      datastore,
      kotoaj,
      ya,
      counties,
      securityServer,
      urls: { ...upstream, securityServer: securityServer.url },
      close: async () => {
        for (const server of started.reverse()) await server.close();
      },
    };
  } catch (error) {
    for (const server of started.reverse()) await server.close().catch(() => undefined);
    throw error;
  }
};
