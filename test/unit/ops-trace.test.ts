import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeHetu } from '#contracts/hetu';
import { hopKey, payloadDigest, sealRecord, subjectHash, type AuditFields, type AuditRecord } from '#lib/audit/record';
import { buildTrace, correlationsOf, type TraceNode } from '#ops/audit/trace';
import { verifyChain } from '#ops/audit/verify';
import { REDRIVE_STAGE, redriveRecord, viewDeadLetter } from '#ops/audit/redrive';
import { renderCorrelations, renderTrace } from '#cli/render';
import { referral } from '../support/envelopes.ts';

const KEY = randomBytes(32);
const CORRELATION = randomUUID();

/** A sealed record of one hop; `at` is the second it was recorded. */
const hop = (stage: string, at: number, parent: AuditRecord | null, overrides: Partial<AuditFields> = {}): AuditRecord => {
  const messageId = overrides.messageId ?? randomUUID();
  return sealRecord(
    {
      correlationId: CORRELATION,
      messageId,
      causationId: parent?.messageId ?? null,
      type: 'outreach.referral.v1',
      source: 'authority:te-services',
      target: 'hub',
      municipality: '905',
      stage,
      outcome: 'processed',
      reason: null,
      subjectHash: null,
      payloadDigest: payloadDigest(KEY, { n: at }),
      occurredAt: '2026-11-01T08:00:00.000Z',
      parentHop: parent?.hop ?? null,
      parentDigest: parent?.digest ?? null,
      recordedAt: new Date(Date.UTC(2026, 10, 1, 8, 0, at)).toISOString(),
      durationMs: at,
      expiresAt: 1_900_000_000,
      ...overrides,
    },
    KEY,
  );
};

const stagesOf = (nodes: readonly TraceNode[]): unknown[] => nodes.map((n) => (n.children.length ? [n.stage, stagesOf(n.children)] : n.stage));

describe('buildTrace', () => {
  it('follows parentHop: roots first, each node with its children in the order they were recorded', () => {
    const ingress = hop('ingress', 0, null, { outcome: 'accepted' });
    const intake = hop('referral-intake', 1, ingress);
    const uma = hop('uma-adapter', 5, intake);
    const vtj = hop('vtj-adapter', 3, intake);
    const second = hop('ingress', 2, null, { outcome: 'accepted' });
    const trace = buildTrace(CORRELATION, [uma, second, vtj, intake, ingress]);
    expect(stagesOf(trace.roots)).toEqual([['ingress', [['referral-intake', ['vtj-adapter', 'uma-adapter']]]], 'ingress']);
    expect(trace.summary).toMatchObject({ records: 5, retries: 0, deadLetters: 0, redrives: 0 });
    expect(trace.summary.firstRecordedAt).toBe(ingress.recordedAt);
    expect(trace.summary.lastRecordedAt).toBe(uma.recordedAt);
  });

  it('marks retries and dead letters as failed, with their reasons, and counts them', () => {
    const ingress = hop('ingress', 0, null, { outcome: 'accepted' });
    const retry = hop('referral-intake', 1, ingress, { outcome: 'retry', reason: 'timeout: VTJ did not answer', hop: 'm#referral-intake#attempt-1' });
    const dead = hop('referral-intake', 2, ingress, { outcome: 'dead-letter', reason: 'timeout: VTJ did not answer', hop: 'm#referral-intake#attempt-5' });
    const trace = buildTrace(CORRELATION, [ingress, retry, dead]);
    const [root] = trace.roots;
    expect(root!.children.map((c) => [c.outcome, c.failed, c.reason])).toEqual([
      ['retry', true, 'timeout: VTJ did not answer'],
      ['dead-letter', true, 'timeout: VTJ did not answer'],
    ]);
    expect(root!.failed).toBe(false);
    expect(trace.summary).toMatchObject({ retries: 1, deadLetters: 1 });
  });

  it('keeps a record whose parent is missing, as a root marked orphan', () => {
    const ingress = hop('ingress', 0, null);
    const intake = hop('referral-intake', 1, ingress);
    const trace = buildTrace(CORRELATION, [intake]);
    expect(trace.roots).toHaveLength(1);
    expect(trace.roots[0]).toMatchObject({ stage: 'referral-intake', orphan: true, parentHop: ingress.hop });
  });

  it('shows every record once even when tampered parents form a cycle', () => {
    const a = hop('vtj-adapter', 1, null, { hop: 'a', parentHop: 'b', parentDigest: 'x' });
    const b = hop('uma-adapter', 2, null, { hop: 'b', parentHop: 'a', parentDigest: 'x' });
    const self = hop('datastore-adapter', 3, null, { hop: 'c', parentHop: 'c', parentDigest: 'x' });
    const trace = buildTrace(CORRELATION, [a, b, self]);
    const all: string[] = [];
    const walk = (nodes: readonly TraceNode[]) => nodes.forEach((n) => (all.push(n.hop), walk(n.children)));
    walk(trace.roots);
    expect(all.sort()).toEqual(['a', 'b', 'c']);
  });

  it('keeps a long chain of hops whole, however deep', () => {
    let parent = hop('ingress', 0, null);
    const chain = [parent];
    for (let i = 1; i < 30; i++) chain.push((parent = hop(`step-${i}`, i, parent)));
    const trace = buildTrace(CORRELATION, chain.reverse());
    let depth = 0;
    for (let node = trace.roots[0]; node; node = node.children[0]) depth++;
    expect(depth).toBe(30);
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    expect(renderTrace(trace).at(-1)).toMatch(new RegExp(`^ {${3 * 28}}└─ \\S+ {2}step-29 `));
  });

  it('gives an empty correlation an empty tree', () => {
    expect(buildTrace(CORRELATION, [])).toEqual({
      correlationId: CORRELATION,
      summary: { records: 0, retries: 0, deadLetters: 0, redrives: 0, firstRecordedAt: null, lastRecordedAt: null },
      roots: [],
    });
  });
});

