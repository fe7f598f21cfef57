/** `npm start`: the whole hub on this machine until Ctrl-C. */
import { startRuntime } from '#infra/local/runtime';

const runtime = await startRuntime({ onEvent: (line) => console.log(`  ! ${line}`) });

console.log(`koto-hub is running on the embedded runtime (no cloud account, no Docker)

  ingress   POST ${runtime.ingressUrl}
  status    GET  ${runtime.statusUrl}
  data      ${runtime.dataDir.root}   (tables, audit key, log: ${runtime.dataDir.logFile})

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
