import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { containsHetuShape } from '#contracts/hetu';
import { payloadDigest, sealRecord, type AuditRecord } from '#lib/audit/record';
import { viewDeadLetter } from '#ops/audit/redrive';
import type { HubStatus } from '#infra/local/status';
import { UsageError } from '#cli/connection';
import { integerOption, parseCommandArgs } from '#cli/args';
import { describeDeadLetter, lastFailureOf, queueOfArgument, type HeldMessage } from '#cli/dead-letters';
import { formatAge, renderBreakers, renderDeadLetters, renderDlqList, renderStatus, runProgress, table } from '#cli/render';
import { exportLine, sinceInstant } from '#cli/commands/audit';
import { referral } from '../support/envelopes.ts';

const KEY = randomBytes(32);
const NOW = Date.UTC(2026, 10, 1, 9, 0, 0);
const RUN_ID = '5b0f7d2e-3c1a-4e8b-9f6d-2a7c4e1b8d30';
const OTHER_RUN = '7c2e9a41-0b6d-4f3e-8a15-9d4c2b7e6f01';

const held = (body: string, attributes: Record<string, string> = {}, system: Record<string, string> = {}): HeldMessage => ({
  sqsMessageId: randomUUID(),
  receiptHandle: 'r',
  body,
  sentAt: NOW - 125_000,
  system,
  attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
});

