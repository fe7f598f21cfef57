#!/usr/bin/env node
// Where local-aws-sqs 2.0.2 (package.json pins it exactly) behaves differently from real SQS, in ways the hub depends on:
// - it counts a ChangeMessageVisibility as a receive (ApproximateReceiveCount + 1), so the hub's
//   retry backoff would use up two receives per attempt on the embedded runtime and a message
//   would reach its DLQ after half its maxReceiveCount. Real SQS counts receives only.
// - its ApproximateNumberOfMessages counts the messages in flight too (they are also in
//   ApproximateNumberOfMessagesNotVisible), so the hub's status would show every message being
//   handled twice, once as waiting. Real SQS counts the visible messages only.
// - it answers a long poll (WaitTimeSeconds > 0) only when the batch is full or the wait is over.
//   Real SQS answers as soon as it has at least one message (up to MaxNumberOfMessages), and
//   empty only when the wait is over (SQS Developer Guide, "Amazon SQS short and long polling"),
//   which is what lets the runner long-poll like the Lambda event source mapping instead of
//   short-polling an empty queue over and over.
// - a long poll whose client has gone (the runner stopping aborts its receives) keeps waiting
//   for up to 20 s, and a message sent meanwhile is received into the closed connection and
//   stays invisible for a whole visibility timeout: the next runtime on the same queues would not
//   see it. Here it ends when its connection closes, taking nothing.
// Run after `npm install`/`npm ci` (package.json "postinstall"); idempotent; fails loudly when the
// code it patches has changed, so an upgrade cannot silently bring a difference back.
// The embedded runtime checks at start that the patches are in (`assertPatched`); the README's
// "Local runtime" section has each difference written up as the upstream report it deserves.
// `node infra/local/patch-local-aws-sqs.mjs [file]` patches another copy of local-aws-sqs's
// dist/index.js (the tests use it).
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PATCHES = [
  {
    edits: [['let n=Number(t.record.attributes.ApproximateReceiveCount)+1;', 'let n=Number(t.record.attributes.ApproximateReceiveCount)+(i?0:1);']],
    changed: 'the receive-count code of local-aws-sqs changed; check whether its visibility-change miscount is fixed',
    done: 'a visibility change no longer counts as a receive',
  },
  {
    edits: [
      [
        'ApproximateNumberOfMessages:String(S(this,E).filter(o=>!o.delayed).length)',
        'ApproximateNumberOfMessages:String(S(this,E).filter(o=>!o.delayed&&o.visible).length)',
      ],
    ],
    changed: 'the queue-attributes code of local-aws-sqs changed; check whether ApproximateNumberOfMessages still counts messages in flight',
    done: 'ApproximateNumberOfMessages counts visible messages only',
  },
  {
    // Every 10 ms the receive takes what is visible; it used to answer only once `e` (the
    // MaxNumberOfMessages) were taken, now once any were.
    edits: [['if(r.length==e){clearInterval(c),clearTimeout(n),o();break}}},10)', 'if(r.length==e)break}r.length&&(clearInterval(c),clearTimeout(n),o())},10)']],
    changed: 'the receive loop of local-aws-sqs changed; check whether a long poll still waits for a full batch',
    done: 'a long poll answers as soon as a message is there',
  },
  {
    // The receive action hands the queue a check of its connection, which the queue's receive
    // passes on to its wait loop (Fs); the loop ends, empty-handed, once the check says gone.
    edits: [
      [
        'a=yield this.foundQueue.receive({VisibilityTimeout:e,WaitTimeSeconds:i,MaxNumberOfMessages:r})',
        'a=yield this.foundQueue.receive({VisibilityTimeout:e,WaitTimeSeconds:i,MaxNumberOfMessages:r,clientGone:()=>this.res.destroyed})',
      ],
      [
        'function*({VisibilityTimeout:t,WaitTimeSeconds:e,MaxNumberOfMessages:i}){',
        'function*({VisibilityTimeout:t,WaitTimeSeconds:e,MaxNumberOfMessages:i,clientGone:gone}){',
      ],
      ['l(this,D,Fs).call(this,n,Number(o),Number(t))', 'l(this,D,Fs).call(this,n,Number(o),Number(t),gone)'],
      ['Fs=function(t,e,i){', 'Fs=function(t,e,i,gone){'],
      ['c=setInterval(()=>{d++;for(', 'c=setInterval(()=>{if(gone&&gone()){clearInterval(c),clearTimeout(n),o();return}d++;for('],
    ],
    changed: 'the receive code of local-aws-sqs changed; check whether a long poll still outlives its connection',
    done: 'a long poll ends when its client goes away',
  },
];

/** Applies what is missing of `PATCHES` to `source`; throws when upstream code they expect has changed. */
export const patch = (source) => {
  const applied = [];
  for (const { edits, changed, done } of PATCHES) {
    if (edits.every(([, fixed]) => source.includes(fixed))) continue;
    if (!edits.every(([broken]) => source.split(broken).length === 2)) {
      throw new Error(`patch-local-aws-sqs: ${changed} and update infra/local/patch-local-aws-sqs.mjs`);
    }
    for (const [broken, fixed] of edits) source = source.replace(broken, fixed);
    applied.push(done);
  }
  return { source, applied };
};

/** The version whose code `PATCHES` knows; package.json pins local-aws-sqs to it exactly. */
export const PATCHED_VERSION = '2.0.2';

/** The installed local-aws-sqs's dist/index.js (what `import 'local-aws-sqs'` loads). */
export const installedFile = () => createRequire(import.meta.url).resolve('local-aws-sqs');

/** What `source` lacks of `PATCHES`: the `done` text of each patch not in it. */
export const missingPatches = (source) =>
  PATCHES.filter(({ edits }) => !edits.every(([, fixed]) => source.includes(fixed))).map(({ done }) => done);

/**
 * Throws, naming the file and telling what to run, unless `file` (by default the installed
 * local-aws-sqs) has every patch and is the version they were written for. The embedded runtime
 * calls it before it starts local-aws-sqs: unpatched, the hub would still run, but count receives
 * and queue depths wrongly and long-poll slowly, which is much harder to trace back to here.
 */
export const assertPatched = (file = installedFile()) => {
  const manifest = join(dirname(file), '..', 'package.json');
  const version = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
  if (version !== undefined && version !== PATCHED_VERSION) {
    throw new Error(
      `local-aws-sqs ${version} is installed (${manifest}), but infra/local/patch-local-aws-sqs.mjs knows ${PATCHED_VERSION}: ` +
        `run \`npm ci\` to install the pinned version, or update the patches for the new one.`,
    );
  }
  const missing = missingPatches(readFileSync(file, 'utf8'));
  if (missing.length > 0) {
    throw new Error(
      `local-aws-sqs is not patched: ${file} lacks ${missing.length} of the ${PATCHES.length} fixes of infra/local/patch-local-aws-sqs.mjs ` +
        `(${missing.join('; ')}). Run \`npm ci\` (its postinstall applies them) or \`node infra/local/patch-local-aws-sqs.mjs\`.`,
    );
  }
};

const main = () => {
  let file = process.argv[2];
  if (!file) {
    try {
      file = installedFile();
    } catch {
      return; // not installed (a production install without dev dependencies)
    }
  }
  if (!existsSync(file)) return;
  let result;
  try {
    result = patch(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  if (result.applied.length === 0) return;
  writeFileSync(file, result.source);
  for (const done of result.applied) console.log(`patch-local-aws-sqs: ${done}`);
};

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) main();
