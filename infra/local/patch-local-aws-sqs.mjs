#!/usr/bin/env node
// local-aws-sqs 2.0.2 counts a ChangeMessageVisibility as a receive (ApproximateReceiveCount + 1),
// so the hub's retry backoff would use up two receives per attempt on the embedded runtime and a
// message would reach its DLQ after half its maxReceiveCount. Real SQS counts receives only.
// Run after `npm install`/`npm ci` (package.json "postinstall"); idempotent; fails loudly when the
// code it patches has changed, so an upgrade cannot silently bring the miscount back.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let file;
try {
  file = require.resolve('local-aws-sqs');
} catch {
  process.exit(0); // not installed (a production install without dev dependencies)
}
if (!existsSync(file)) process.exit(0);
const BROKEN = 'let n=Number(t.record.attributes.ApproximateReceiveCount)+1;';
const FIXED = 'let n=Number(t.record.attributes.ApproximateReceiveCount)+(i?0:1);';
const source = readFileSync(file, 'utf8');
if (source.includes(FIXED)) process.exit(0);
if (!source.includes(BROKEN)) {
  console.error('patch-local-aws-sqs: the receive-count code of local-aws-sqs changed; check whether its visibility-change miscount is fixed and update infra/local/patch-local-aws-sqs.mjs');
  process.exit(1);
}
writeFileSync(file, source.replace(BROKEN, FIXED));
console.log('patch-local-aws-sqs: a visibility change no longer counts as a receive');
