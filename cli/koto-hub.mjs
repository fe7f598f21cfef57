#!/usr/bin/env node
// The `koto-hub` command: TypeScript sources run through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
