/** `npm start`: the whole hub on this machine until Ctrl-C. */
import '#infra/local/quiet-warnings';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startRuntime } from '#infra/local/runtime';
import { localTableName } from '#infra/local/dynamodb';
import { awaitRunDelivery, requestOutreachRun } from '#infra/local/outreach-client';
import { DEMO_CLIENT, OPERATOR_CLIENT } from '#infra/local/local-clients';
import { RunStore } from '#functions/outreach/run-store';
import { progress } from '#ops/progress';

/**
 * The operator's port (status, ops page) unless KOTO_PORT says otherwise, and the door's (ingress
 * over mutual TLS) unless KOTO_DOOR_PORT does; a busy port falls back to free ones.
 */
const preferredPort = Number(process.env.KOTO_PORT ?? 8910);
const preferredDoorPort = Number(process.env.KOTO_DOOR_PORT ?? 8911);
const onEvent = (line: string) => console.log(`  ! ${line}`);
/** The mock national systems hold this population (KOTO_POPULATION to use another file). */
const population = process.env.KOTO_POPULATION ?? 'mocks/population/sample.json';
let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping koto-hub ...`);
  await runtime.stop();
  console.log('stopped.');
  process.exit(0);
}

const runtime = await startRuntime({ ingressPort: preferredPort, doorPort: preferredDoorPort, onEvent, population }).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.log(`port ${preferredPort} or ${preferredDoorPort} is taken; the hub takes free ports instead`);
  return startRuntime({ onEvent, population });
});

console.log(`koto-hub is running on the embedded runtime (no cloud account, no Docker)

  ingress   POST ${runtime.ingressUrl}   (mutual TLS: a client certificate from the hub's CA)
  status    GET  ${runtime.statusUrl}
  ops page  ${runtime.opsPageUrl}
  data      ${runtime.dataDir.root}   (tables, audit key, log: ${runtime.dataDir.logFile})
  tls       ${runtime.pki.dir}   (the local CA, the door's certificate, clients/<id>.crt|.key)
  mocks     VTJ, UMA, Kelmu, the data store, Koto-AJ and YA over ${population}, behind X-Road at ${runtime.mocks?.securityServer.url}
            wellbeing counties' FHIR servers: Pohjanmaa behind X-Road (Vaasa's county), Helsinki at ${runtime.mocks?.counties.mocks.find((m) => m.county === 'helsinki')?.url ?? '…'}/fhir

Ctrl-C stops it; what was committed to the tables stays for the next start.
`);

process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

/**
 * The hub's main job on the sample population, so a newcomer sees a target list appear:
 * KOTO_DEMO_MUNICIPALITY (default 905, Vaasa) as of KOTO_DEMO_AS_OF (default 2026-11-01, the day
 * the sample population was generated for); KOTO_DEMO=off skips it.
 */
if (process.env.KOTO_DEMO !== 'off') {
  const municipality = process.env.KOTO_DEMO_MUNICIPALITY ?? '905';
  const asOf = process.env.KOTO_DEMO_AS_OF ?? '2026-11-01';
  const runId = randomUUID();
  console.log(`outreach run ${runId}: municipality ${municipality} as of ${asOf}`);
  await requestOutreachRun(runtime.ingressUrl, runtime.credentials(OPERATOR_CLIENT), { runId, municipality, asOf, pageSize: 200, requestedBy: 'cli' });
  const bar = progress('  candidates decided', (text) => process.stdout.write(text), Boolean(process.stdout.isTTY));
  const store = new RunStore(DynamoDBDocumentClient.from(runtime.dynamodb), localTableName('correlation'));
  const run = await awaitRunDelivery(store, runId, 600_000, (r) => bar.update(r.decided + r.unresolved, r.expected));
  bar.finish();
  if (run?.location) {
    const delivered = (run as { delivered?: { targets: number; unresolved: number } }).delivered;
    console.log(`  target list ready: ${delivered?.targets ?? '?'} targets in ${run.location}`);
    console.log(`  (CSV beside it; the same as: node cli/koto-hub.mjs outreach --population ${population} --municipality ${municipality} --as-of ${asOf} --out list.csv)`);
  } else {
    console.log(`  the run is still going: node cli/koto-hub.mjs trace ${runId}`);
  }
}

const demo = runtime.credentials(DEMO_CLIENT);
console.log(`
Try it as the demo client, Vaasa's (905) system (${DEMO_CLIENT}; koto-hub clients list shows every client):
  curl -s --cert ${demo.cert} --key ${demo.key} --cacert ${demo.ca} \\
       -H 'content-type: application/json' --data @contracts/messages/examples/outreach.run.requested.v1.json ${runtime.ingressUrl}
  node cli/koto-hub.mjs trace 0e7d3c42-8f5b-4b6e-a1d2-7c9e4f1a2b33
  node cli/koto-hub.mjs status`);


