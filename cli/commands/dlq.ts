/** `koto-hub dlq list | show | redrive`: the dead letters of every queue, why they died, and putting them back. */
import { dlqName, queueNames, type QueueName } from '#infra/topology';
import { connectToHub, UsageError } from '#cli/connection';
import { integerOption, noMorePositionals, parseCommandArgs } from '#cli/args';
import { connectToQueues, type HubQueues } from '#cli/running-hub';
import { describeAll, holdMessages, oldestSentAt, PEEK_CAP, type Held, queueDepth, queueOfArgument, redriveAll, redriveMessage } from '#cli/dead-letters';
import { renderDeadLetters, renderDlqList, type DlqRow } from '#cli/render';

export const DLQ_HELP = `koto-hub dlq list [--json]
koto-hub dlq show <queue> [--limit N] [--json]
koto-hub dlq redrive <queue> (--message <id> | --all [--rate N])

list     every DLQ with its depth and the age of its oldest message (from SQS's SentTimestamp:
         how long it has been a dead letter).
show     the dead letters of a queue (name the queue or its DLQ, e.g. referral-intake), oldest
         first, at most N (default 20, up to ${PEEK_CAP}): SQS message id, type, correlation id,
         message id, receives, where and when it failed, failure code and reason. The reason is
         the one the hub put on the message; for a message SQS moved after maxReceiveCount
         receives, the reason of its last failed hop in the audit log. Never the payload.
redrive  puts dead letters back on their queue, each with a 'redriven' audit record (stage
         dlq-redrive) in its correlation's trace:
           --message <id>  one message (its SQS message id or its envelope's messageId, among the
                           first ${PEEK_CAP} in the DLQ): the same body and attributes are sent to
                           the queue, then it is deleted from the DLQ
           --all           every message, through SQS's own message move task
           --rate N        with --all: at most N messages a second (1 to 500; default SQS's pace)
         A message that fails again comes back to the DLQ: on a permanent failure at once, on
         transient ones after the queue's maxReceiveCount receives. It does not loop.

Peeking hides the messages looked at for a moment (at most 30 s) and makes them visible again.
Queues live in the running hub's memory: these commands need a running hub (npm start) of the
data folder (KOTO_DATA_DIR, default .koto-hub); in AWS, the KOTO_QUEUE_*_URL and KOTO_DLQ_*_URL
variables. Exits 0 when done, 1 when the message is not there or the move task failed, 2 on bad
arguments or when no hub is reachable.`;

const dlqList = async (queues: HubQueues, json: boolean, out: (line: string) => void): Promise<number> => {
  const now = Date.now();
  const rows: (DlqRow & { oldestSentAt: string | null })[] = [];
  for (const queue of queueNames) {
    const url = queues.url(queue, true);
    const depth = await queueDepth(url);
    const oldest = depth > 0 ? await oldestSentAt(url) : undefined;
    rows.push({
      dlq: dlqName(queue),
      queue,
      depth,
      oldestAgeSeconds: oldest === undefined ? null : Math.max(0, Math.floor((now - oldest) / 1000)),
      oldestSentAt: oldest === undefined ? null : new Date(oldest).toISOString(),
    });
  }
  if (json) out(JSON.stringify({ at: new Date(now).toISOString(), dlqs: rows }, null, 2));
  else for (const line of renderDlqList(rows)) out(line);
  return 0;
};

const dlqShow = async (queues: HubQueues, queue: QueueName, limit: number, json: boolean, out: (line: string) => void): Promise<number> => {
  const url = queues.url(queue, true);
  const connection = await connectToHub();
  let held: Held | undefined;
  try {
    const depth = await queueDepth(url);
    held = await holdMessages(url, limit);
    const shown = await describeAll(held.messages, queue);
    if (json) out(JSON.stringify({ dlq: dlqName(queue), queue, depth, messages: shown }, null, 2));
    else for (const line of renderDeadLetters(dlqName(queue), queue, Math.max(depth, shown.length), shown)) out(line);
    return 0;
  } finally {
    await held?.release();
    await connection.close();
  }
};

