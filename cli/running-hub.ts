/**
 * What only a running hub has: its queues (local-aws-sqs keeps them in memory) and its live
 * status. The embedded runtime of the data folder is found through its `runtime.json`; in AWS the
 * `KOTO_QUEUE_*_URL` / `KOTO_DLQ_*_URL` variables the stack sets on its functions name the queues.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { dataDirPaths, defaultDataDir, readRuntimeInfo, type RuntimeInfo } from '#infra/local/data-dir';
import { dlqName, dlqUrlEnv, queueNames, queueUrlEnv, type QueueName } from '#infra/topology';
import type { HubStatus } from '#infra/local/status';
import { setRuntimeEndpoint } from '#infra/local/endpoints';
import { resetClients, sqsClient } from '#lib/clients';

/** The hub cannot be reached (none runs, or it does not answer): exit non-zero with this one line. */
export class HubUnavailable extends Error {}

export interface HubQueues {
  readonly where: string;
  /** URL of a topology queue, or of its DLQ. */
  url(queue: QueueName, dead?: boolean): string;
  /** ARN of a topology queue, or of its DLQ (for SQS's message move task). */
  arn(queue: QueueName, dead?: boolean): Promise<string>;
}

const LOCAL_CREDENTIALS = { AWS_REGION: 'eu-north-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

const inAws = (): boolean => Boolean(process.env.KOTO_TABLE_AUDIT) && !process.env.KOTO_DATA_DIR;

/** The running embedded hub of the data folder, or a one-line reason why there is none. */
export const requireRunningHub = (what: string): RuntimeInfo => {
  const dir = dataDirPaths(defaultDataDir());
  const running = readRuntimeInfo(dir);
  if (!running) {
    throw new HubUnavailable(`no hub is running on ${dir.root}: ${what} needs a running hub (start one with npm start, or set KOTO_DATA_DIR)`);
  }
  return running;
};

/** The first line of an error, with the network code under a `fetch failed` (ECONNREFUSED, say). */
const firstLine = (error: unknown): string => {
  if (!(error instanceof Error)) return 'no answer';
  const cause = error.cause as { code?: string; message?: string; errors?: { code?: string }[] } | undefined;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? (error as { code?: string }).code ?? cause?.message;
  const line = error.message.split('\n')[0]!;
  return code && !line.includes(code) ? `${line} (${code})` : line;
};

const withArns = (where: string, urls: Map<string, string>): HubQueues => {
  const key = (queue: QueueName, dead?: boolean) => (dead ? dlqName(queue) : queue);
  const arns = new Map<string, Promise<string>>();
  const url = (queue: QueueName, dead?: boolean) => {
    const found = urls.get(key(queue, dead));
    if (!found) throw new HubUnavailable(`${where} names no URL for queue ${key(queue, dead)}`);
    return found;
  };
  return {
    where,
    url,
    arn(queue, dead) {
      const name = key(queue, dead);
      if (!arns.has(name)) {
        arns.set(
          name,
          sqsClient()
            .send(new GetQueueAttributesCommand({ QueueUrl: url(queue, dead), AttributeNames: ['QueueArn'] }))
            .then(({ Attributes }) => {
              if (!Attributes?.QueueArn) throw new HubUnavailable(`queue ${name} has no ARN`);
              return Attributes.QueueArn;
            }),
        );
      }
      return arns.get(name)!;
    },
  };
};

/** Points the SQS client at the hub's queues and finds their URLs. */
export const connectToQueues = async (what: string): Promise<HubQueues> => {
  if (inAws()) {
    const urls = new Map<string, string>();
    for (const queue of queueNames) {
      for (const [name, env] of [
        [queue, queueUrlEnv(queue)],
        [dlqName(queue), dlqUrlEnv(queue)],
      ] as const) {
        const value = process.env[env];
        if (!value) throw new HubUnavailable(`${what} in AWS needs the queue URLs: ${env} is not set`);
        urls.set(name, value);
      }
    }
    return withArns(`AWS (${process.env.AWS_REGION ?? 'default region'})`, urls);
  }
  const running = requireRunningHub(what);
  Object.assign(process.env, LOCAL_CREDENTIALS);
  setRuntimeEndpoint('SQS', running.sqsEndpoint);
  resetClients();
  const where = `the running hub (pid ${running.pid})`;
  const urls = new Map<string, string>();
  try {
    for (const name of queueNames.flatMap((queue) => [queue, dlqName(queue)])) {
      const { QueueUrl } = await sqsClient().send(new GetQueueUrlCommand({ QueueName: name }));
      if (QueueUrl) urls.set(name, QueueUrl);
    }
  } catch (error) {
    throw new HubUnavailable(`${where} does not answer at ${running.sqsEndpoint}: ${firstLine(error)}`);
  }
  return withArns(where, urls);
};

/** The running hub's `GET /status`. */
export const fetchStatus = async (running: RuntimeInfo): Promise<HubStatus> => {
  let response: Response;
  try {
    response = await fetch(running.statusUrl, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new HubUnavailable(`the hub (pid ${running.pid}) does not answer at ${running.statusUrl}: ${firstLine(error)}`);
  }
  if (!response.ok) throw new HubUnavailable(`the hub (pid ${running.pid}) answered ${response.status} at ${running.statusUrl}`);
  return (await response.json()) as HubStatus;
};
