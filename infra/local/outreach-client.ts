/** Asking a hub for an outreach run over ingress and following it to delivery (the CLI and npm start). */
import { randomUUID } from 'node:crypto';
import type { RunItem, RunStore } from '#functions/outreach/run-store';
import { postEnvelopes, type ClientCredentials } from '#infra/local/door-client';

export interface RunRequest {
  readonly runId: string;
  readonly municipality: string;
  readonly asOf: string;
  readonly pageSize: number;
  readonly requestedBy: 'cli' | 'schedule' | 'ingress';
}

/** Posts the run request as the client of `credentials`; the door stamps its `source`. */
export const requestOutreachRun = async (ingressUrl: string, credentials: ClientCredentials, request: RunRequest): Promise<void> => {
  const response = await postEnvelopes(ingressUrl, credentials, {
    messageId: randomUUID(),
    correlationId: request.runId,
    causationId: null,
    type: 'outreach.run.requested.v1',
    target: 'hub',
    municipality: request.municipality,
    occurredAt: new Date().toISOString(),
    payload: { asOf: request.asOf, requestedBy: request.requestedBy, listPageSize: request.pageSize },
  });
  if (response.status !== 202) throw new Error(`ingress refused the run request (${response.status}): ${JSON.stringify(response.body)}`);
};

/** Polls the run until it is delivered (or abandoned); undefined when `timeoutMs` passes first. */
export const awaitRunDelivery = async (
  store: RunStore,
  runId: string,
  timeoutMs: number,
  onProgress: (run: RunItem) => void = () => undefined,
  /** How often the run is read, in ms, or as the run last read says (the benchmark reads often near the end, to time the run to its delivery). */
  pollMs: number | ((run: RunItem | undefined) => number) = 250,
): Promise<RunItem | undefined> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = await store.getRun(runId);
    if (run) onProgress(run);
    if ((run?.phase === 'delivered' && run.location) || run?.phase === 'abandoned') return run;
    await new Promise((resolve) => setTimeout(resolve, typeof pollMs === 'number' ? pollMs : pollMs(run)));
  }
  return undefined;
};
