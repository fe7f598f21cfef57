#!/usr/bin/env node
// The `koto-hub` command: TypeScript sources run through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
// Output piped into `head` and the like may close early: that ends the command, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
await import('../infra/local/quiet-warnings.ts');
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
