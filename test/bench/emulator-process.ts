/**
 * The benchmark's stand-ins for AWS and the external systems, in a process of their own (started
 * by `startEmulators`): dynalite in memory, local-aws-sqs, and the mock registers over a population
 * generated here, behind the local X-Road security server. In AWS none of them is in a function's
 * memory, so the benchmark's own process keeps only the hub and never holds the population.
 *
 * Argument: the JSON of `EmulatorOptions`. Messages to the parent: `EmulatorReady`; its CPU time
 * when asked (`cpu?`); after a `stop` from it, `stopped` with this process's peak RSS.
 */
import '#infra/local/quiet-warnings';
import { startDynamo } from '#infra/local/dynamodb';
import { startSqs } from '#infra/local/sqs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePki, hubCountyCertificate, hubXRoadCertificate, securityServerIdentity } from '#infra/local/pki';
import { startMocks } from '#mocks/start-mocks';
import { generatePopulation } from '#mocks/population/generate';
import { cpuMs, peakRssMb, type EmulatorMessage, type EmulatorOptions, type EmulatorReady } from './emulators.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
const send = (message: EmulatorMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

const part = options.part ?? 'all';
const aws = part !== 'registers';
const registers = part !== 'aws';

// The population is indexed by the mocks and lives as long as they do; no file is needed.
const population = registers
  ? generatePopulation({
      persons: options.persons,
      municipalities: [...(options.municipalities ?? [options.municipality])],
      seed: options.seed,
      asOf: options.asOf,
    })
  : null;
const dynamo = aws ? await startDynamo(undefined) : null;
const sqs = aws ? await startSqs() : null;
const pki = registers ? await ensurePki(options.dataDir) : null;
const mocks = population && pki ? await startMocks(population, await securityServerIdentity(pki)) : null;
if (mocks && pki) {
  const hub = hubXRoadCertificate(pki);
  mocks.securityServer.admit(hub.cert, hub.issuer);
  // A county reached directly admits the hub's county certificate; the hub checks the county by the CA it names.
  const county = hubCountyCertificate(pki);
  mocks.counties.admit(county.cert, county.issuer);
  for (const [id, ca] of Object.entries(mocks.counties.directCas)) writeFileSync(join(pki.countyCaDir, `${id}.crt`), ca, { mode: 0o600 });
}

// The parent gone (it crashed, say), nothing here has anyone to serve.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: EmulatorMessage) => {
  if (message.kind === 'cpu?') return void send({ kind: 'cpu', cpuMs: cpuMs() });
  if (message.kind !== 'stop') return;
  void (async () => {
    await mocks?.close();
    await sqs?.close();
    await dynamo?.close();
    await send({ kind: 'stopped', peakRssMb: peakRssMb() });
    process.disconnect();
  })();
});

const ready: EmulatorReady = {
  kind: 'ready',
  sqsEndpoint: sqs?.endpoint ?? '',
  dynamodbEndpoint: dynamo?.endpoint ?? '',
  securityServerUrl: mocks?.securityServer.url ?? '',
  mockUrls: mocks
    ? {
        vtj: mocks.vtj.url,
        uma: mocks.uma.url,
        kelmu: mocks.kelmu.url,
        datastore: mocks.datastore.url,
        kotoaj: mocks.kotoaj.url,
        ya: mocks.ya.url,
        ...Object.fromEntries(mocks.counties.mocks.map((m) => [`wellbeing:${m.county}`, m.url])),
      }
    : {},
  countyEndpoints: mocks?.counties.endpoints ?? [],
};
await send(ready);
