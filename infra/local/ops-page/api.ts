/**
 * The ops page and its JSON endpoints, as GET routes of the embedded runtime's ingress server:
 *
 *   GET /                  the page (page.ts)
 *   GET /api/status        the hub's status (the same document as GET /status)
 *   GET /api/dlq           per non-empty DLQ its depth and its first messages described: type,
 *                          correlation, failure code and reason; never a payload
 *   GET /api/trace/:id     the hop tree of a correlation (what `koto-hub trace --json` prints);
 *                          400 for an id that is not a UUID, 404 when it has no records
 *
 * Every JSON text is scrubbed of HETU-shaped strings as a last guard, as the CLI does.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { envelopeSchema } from '#contracts/envelope';
import { dlqName, queueNames } from '#infra/topology';
import { readCorrelation } from '#lib/audit/store';
import { buildTrace } from '#ops/audit/trace';
import { describeAll, holdMessages } from '#ops/dead-letters';
import { scrubText } from '#lib/pii';
import type { GetRoute, HttpResponse } from '#infra/local/ingress-server';
import type { QueueUrls } from '#infra/local/sqs';
import { queueCounts, type HubStatus } from '#infra/local/status';
import { OPS_PAGE_CSP, OPS_PAGE_HTML } from '#infra/local/ops-page/page';

/** Dead letters described per DLQ (each is looked up in the audit log for its reason). */
export const DLQ_SHOWN = 50;

export interface OpsPageSources {
  readonly status: () => Promise<HubStatus>;
  readonly sqs: SQSClient;
  readonly queues: QueueUrls;
}

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  type: 'application/json; charset=utf-8',
  body: scrubText(JSON.stringify(body)),
  headers: NO_STORE,
});

const page = async (): Promise<HttpResponse> => ({
  status: 200,
  type: 'text/html; charset=utf-8',
  body: OPS_PAGE_HTML,
  headers: { ...NO_STORE, 'content-security-policy': OPS_PAGE_CSP },
});

const deadLetters = async ({ sqs, queues }: OpsPageSources): Promise<HttpResponse> => {
  const dlqs = [];
  for (const queue of queueNames) {
    const url = queues.dlq[queue];
    const { depth, inFlight } = await queueCounts(sqs, url);
    if (depth + inFlight === 0) continue;
    const held = await holdMessages(url, DLQ_SHOWN, sqs);
    try {
      const messages = await describeAll(held.messages, queue);
      dlqs.push({ queue, dlq: dlqName(queue), depth: Math.max(depth + inFlight, messages.length), messages });
    } finally {
      await held.release();
    }
  }
  return json(200, { at: new Date().toISOString(), dlqs });
};

const trace = async (id: string | undefined): Promise<HttpResponse> => {
  const correlationId = envelopeSchema.shape.correlationId.safeParse(id);
  if (!correlationId.success) return json(400, { error: 'bad-request', message: 'a correlation id is a UUID' });
  const records = await readCorrelation(correlationId.data);
  if (records.length === 0) return json(404, { error: 'not-found', message: `no audit records for correlation ${correlationId.data}` });
  return json(200, buildTrace(correlationId.data, records));
};

export const opsPageRoutes = (sources: OpsPageSources): Readonly<Record<string, GetRoute>> => ({
  '/': page,
  '/api/status': async () => json(200, await sources.status()),
  '/api/dlq': () => deadLetters(sources),
  '/api/trace/:id': ({ id }) => trace(id),
});