describe('renderTrace', () => {
  it('draws the tree with one line per hop and the reason of a failure under it', () => {
    const ingress = hop('ingress', 0, null, { outcome: 'accepted' });
    const intake = hop('referral-intake', 1, ingress, { outcome: 'dead-letter', reason: 'schema-violation: payload.hetu: bad', durationMs: 12 });
    const redrive = hop(REDRIVE_STAGE, 2, ingress, { outcome: 'redriven', reason: 'redriven from referral-intake-dlq to referral-intake (dlq redrive --message)' });
    const lines = renderTrace(buildTrace(CORRELATION, [redrive, intake, ingress]));
    expect(lines).toEqual([
      `trace of correlation ${CORRELATION}: 3 records from 2026-11-01T08:00:00.000Z to 2026-11-01T08:00:02.000Z (1 dead letter, 1 redrive)`,
      '2026-11-01T08:00:00.000Z  ingress  authority:te-services -> hub  outreach.referral.v1  accepted  0 ms',
      '├─ 2026-11-01T08:00:01.000Z  referral-intake  authority:te-services -> hub  outreach.referral.v1  ✗ DEAD-LETTER  12 ms',
      '│      reason: schema-violation: payload.hetu: bad',
      '└─ 2026-11-01T08:00:02.000Z  dlq-redrive  authority:te-services -> hub  outreach.referral.v1  ↻ redriven  2 ms',
      '       redriven from referral-intake-dlq to referral-intake (dlq redrive --message)',
    ]);
  });

  it('indents grandchildren under a continuing branch and names a missing parent', () => {
    const ingress = hop('ingress', 0, null);
    const intake = hop('referral-intake', 1, ingress);
    const vtj = hop('vtj-adapter', 2, intake);
    const late = hop('uma-adapter', 3, ingress);
    const orphan = hop('datastore-adapter', 4, null, { parentHop: 'gone#vtj-adapter', parentDigest: 'x' });
    const lines = renderTrace(buildTrace(CORRELATION, [ingress, intake, vtj, late, orphan]));
    expect(lines.slice(1).map((l) => l.replace(/ {2}authority.*? ms/, ''))).toEqual([
      '2026-11-01T08:00:00.000Z  ingress',
      '├─ 2026-11-01T08:00:01.000Z  referral-intake',
      '│  └─ 2026-11-01T08:00:02.000Z  vtj-adapter',
      '└─ 2026-11-01T08:00:03.000Z  uma-adapter',
      '2026-11-01T08:00:04.000Z  datastore-adapter  (its parent record gone#vtj-adapter is missing)',
    ]);
  });
});

