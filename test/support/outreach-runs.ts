/**
 * Driving whole outreach runs through a test hub: the `koto-hub` CLI as a child process, a run
 * requested over ingress, the run's state read straight from the correlation table, the keyed hash
 * that names a candidate, a hub that has gone quiet, the CSV form read back, and the SQS sends of
 * the handlers watched (to capture a message, or to deliver every message twice as SQS may).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SendMessageBatchCommand, SendMessageCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fixturePopulation, type FixturePopulation } from '#contracts/population';
import { TARGET_FIELDS, type OutreachResult, type OutreachTarget } from '#contracts/outreach-result';
import { localTableName } from '#infra/local/dynamodb';
import { requestOutreachRun } from '#infra/local/outreach-client';
import { OPERATOR_CLIENT } from '#infra/local/local-clients';
import { auditKey } from '#lib/audit/key';
import { subjectHash } from '#lib/audit/record';
import { sqsClient } from '#lib/clients';
import { allItems, queryItems } from '#lib/dynamo-pages';
import type { Envelope } from '#contracts/envelope';
import type { QueueName } from '#infra/topology';
import { eventually, type TestHub } from './hub.ts';

export const SAMPLE = 'mocks/population/sample.json';

export const readPopulation = (file: string): FixturePopulation => fixturePopulation.parse(JSON.parse(readFileSync(file, 'utf8')));

// -------------------------------------------------------------------------------------------------
// The CLI

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `node cli/koto-hub.mjs …` on the hub's data folder; stdout is a pipe, not a TTY. */
export const koto = (hub: TestHub, args: readonly string[]): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn('node', ['cli/koto-hub.mjs', ...args], {
      env: { ...process.env, KOTO_DATA_DIR: hub.dataDir.root },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });

/** RFC 4180: fields split on commas, quoted fields may hold commas, quotes ("") and line breaks. */
export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      endField();
    } else if (!quoted && c === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else if (quoted || c !== '\r') {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
};

/** The targets of a CSV result read back into the JSON shape (reasons split on `;`). */
export const targetsOfCsv = (text: string): { header: string[]; targets: OutreachTarget[] } => {
  const [header = [], ...rows] = parseCsv(text);
  const targets = rows.map((cells) => {
    const value = (field: keyof OutreachTarget) => cells[header.indexOf(field)] ?? '';
    return {
      ...Object.fromEntries(TARGET_FIELDS.map((field) => [field, value(field)])),
      addressProtected: value('addressProtected') === 'true',
      reasons: value('reasons').split(';'),
    } as OutreachTarget;
  });
  return { header, targets };
};

// -------------------------------------------------------------------------------------------------
// Runs

export interface RunRow extends Record<string, unknown> {
  readonly runId: string;
  readonly phase: string;
  readonly expected: number | null;
  readonly decided: number;
  readonly unresolved: number;
  readonly location?: string;
  readonly delivered?: { targets: number; unresolved: number };
}

export interface CandidateRow extends Record<string, unknown> {
  readonly key: string;
  readonly hetu: string;
  readonly outcome?: string;
  readonly target?: OutreachTarget;
}

/** The items of a run in the correlation table whose sort key starts with `prefix` (all of them without), as stored. */
export const runItemsIn = (documents: DynamoDBDocumentClient, runId: string, prefix = ''): Promise<Record<string, unknown>[]> =>
  allItems(
    queryItems(documents, {
      TableName: localTableName('correlation'),
      // DynamoDB refuses an empty string in a key condition: no prefix, no condition on the sort key.
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ...(prefix ? { ':prefix': prefix } : {}) },
      ConsistentRead: true,
    }),
  );

const runItems = (hub: TestHub, runId: string): Promise<Record<string, unknown>[]> => runItemsIn(DynamoDBDocumentClient.from(hub.dynamodb), runId);

/** The run's own item in the correlation table, as stored. */
export const runRow = async (hub: TestHub, runId: string): Promise<RunRow | undefined> =>
  (await runItems(hub, runId)).find((item) => item.sk === 'RUN') as RunRow | undefined;

/** The run's candidate items, as stored. */
export const candidateRows = async (hub: TestHub, runId: string): Promise<CandidateRow[]> =>
  (await runItems(hub, runId)).filter((item) => String(item.sk).startsWith('CAND#')) as CandidateRow[];

/** Asks the hub for a run over ingress as the local operator's client, as the CLI does. */
export const requestRun = (hub: TestHub, run: { runId: string; municipality: string; asOf: string; pageSize?: number }): Promise<void> =>
  requestOutreachRun(hub.ingressUrl, hub.credentials(OPERATOR_CLIENT), { pageSize: 200, ...run, requestedBy: 'ingress' });

/**
 * What a test that timed out waiting on a run should say besides the run's counters: the breakers
 * that are not closed, the queues holding messages, and the functions that failed (no payloads).
 */