const failureRecord = (messageId: string, correlationId: string, overrides: Partial<AuditRecord> = {}): AuditRecord =>
  sealRecord(
    {
      correlationId,
      hop: `${messageId}#referral-intake#attempt-5`,
      messageId,
      causationId: null,
      type: 'outreach.referral.v1',
      source: 'authority:te-services',
      target: 'hub',
      municipality: '905',
      stage: 'referral-intake',
      outcome: 'dead-letter',
      reason: 'ResourceNotFoundException: Requested resource not found',
      subjectHash: null,
      payloadDigest: payloadDigest(KEY, {}),
      occurredAt: '2026-11-01T08:00:00.000Z',
      parentHop: null,
      parentDigest: null,
      recordedAt: '2026-11-01T08:58:00.000Z',
      durationMs: 3,
      expiresAt: 1_900_000_000,
      ...overrides,
    },
    KEY,
  );

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [125, '2m 05s'],
    [3600 * 2 + 300, '2h 05m'],
    [86_400 * 3 + 3600 * 4, '3d 04h'],
    [null, '-'],
  ])('formats an age of %s seconds as %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });

  it('pads table columns, numbers to the right and text to the left', () => {
    expect(table(['NAME', 'N'], [['a', 1], ['bbb', 22]])).toEqual(['NAME   N', 'a      1', 'bbb   22']);
  });

  it('lists the DLQs with their depth and oldest age, and sums them up', () => {
    const lines = renderDlqList([
      { dlq: 'referral-intake-dlq', queue: 'referral-intake', depth: 2, oldestAgeSeconds: 125 },
      { dlq: 'vtj-lookups-dlq', queue: 'vtj-lookups', depth: 0, oldestAgeSeconds: null },
    ]);
    expect(lines).toEqual([
      'DLQ                  DEPTH  OLDEST  QUEUE',
      'referral-intake-dlq      2  2m 05s  referral-intake',
      'vtj-lookups-dlq          0  -       vtj-lookups',
      '2 dead letters in 1 DLQ (koto-hub dlq show <queue> for the reasons)',
    ]);
    expect(renderDlqList([])).toContain('no dead letters');
  });

  it('renders the status with queues and their oldest ages, functions, open runs and wellbeing requests, and what is dead-lettered', () => {
    const status: HubStatus = {
      at: '2026-11-01T09:00:00.000Z',
      queues: [
        { name: 'referral-intake', consumer: 'referral-intake', depth: 3, inFlight: 1, dlq: 'referral-intake-dlq', dlqDepth: 2, oldestAgeSeconds: 42, dlqOldestAgeSeconds: 125 },
        { name: 'municipality-outbox', consumer: null, depth: 0, inFlight: 0, dlq: 'municipality-outbox-dlq', dlqDepth: 0, oldestAgeSeconds: null, dlqOldestAgeSeconds: null },
      ],
      functions: [{ name: 'referral-intake', invocations: 7, records: 20, failedRecords: 2, errors: 1, timeouts: 0, inFlight: 1, averageMs: 14, recentRecords: 12 }],
      runs: [
        { runId: RUN_ID, municipality: '905', asOf: '2026-11-01', phase: 'deciding', expected: 200, decided: 120, unresolved: 3, startedAt: '2026-11-01T08:58:00.000Z', updatedAt: '2026-11-01T08:59:58.000Z', waitsFor: '77 decisions', idleSeconds: 2, stalled: false, recoveries: 0 },
        { runId: OTHER_RUN, municipality: '091', asOf: '2026-11-01', phase: 'fetching-lists', expected: null, decided: 0, unresolved: 0, startedAt: '2026-11-01T07:00:00.000Z', updatedAt: '2026-11-01T07:00:05.000Z', waitsFor: '3 kelmu list pages from page 2', idleSeconds: 7195, stalled: true, recoveries: 1 },
      ],
      wellbeing: [
        { requestId: RUN_ID, kind: 'consultation', municipality: '905', county: 'pohjanmaa', requestedAt: '2026-10-01T08:00:00.000Z', dueAt: '2026-10-29T08:00:00.000Z', people: 3, answered: 1, overdue: true },
      ],
    };
    expect(renderStatus(status, 'the running hub, pid 1')).toEqual([
      'koto-hub status at 2026-11-01T09:00:00.000Z (the running hub, pid 1)',
      '',
      'QUEUE                DEPTH  IN FLIGHT  OLDEST  DLQ DEPTH  DLQ OLDEST  CONSUMER',
      'referral-intake          3          1  42s             2  2m 05s      referral-intake',
      'municipality-outbox      0          0  -               0  -           -',
      '',
      'FUNCTION         INVOCATIONS  RECORDS  FAILED  ERRORS  TIMEOUTS  IN FLIGHT  AVG MS  RECORDS/MIN (5 MIN)',
      'referral-intake            7       20       2       1         0          1      14                  2.4',
      '',
      'OUTREACH RUN                          MUNICIPALITY  AS OF       PHASE           PROGRESS              UNRESOLVED  UPDATED                   IDLE            WAITS FOR',
      `${RUN_ID}           905  2026-11-01  deciding        123/200 (61%)                  3  2026-11-01T08:59:58.000Z  2s              77 decisions`,
      `${OTHER_RUN}           091  2026-11-01  fetching-lists  0/? (lists arriving)           0  2026-11-01T07:00:05.000Z  STALLED 1h 59m  3 kelmu list pages from page 2`,
      '',
      'WELLBEING REQUEST                     KIND          MUNICIPALITY  COUNTY     ANSWERED  REQUESTED                 DUE                       OVERDUE',
      `${RUN_ID}  consultation           905  pohjanmaa  1/3       2026-10-01T08:00:00.000Z  2026-10-29T08:00:00.000Z  OVERDUE`,
      '',
      'dead letters: 2 in referral-intake-dlq (koto-hub dlq show <queue>)',
    ]);
  });

  it('says when no outreach run is open, and shows the progress of a run whose lists are still arriving', () => {
    const status: HubStatus = { at: '2026-11-01T09:00:00.000Z', queues: [], functions: [], runs: [] };
    expect(renderStatus(status, 'x')).toContain('no open outreach runs');
    expect(renderStatus(status, 'x')).toContain('no open wellbeing requests');
    expect(runProgress({ decided: 0, unresolved: 0, expected: null })).toBe('0/? (lists arriving)');
    expect(runProgress({ decided: 200, unresolved: 0, expected: 200 })).toBe('200/200 (100%)');
  });
});

