#!/usr/bin/env node
// Where local-aws-sqs 2.0.2 counts differently from real SQS, in ways the hub depends on:
// - it counts a ChangeMessageVisibility as a receive (ApproximateReceiveCount + 1), so the hub's
//   retry backoff would use up two receives per attempt on the embedded runtime and a message
//   would reach its DLQ after half its maxReceiveCount. Real SQS counts receives only.
// - its ApproximateNumberOfMessages counts the messages in flight too (they are also in
//   ApproximateNumberOfMessagesNotVisible), so the hub's status would show every message being
//   handled twice, once as waiting. Real SQS counts the visible messages only.
// Run after `npm install`/`npm ci` (package.json "postinstall"); idempotent; fails loudly when the
// code it patches has changed, so an upgrade cannot silently bring a miscount back.
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

const PATCHES = [
  {
    broken: 'let n=Number(t.record.attributes.ApproximateReceiveCount)+1;',
    fixed: 'let n=Number(t.record.attributes.ApproximateReceiveCount)+(i?0:1);',
    changed: 'the receive-count code of local-aws-sqs changed; check whether its visibility-change miscount is fixed',
    done: 'a visibility change no longer counts as a receive',
  },
  {
    broken: 'ApproximateNumberOfMessages:String(S(this,E).filter(o=>!o.delayed).length)',
    fixed: 'ApproximateNumberOfMessages:String(S(this,E).filter(o=>!o.delayed&&o.visible).length)',
    changed: 'the queue-attributes code of local-aws-sqs changed; check whether ApproximateNumberOfMessages still counts messages in flight',
    done: 'ApproximateNumberOfMessages counts visible messages only',
  },
];

let source = readFileSync(file, 'utf8');
const applied = [];
for (const { broken, fixed, changed, done } of PATCHES) {
  if (source.includes(fixed)) continue;
  if (!source.includes(broken)) {
    console.error(`patch-local-aws-sqs: ${changed} and update infra/local/patch-local-aws-sqs.mjs`);
    process.exit(1);
  }
  source = source.replace(broken, fixed);
  applied.push(done);
}
if (applied.length === 0) process.exit(0);
writeFileSync(file, source);
for (const done of applied) console.log(`patch-local-aws-sqs: ${done}`);