describe('correlations of a person', () => {
  it('groups records by correlation, oldest first, with their failures and types', () => {
    const other = randomUUID();
    const a = hop('ingress', 5, null);
    const b = hop('referral-intake', 6, a, { outcome: 'retry' });
    const c = hop('ingress', 1, null, { correlationId: other, type: 'lookup.requested.v1' });
    const hits = correlationsOf([a, b, c]);
    expect(hits).toEqual([
      { correlationId: other, records: 1, failed: 0, firstRecordedAt: c.recordedAt, lastRecordedAt: c.recordedAt, types: ['lookup.requested.v1'] },
      { correlationId: CORRELATION, records: 2, failed: 1, firstRecordedAt: a.recordedAt, lastRecordedAt: b.recordedAt, types: ['outreach.referral.v1'] },
    ]);
    expect(renderCorrelations(hits)[0]).toBe('2 correlations concern this person:');
    expect(renderCorrelations([])).toEqual(['no correlations concern this person in the audit log']);
  });
});

describe('dead letters in the audit log', () => {
  it('reads a valid envelope in a DLQ by its fields, hashing its subject with the audit key', () => {
    const envelope = referral();
    const view = viewDeadLetter(JSON.stringify(envelope), 'sqs-1');
    expect(view).toMatchObject({
      correlationId: envelope.correlationId,
      messageId: envelope.messageId,
      type: 'outreach.referral.v1',
      source: 'authority:te-services',
      municipality: '905',
      valid: true,
    });
    expect(view.payloadDigest(KEY)).toBe(payloadDigest(KEY, envelope.payload));
    expect(view.subjectHash(KEY)).toBe(subjectHash(KEY, envelope.payload.hetu));
    expect(JSON.stringify(view)).not.toContain(envelope.payload.hetu);
  });

  it('reads a body that breaks its contract field by field, and nothing of what is not shaped like its field', () => {
    const envelope = referral();
    const body = JSON.stringify({ ...envelope, type: 'Robert; DROP TABLE', source: makeHetu('1990-01-01', 123), payload: { hetu: '310223A123B' } });
    const view = viewDeadLetter(body, 'sqs-2');
    expect(view).toMatchObject({ correlationId: envelope.correlationId, messageId: envelope.messageId, type: 'unreadable', source: 'unknown', valid: false });
    expect(view.payloadDigest(KEY)).toBe(payloadDigest(KEY, body));
    expect(view.subjectHash(KEY)).toBeNull();
    expect(viewDeadLetter('not json', 'sqs-3')).toMatchObject({ correlationId: 'unreadable', messageId: 'sqs-3', type: 'unreadable' });
  });

  it('seals a redrive as a hop of the message, linked to the record that produced it, numbered per redrive', () => {
    const ingress = hop('ingress', 0, null, { outcome: 'accepted' });
    const envelope = referral({ correlationId: CORRELATION });
    const dead = viewDeadLetter(JSON.stringify(envelope), 'sqs-4');
    const first = redriveRecord({ dead, parent: { hop: ingress.hop, digest: ingress.digest }, redrive: 1, note: 'redriven from a to b' }, KEY);
    const second = redriveRecord({ dead, parent: { hop: ingress.hop, digest: ingress.digest }, redrive: 2, note: 'redriven from a to b' }, KEY);
    expect(first).toMatchObject({
      hop: hopKey(envelope.messageId, REDRIVE_STAGE, 1),
      stage: 'dlq-redrive',
      outcome: 'redriven',
      parentHop: ingress.hop,
      subjectHash: subjectHash(KEY, envelope.payload.hetu),
      type: 'outreach.referral.v1',
    });
    expect(second.hop).toBe(hopKey(envelope.messageId, REDRIVE_STAGE, 2));
    expect(verifyChain([ingress, first, second], KEY)).toMatchObject({ ok: true, records: 3 });
    // A redrive of a message no recorded hop produced is a root, which the chain allows for the CLI.
    expect(verifyChain([redriveRecord({ dead, parent: null, redrive: 1, note: 'x' }, KEY)], KEY).ok).toBe(true);
  });
});