describe('describing a dead letter', () => {
  it('takes the reason and receive count the hub put on a message it dead-lettered', () => {
    const envelope = referral();
    const message = held(JSON.stringify(envelope), {
      'koto.failureCode': 'schema-violation',
      'koto.failureReason': 'payload.hetu: invalid personal identity code: the date of birth in the code does not exist',
      'koto.failedStage': 'referral-intake',
      'koto.failedAt': '2026-11-01T08:57:55.000Z',
      'koto.failedReceiveCount': '1',
    });
    const summary = describeDeadLetter(message, 'referral-intake', undefined, NOW);
    expect(summary).toMatchObject({
      messageId: envelope.messageId,
      correlationId: envelope.correlationId,
      type: 'outreach.referral.v1',
      receives: 1,
      failureCode: 'schema-violation',
      failedStage: 'referral-intake',
      reasonFrom: 'attributes',
      movedBySqs: false,
      ageSeconds: 125,
    });
    const text = renderDeadLetters('referral-intake-dlq', 'referral-intake', 3, [summary]).join('\n');
    expect(text).toContain('referral-intake-dlq: 3 dead letters of referral-intake (showing 1)');
    expect(text).toContain('  failure      schema-violation: payload.hetu: invalid personal identity code');
    expect(text).not.toContain(envelope.payload.hetu);
    expect(JSON.stringify(summary)).not.toContain(envelope.payload.hetu);
  });

  it('takes the reason of the last failed hop from the audit log for a message SQS moved after maxReceiveCount', () => {
    const envelope = referral();
    const message = held(JSON.stringify(envelope), {}, { DeadLetterQueueSourceArn: 'arn:aws:sqs:eu-north-1:1:referral-intake' });
    const view = viewDeadLetter(message.body, message.sqsMessageId);
    const older = failureRecord(envelope.messageId, envelope.correlationId, { outcome: 'retry', hop: `${envelope.messageId}#referral-intake#attempt-4`, recordedAt: '2026-11-01T08:57:00.000Z', reason: 'timeout: slow' });
    const last = failureRecord(envelope.messageId, envelope.correlationId);
    const unrelated = failureRecord(randomUUID(), envelope.correlationId, { recordedAt: '2026-11-01T08:59:00.000Z', payloadDigest: 'other' });
    const found = lastFailureOf(view, [last, unrelated, older], KEY);
    expect(found).toBe(last);
    expect(describeDeadLetter(message, 'referral-intake', found, NOW)).toMatchObject({
      receives: 5,
      failureCode: 'ResourceNotFoundException',
      failureReason: 'Requested resource not found',
      failedStage: 'referral-intake',
      failedAt: '2026-11-01T08:58:00.000Z',
      reasonFrom: 'audit',
      movedBySqs: true,
    });
    expect(describeDeadLetter(message, 'referral-intake', undefined, NOW)).toMatchObject({
      receives: 5,
      failureCode: 'max-receives',
      reasonFrom: 'none',
    });
  });

  it('matches the failed hop of an unreadable message by the digest of its body', () => {
    const body = JSON.stringify({ ...referral(), payload: { hetu: '310223A123B' } });
    const message = held(body, { 'koto.failureCode': 'schema-violation' });
    const view = viewDeadLetter(body, message.sqsMessageId);
    const record = failureRecord(randomUUID(), view.correlationId, { payloadDigest: payloadDigest(KEY, body), hop: 'x#referral-intake#attempt-2' });
    expect(lastFailureOf(view, [record], KEY)).toBe(record);
    const summary = describeDeadLetter(message, 'referral-intake', record, NOW);
    expect(summary.receives).toBe(2);
    expect(containsHetuShape(JSON.stringify(summary))).toBe(false);
  });

  it('masks anything HETU-shaped that reached a reason all the same', () => {
    const message = held('{}', { 'koto.failureCode': 'x', 'koto.failureReason': 'bad code 131052-308T here' });
    expect(describeDeadLetter(message, 'referral-intake', undefined, NOW).failureReason).toBe('bad code [hetu] here');
  });
});

