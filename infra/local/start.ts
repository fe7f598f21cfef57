/** `npm start`: the whole hub on this machine until Ctrl-C. */
import '#infra/local/quiet-warnings';
import { startRuntime } from '#infra/local/runtime';

/** Ingress listens here unless KOTO_PORT says otherwise; a busy port falls back to a free one. */
const preferredPort = Number(process.env.KOTO_PORT ?? 8910);
const onEvent = (line: string) => console.log(`  ! ${line}`);
/** The mock national systems hold this population (KOTO_POPULATION to use another file). */
const population = process.env.KOTO_POPULATION ?? 'mocks/population/sample.json';
const runtime = await startRuntime({ ingressPort: preferredPort, onEvent, population }).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.log(`port ${preferredPort} is taken; ingress takes a free port instead`);
  return startRuntime({ onEvent, population });
});

console.log(`koto-hub is running on the embedded runtime (no cloud account, no Docker)

  ingress   POST ${runtime.ingressUrl}
  status    GET  ${runtime.statusUrl}
  data      ${runtime.dataDir.root}   (tables, audit key, log: ${runtime.dataDir.logFile})
  mocks     VTJ, UMA, Kelmu and the data store over ${population}, behind X-Road at ${runtime.mocks?.securityServer.url}

Try it:  curl -s -X POST --data @contracts/messages/examples/outreach.referral.v1.json ${runtime.ingressUrl}
          node cli/koto-hub.mjs audit verify 0e7d3c42-8f5b-4b6e-a1d2-7c9e4f1a2b33

Ctrl-C stops it; what was committed to the tables stays for the next start.`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping koto-hub ...`);
  await runtime.stop();
  console.log('stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
