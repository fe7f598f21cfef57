/**
 * The embedded hub in a process of its own, for the crash test: `node --import tsx
 * test/support/crash-hub.ts` with
 *
 *   KOTO_DATA_DIR          the data folder (kept across the kill and the restart)
 *   KOTO_POPULATION        the fixture population of the mock registers
 *   KOTO_CRASH_AT          optional `<queue>:<n>[:<correlationId>]`: the process SIGKILLs itself as
 *                          the handlers are about to send the n-th message to that queue (of that
 *                          correlation only, when given), so that message and all after it are lost
 *
 * It prints one JSON line once it is up (`{ ingressUrl, dynamodbEndpoint, operator, referrer }`, the
 * last two the credentials of the clients the test posts as) and stops on SIGTERM.
 * A kill point chosen by what the hub sends, not by a timer, lands in the same step on any machine.
 */
import '#infra/local/quiet-warnings';
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { startRuntime } from '#infra/local/runtime';
import { addClient, OPERATOR_CLIENT } from '#infra/local/local-clients';
import { servedMunicipalities } from '#lib/config';
import { sqsClient } from '#lib/clients';

const runtime = await startRuntime({
  dataDir: process.env.KOTO_DATA_DIR!,
  population: process.env.KOTO_POPULATION!,
  retryBaseSeconds: 1,
  scheduleSeconds: 0,
});

const crashAt = process.env.KOTO_CRASH_AT;
if (crashAt) {
  const [queue, n, correlationId] = crashAt.split(':') as [string, string, string | undefined];
  const url = runtime.queues.queue[queue as keyof typeof runtime.queues.queue];
  if (!url) throw new Error(`KOTO_CRASH_AT names no queue: ${queue}`);
  let seen = 0;
  sqsClient().middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { QueueUrl?: string; Entries?: SendMessageBatchRequestEntry[]; MessageBody?: string };
      if (input.QueueUrl === url) {
        const bodies = input.Entries?.map((entry) => entry.MessageBody!) ?? (input.MessageBody ? [input.MessageBody] : []);
        seen += bodies.filter((body) => !correlationId || (JSON.parse(body) as { correlationId: string }).correlationId === correlationId).length;
        if (seen >= Number(n)) process.kill(process.pid, 'SIGKILL');
      }
      return next(args);
    },
    { step: 'initialize', name: 'crash-test-kill-point' },
  );
}

// The referrer the test posts as (kept in the data folder's registry across the kill).
const REFERRER = 'te-services';
if (!(await runtime.clients.get(REFERRER))) {
  await addClient(runtime.clients, runtime.pki, {
    clientId: REFERRER,
    name: 'TE services (test authority)',
    system: 'authority:te-services',
    municipalities: servedMunicipalities(),
    sends: ['outreach.referral.v1'],
    receives: [],
    ratePerMinute: 60_000,
  });
}

process.on('SIGTERM', () => void runtime.stop().then(() => process.exit(0)));
console.log(
  JSON.stringify({
    ingressUrl: runtime.ingressUrl,
    dynamodbEndpoint: runtime.dynamodbEndpoint,
    operator: runtime.credentials(OPERATOR_CLIENT),
    referrer: runtime.credentials(REFERRER),
  }),
);
