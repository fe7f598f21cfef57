#!/usr/bin/env node
// `npm test` runs the ops page's test in Debian's Chromium (playwright-core drives it; it cannot
// download a browser of its own here). On a fresh Debian machine where we are root, install it
// once; anywhere else say plainly what is missing, and the test itself fails naming it.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) process.exit(0);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !existsSync('/usr/bin/apt-get')) {
  console.warn(`ensure-chromium: ${CHROMIUM} is missing; install Debian's chromium package (apt-get install -y chromium) for the ops page test`);
  process.exit(0);
}
console.log("ensure-chromium: installing Debian's chromium for the ops page test (once) ...");
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null', { stdio: 'inherit', shell: '/bin/bash' });
