/**
 * The example municipal client from the command line:
 *
 *   npx tsx examples/municipal-client/main.ts --hub https://127.0.0.1:8911 \
 *     --cert client.crt --key client.key --ca hub-ca.crt --municipality 905 \
 *     [--hetu HETU] [--webhook-secret-file client.secret --webhook-port 8920]
 *
 * posts a referral, reads the inbox until its decision is there, acknowledges it and, with a
 * webhook secret, waits for the same decision to be pushed to its receiver (README.md beside this file).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { roundTrip } from './round-trip.ts';
import { startWebhookReceiver, type WebhookPayload } from './webhook-receiver.ts';

const USAGE = `usage: main.ts --hub URL --cert FILE --key FILE --ca FILE --municipality CODE
               [--hetu HETU] [--webhook-secret-file FILE --webhook-port PORT] [--timeout SECONDS]`;

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      hub: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      municipality: { type: 'string' },
      hetu: { type: 'string' },
      'webhook-secret-file': { type: 'string' },
      'webhook-port': { type: 'string', default: '8920' },
      timeout: { type: 'string', default: '60' },
    },
  });
  const { hub, cert, key, ca, municipality } = values;
  if (!hub || !cert || !key || !ca || !municipality) {
    console.error(USAGE);
    return 2;
  }
  const pushes = new Map<string, WebhookPayload>();
  const secretFile = values['webhook-secret-file'];
  const receiver = secretFile
    ? await startWebhookReceiver({
        secret: readFileSync(secretFile, 'utf8').trim(),
        port: Number(values['webhook-port']),
        onMessage: (payload) => {
          console.log(`  webhook: ${payload.type} ${payload.data.message.messageId} (cursor ${payload.data.cursor}), signature verified`);
          pushes.set(payload.data.message.messageId, payload);
        },
        onRefused: (status, reason) => console.log(`  webhook: refused a delivery: ${status} ${reason}`),
      })
    : undefined;
  if (receiver) console.log(`webhook receiver listening on ${receiver.url}`);
  try {
    await roundTrip({
      hubUrl: hub,
      cert,
      key,
      ca,
      municipality,
      ...(values.hetu ? { hetu: values.hetu } : {}),
      timeoutMs: Number(values.timeout) * 1000,
      ...(receiver ? { pushed: (id: string) => pushes.get(id) } : {}),
    });
    console.log('round trip complete');
    return 0;
  } catch (error) {
    console.error(`round trip failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await receiver?.close();
  }
};

process.exitCode = await main();