describe('arguments', () => {
  it('names an unknown option without echoing a value', () => {
    expect(() => parseCommandArgs(['--131052-308T'], {})).toThrow(UsageError);
    try {
      parseCommandArgs(['--131052-308T'], {});
    } catch (error) {
      expect(containsHetuShape((error as Error).message)).toBe(false);
    }
    expect(() => parseCommandArgs(['--json=1'], { json: { type: 'boolean' } })).toThrow('--json takes no value');
    expect(() => parseCommandArgs(['--limit'], { limit: { type: 'string' } })).toThrow('--limit needs a value');
    expect(parseCommandArgs(['a', '--json', '-h'], { json: { type: 'boolean' } })).toEqual({ positionals: ['a'], options: { json: true }, help: true });
  });

  it('bounds whole-number options', () => {
    expect(integerOption(undefined, 'limit', 20, 1, 1000)).toBe(20);
    expect(integerOption('7', 'limit', 20, 1, 1000)).toBe(7);
    for (const bad of ['0', '1001', '-1', '2.5', 'x']) expect(() => integerOption(bad, 'limit', 20, 1, 1000)).toThrow('--limit must be a whole number from 1 to 1000');
  });

  it('takes a queue or its DLQ by name', () => {
    expect(queueOfArgument('referral-intake')).toBe('referral-intake');
    expect(queueOfArgument('referral-intake-dlq')).toBe('referral-intake');
    expect(() => queueOfArgument('nope')).toThrow(UsageError);
    expect(() => queueOfArgument(undefined)).toThrow('name a queue');
  });

  it('reads --since as an instant in UTC', () => {
    expect(sinceInstant('2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
    expect(sinceInstant('2026-11-01T10:00:00+02:00')).toBe('2026-11-01T08:00:00.000Z');
    expect(sinceInstant('2026-11-01T08:00Z')).toBe('2026-11-01T08:00:00.000Z');
    for (const bad of ['yesterday', '2026-11-01T08:00:00', '2026-13-45', '']) expect(() => sinceInstant(bad)).toThrow(UsageError);
  });
});

describe('audit export', () => {
  it('writes a record as one JSON line with its fields in the digest order, then the times', () => {
    const record = failureRecord(randomUUID(), randomUUID(), { subjectHash: null });
    const { line, scrubbed } = exportLine(record);
    expect(scrubbed).toBe(false);
    expect(Object.keys(JSON.parse(line) as object)).toEqual([
      'correlationId', 'hop', 'messageId', 'causationId', 'type', 'source', 'target', 'municipality', 'stage', 'outcome',
      'reason', 'subjectHash', 'payloadDigest', 'parentHop', 'parentDigest', 'digest', 'occurredAt', 'recordedAt', 'durationMs', 'expiresAt',
    ]);
    expect(JSON.parse(line)).toEqual({ ...record });
  });

  it('masks a HETU that should never have been in a record, and says so', () => {
    const { line, scrubbed } = exportLine(failureRecord(randomUUID(), randomUUID(), { reason: 'x: 131052-308T' }));
    expect(scrubbed).toBe(true);
    expect(containsHetuShape(line)).toBe(false);
  });
});

describe("the registers' circuit breakers in the status", () => {
  const at = '2026-11-01T09:00:00.000Z';
  const closed = (system: 'vtj' | 'uma' | 'kelmu' | 'datastore') => ({ system, phase: 'closed' as const, failures: 0, openSince: null, nextProbeAt: null, failedProbes: 0 });

  it('shows a register whose breaker is open: how long it has been down, when the next probe goes out, how many failed', () => {
    const status: HubStatus = {
      at,
      queues: [],
      functions: [],
      runs: [],
      breakers: [{ system: 'vtj', phase: 'open', failures: 5, openSince: '2026-11-01T08:35:00.000Z', nextProbeAt: '2026-11-01T09:04:30.000Z', failedProbes: 5 }, closed('uma')],
    };
    expect(renderBreakers(status)).toEqual([
      'REGISTER  BREAKER                                     DOWN FOR  NEXT PROBE  FAILED PROBES',
      'vtj       open (not called; work waits on its queue)  25m 00s   in 4m 30s               5',
      'uma       closed                                      -         -                       0',
    ]);
    expect(renderStatus(status, 'x')).toEqual(expect.arrayContaining(renderBreakers(status)));
  });

  it('says nothing of the breakers while every register answers', () => {
    const status: HubStatus = { at, queues: [], functions: [], runs: [], breakers: [closed('vtj'), closed('uma')] };
    expect(renderBreakers(status)).toEqual([]);
    expect(renderStatus(status, 'x').join('\n')).not.toMatch(/BREAKER/);
  });
});