export const stallReport = async (hub: TestHub): Promise<string> => {
  const status = await hub.status().catch((error: Error) => error);
  if (status instanceof Error) return `the hub's status could not be read: ${status.message}`;
  const breakers = (status.breakers ?? []).filter((b) => b.phase !== 'closed').map((b) => `${b.system} ${b.phase} since ${b.openSince}`);
  const queues = status.queues.filter((q) => q.depth || q.inFlight || q.dlqDepth).map((q) => `${q.name} ${q.depth}+${q.inFlight} in flight, dlq ${q.dlqDepth}`);
  const failing = status.functions.filter((f) => f.errors || f.failedRecords || f.timeouts).map((f) => `${f.name} errors ${f.errors}, failed records ${f.failedRecords}, timeouts ${f.timeouts}`);
  return `breakers not closed: [${breakers.join('; ')}]; queues: [${queues.join('; ')}]; failing functions: [${failing.join('; ')}]`;
};

/** Waits for the run to be delivered (and for `also` to hold of it); the delivered result document. */
export const deliveredResult = async (
  hub: TestHub,
  runId: string,
  timeoutMs = 30_000,
  also: (run: RunRow) => boolean = () => true,
): Promise<{ run: RunRow; result: OutreachResult }> => {
  const run = await eventually(
    async () => {
      const row = await runRow(hub, runId);
      return row?.phase === 'delivered' && row.location && also(row) ? row : undefined;
    },
    `the delivery of run ${runId}`,
    timeoutMs,
  ).catch(async (error: Error) => {
    // Say where the run stands: a stall shows in its counters, and why in the hub's status.
    const row = await runRow(hub, runId);
    throw new Error(
      `${error.message}; the run is ${JSON.stringify(row && { phase: row.phase, expected: row.expected, decided: row.decided, unresolved: row.unresolved, delivered: row.delivered })}; ${await stallReport(hub)}`,
    );
  });
  return { run, result: JSON.parse(readFileSync(run.location!, 'utf8')) as OutreachResult };
};

/** The keyed hash a run keys a candidate by: of the code as the source list gave it, trimmed and upper-cased. */
export const candidateKey = async (code: string): Promise<string> => subjectHash(await auditKey(), code.trim().toUpperCase());

/**
 * Waits until no message is on a consumed queue or in flight and no invocation runs, for a while:
 * whatever the hub was doing has ended. (A queue without a consumer, `ops-events`, holds what
 * waits for people.)
 */
export const settled = async (hub: TestHub, timeoutMs = 30_000): Promise<void> => {
  let quietSince: number | undefined;
  await eventually(
    async () => {
      const status = await hub.status();
      const quiet = status.queues.every((q) => q.consumer === null || (q.depth === 0 && q.inFlight === 0)) && status.functions.every((f) => f.inFlight === 0);
      if (!quiet) quietSince = undefined;
      else quietSince ??= Date.now();
      return quietSince !== undefined && Date.now() - quietSince >= 400 ? true : undefined;
    },
    'a quiet hub',
    timeoutMs,
  );
};

// -------------------------------------------------------------------------------------------------
// Watching what the handlers send

export interface SentMessage {
  readonly queue: QueueName;
  readonly entry: SendMessageBatchRequestEntry;
  readonly envelope: Envelope;
}

export interface SendWatch {
  readonly sent: SentMessage[];
  stop(): void;
}

/**
 * Watches every message the hub's handlers send through the process's SQS client (the handlers run
 * in this process on the embedded runtime). `duplicate(queue)` true: each message sent to that queue
 * is sent a second time at once, as SQS's at-least-once delivery may hand it over twice.
 */
export const watchSends = (hub: TestHub, options: { duplicate?: (queue: QueueName) => boolean } = {}): SendWatch => {
  const queueOf = new Map(Object.entries(hub.queues.queue).map(([name, url]) => [url, name as QueueName]));
  const sent: SentMessage[] = [];
  const name = `test-watch-sends-${Math.random().toString(36).slice(2)}`;
  const client = sqsClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { QueueUrl?: string; Entries?: SendMessageBatchRequestEntry[]; MessageBody?: string };
      const queue = input.QueueUrl ? queueOf.get(input.QueueUrl) : undefined;
      if (!queue) return result;
      const entries =
        context.commandName === 'SendMessageBatchCommand'
          ? (input.Entries ?? [])
          : context.commandName === 'SendMessageCommand'
            ? [{ ...(input as SendMessageBatchRequestEntry), Id: '0' }]
            : [];
      for (const entry of entries) sent.push({ queue, entry, envelope: JSON.parse(entry.MessageBody!) as Envelope });
      if (entries.length > 0 && options.duplicate?.(queue)) {
        await hub.sqs.send(new SendMessageBatchCommand({ QueueUrl: input.QueueUrl, Entries: entries.map((e, i) => ({ ...e, Id: String(i) })) }));
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return { sent, stop: () => client.middlewareStack.remove(name) };
};

/** Sends a captured message to its queue again, body and attributes as they were. */
export const sendAgain = async (hub: TestHub, messages: readonly SentMessage[]): Promise<void> => {
  for (const message of messages) {
    await hub.sqs.send(
      new SendMessageCommand({ QueueUrl: hub.queues.queue[message.queue], MessageBody: message.entry.MessageBody, MessageAttributes: message.entry.MessageAttributes }),
    );
  }
};
