#!/usr/bin/env node
// The `koto-hub` command: TypeScript sources run through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
await import('../infra/local/quiet-warnings.ts');
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