const MESSAGE_ID = /^[A-Za-z0-9-]{1,128}$/;

type Redrive = { readonly message: string } | { readonly all: true; readonly rate: number | undefined };

/** Checked before any connection, so that a bad argument says so even when no hub runs. */
const redriveOf = (options: { message?: string; all?: boolean; rate?: string }): Redrive => {
  if ((options.message === undefined) === (options.all !== true)) throw new UsageError('redrive needs either --message <id> or --all');
  if (options.rate !== undefined && options.all !== true) throw new UsageError('--rate goes with --all (a single message needs no pace)');
  if (options.message !== undefined) {
    if (!MESSAGE_ID.test(options.message)) throw new UsageError('--message takes a message id (letters, digits and dashes)');
    return { message: options.message };
  }
  return { all: true, rate: options.rate === undefined ? undefined : integerOption(options.rate, 'rate', 0, 1, 500) };
};

const dlqRedrive = async (
  queues: HubQueues,
  queue: QueueName,
  redrive: Redrive,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> => {
  const connection = await connectToHub();
  try {
    if ('message' in redrive) {
      const moved = await redriveMessage(queues, queue, redrive.message);
      if (!moved) {
        out(`no message ${redrive.message} in ${dlqName(queue)}`);
        return 1;
      }
      const { summary, record } = moved;
      out(`redrove message ${summary.sqsMessageId} (${summary.type}, correlation ${summary.correlationId}) from ${dlqName(queue)} to ${queue}`);
      out(`audit record ${record.hop}: ${record.outcome}`);
      return 0;
    }
    const { rate } = redrive;
    let last = -1;
    const { records, result } = await redriveAll(queues, queue, rate, (moved, toMove) => {
      if (moved !== last) err(`moving: ${moved} of ${toMove}`);
      last = moved;
    });
    if (records.length === 0) {
      out(`no dead letters in ${dlqName(queue)}`);
      return 0;
    }
    out(
      `${result.status === 'COMPLETED' ? 'moved' : `move task ${result.status}${result.failureReason ? ` (${result.failureReason})` : ''}:`} ` +
        `${result.moved} of ${records.length} dead letters from ${dlqName(queue)} to ${queue} through SQS's message move task` +
        `${rate ? ` (at most ${rate} a second)` : ''}; ${records.length} redriven audit records written`,
    );
    return result.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await connection.close();
  }
};

export const dlqCommand = async (args: readonly string[], out: (line: string) => void, err: (line: string) => void = console.error): Promise<number> => {
  const { positionals, options, help } = parseCommandArgs(args, {
    json: { type: 'boolean' },
    limit: { type: 'string' },
    message: { type: 'string' },
    all: { type: 'boolean' },
    rate: { type: 'string' },
  });
  if (help) return (out(DLQ_HELP), 0);
  const [sub, name] = positionals;
  const json = options.json === true;
  const stray = (allowed: readonly string[]) => {
    const extra = Object.keys(options).filter((o) => !allowed.includes(o));
    if (extra.length) throw new UsageError(`dlq ${sub} takes no --${extra[0]}`);
  };
  switch (sub) {
    case 'list': {
      noMorePositionals(positionals, 1);
      stray(['json']);
      return dlqList(await connectToQueues('dlq list'), json, out);
    }
    case 'show': {
      const queue = queueOfArgument(name);
      noMorePositionals(positionals, 2);
      stray(['json', 'limit']);
      const limit = integerOption(options.limit, 'limit', 20, 1, PEEK_CAP);
      return dlqShow(await connectToQueues('dlq show'), queue, limit, json, out);
    }
    case 'redrive': {
      const queue = queueOfArgument(name);
      noMorePositionals(positionals, 2);
      stray(['message', 'all', 'rate']);
      const redrive = redriveOf(options);
      return dlqRedrive(await connectToQueues('dlq redrive'), queue, redrive, out, err);
    }
    default:
      throw new UsageError(sub ? 'unknown dlq command (list, show or redrive)' : 'usage: koto-hub dlq list | show <queue> | redrive <queue> (see --help)');
  }
};
