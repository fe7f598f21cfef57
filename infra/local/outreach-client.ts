/** Asking a hub for an outreach run over ingress and following it to delivery (the CLI and npm start). */
import { randomUUID } from 'node:crypto';
import type { RunItem, RunStore } from '#functions/outreach/run-store';

export interface RunRequest {
  readonly runId: string;
  readonly municipality: string;
  readonly asOf: string;
  readonly pageSize: number;
  readonly requestedBy: 'cli' | 'schedule' | 'ingress';
}

export const requestOutreachRun = async (ingressUrl: string, request: RunRequest): Promise<void> => {
  const response = await fetch(ingressUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      messageId: randomUUID(),
      correlationId: request.runId,
      causationId: null,
      type: 'outreach.run.requested.v1',
      source: `municipality:${request.municipality}`,
      target: 'hub',
      municipality: request.municipality,
      occurredAt: new Date().toISOString(),
      payload: { asOf: request.asOf, requestedBy: request.requestedBy, listPageSize: request.pageSize },
    }),
  });
  if (response.status !== 202) throw new Error(`ingress refused the run request (${response.status}): ${await response.text()}`);
};

/** Polls the run until it is delivered (or abandoned); undefined when `timeoutMs` passes first. */
export const awaitRunDelivery = async (
  store: RunStore,
  runId: string,
  timeoutMs: number,
  onProgress: (run: RunItem) => void = () => undefined,
): Promise<RunItem | undefined> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = await store.getRun(runId);
    if (run) onProgress(run);
    if ((run?.phase === 'delivered' && run.location) || run?.phase === 'abandoned') return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
};
