/** The inbox's pure rules: whose inbox a caller reads, which entries a page shows, where the next one starts. */
import { describe, expect, it } from 'vitest';
import { mayReceive, OWN_MUNICIPALITY_RULE, refuseMunicipality, wantsPush, type InboxCaller } from '#functions/inbox/caller';
import { entrySortKey, pageFor, parseCursor, settledPrefix, SETTLE_MS, type Entry } from '#functions/inbox/cursor';
import type { Envelope } from '#contracts/envelope';
import type { InboxEntry, InboxStore } from '#functions/inbox/store';
import { acknowledge, handleInboxRequest, pullMessages } from '#functions/inbox/pull';

const vaasa: InboxCaller = { clientId: 'vaasa', municipalities: ['905'], receives: ['outreach.list.ready.v1', 'outreach.decision.v1'] };
const lists = 'outreach.list.ready.v1';
const decision = 'outreach.decision.v1';
const NOW = 1_800_000_000_000;
const entry = (seq: number, type = lists, writtenAt = NOW - 5_000): Entry => ({ seq, type, writtenAt });

describe('whose inbox a caller reads', () => {
  it('refuses another municipality with 403 naming the rule and the client', () => {
    expect(refuseMunicipality(vaasa, '905')).toBeUndefined();
    const refusal = refuseMunicipality(vaasa, '091');
    expect(refusal).toMatchObject({ status: 403, error: OWN_MUNICIPALITY_RULE });
    expect(refusal?.message).toContain('vaasa');
  });

  it('answers 400 to a municipality that is no code at all', () => {
    expect(refuseMunicipality(vaasa, '../905')).toMatchObject({ status: 400, error: 'municipality' });
  });

  it('pushes only to a client with a webhook, for its municipalities and types', () => {
    expect(wantsPush(vaasa, '905', lists)).toBe(false);
    const hooked = { ...vaasa, webhook: { url: 'https://example.invalid/hook' } };
    expect(wantsPush(hooked, '905', lists)).toBe(true);
    expect(wantsPush(hooked, '091', lists)).toBe(false);
    expect(wantsPush(hooked, '905', 'person.moved-in.v1')).toBe(false);
    expect(mayReceive(hooked, decision)).toBe(true);
  });
});

describe('cursors', () => {
  it('parse what the hub gives and refuse anything else naming the field', () => {
    expect(parseCursor(undefined)).toBe(0);
    expect(parseCursor('42')).toBe(42);
    expect(parseCursor('-1')).toEqual({ error: expect.stringContaining('after') });
    expect(parseCursor('1e3', 'cursor')).toEqual({ error: expect.stringContaining('cursor') });
    expect(parseCursor('12345678901234567')).toEqual({ error: expect.any(String) });
  });

  it('sort in DynamoDB string order as numbers do', () => {
    const seqs = [1, 9, 10, 99, 100, 12_345];
    expect(seqs.map(entrySortKey).toSorted()).toEqual(seqs.map(entrySortKey));
  });
});

describe('which entries a page may show', () => {
  it('shows a run without gaps whole', () => {
    expect(settledPrefix([entry(3), entry(4), entry(5)], 2, NOW).map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('stops before a young gap, which a slower writer may still fill', () => {
    expect(settledPrefix([entry(3), entry(5, lists, NOW - 1_000), entry(6)], 2, NOW).map((e) => e.seq)).toEqual([3]);
    expect(settledPrefix([entry(4, lists, NOW - 1_000)], 2, NOW)).toEqual([]);
  });

  it('passes a gap once the entry after it is older than the settling time', () => {
    expect(settledPrefix([entry(3), entry(5, lists, NOW - SETTLE_MS - 1), entry(6)], 2, NOW).map((e) => e.seq)).toEqual([3, 5, 6]);
  });

  it('skips types the caller does not receive but moves the cursor past them', () => {
    const page = pageFor([entry(1), entry(2, 'person.moved-in.v1'), entry(3, decision)], { after: 0, limit: 10, now: NOW, receives: (t) => t !== 'person.moved-in.v1' });
    expect(page.messages.map((e) => e.seq)).toEqual([1, 3]);
    expect(page.next).toBe(3);
  });

  it('gives at most `limit` messages and continues after the last one shown', () => {
    const page = pageFor([entry(1), entry(2), entry(3)], { after: 0, limit: 2, now: NOW, receives: () => true });
    expect(page.messages.map((e) => e.seq)).toEqual([1, 2]);
    expect(page.next).toBe(2);
  });

  it('stays where it was when nothing is settled', () => {
    expect(pageFor([entry(9, lists, NOW)], { after: 7, limit: 5, now: NOW, receives: () => true })).toEqual({ messages: [], next: 7 });
  });
});

/** An inbox in memory with the same contract as the DynamoDB one. */
const memoryStore = (entries: readonly InboxEntry[]): InboxStore & { acks: Map<string, number> } => {
  const acks = new Map<string, number>();
  const byMunicipality = (m: string) => entries.filter((e) => e.envelope.municipality === m).toSorted((a, b) => a.seq - b.seq);
  return {
    acks,
    append: () => Promise.reject(new Error('not used')),
    after: async (m, after, limit) => byMunicipality(m).filter((e) => e.seq > after).slice(0, limit),
    entry: async (m, seq) => byMunicipality(m).find((e) => e.seq === seq),
    last: async (m) => Math.max(0, ...byMunicipality(m).map((e) => e.seq)),
    acknowledged: async (m, c) => acks.get(`${m}/${c}`) ?? 0,
    acknowledge: async (m, c, seq) => {
      acks.set(`${m}/${c}`, Math.max(acks.get(`${m}/${c}`) ?? 0, seq));
      return acks.get(`${m}/${c}`)!;
    },
  };
};

const stored = (seq: number, municipality: string, type = lists): InboxEntry => ({
  seq,
  type,
  writtenAt: NOW - 10_000,
  messageId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  envelope: { municipality, type, messageId: String(seq) } as unknown as Envelope,
});

describe('the pull API', () => {
  const store = memoryStore([stored(1, '905'), stored(2, '905', decision), stored(3, '905'), stored(1, '091')]);
  const deps = { store, lists: async () => undefined, now: () => NOW };
  const q = (text: string) => new URLSearchParams(text);

  it('pages through the caller’s own inbox and resumes from its acknowledged cursor', async () => {
    const first = (await pullMessages(vaasa, '905', q('limit=2'), deps)) as { status: number; json: { messages: { cursor: string }[]; next: string; more: boolean } };
    expect(first.status).toBe(200);
    expect(first.json.messages.map((m) => m.cursor)).toEqual(['1', '2']);
    expect(first.json).toMatchObject({ next: '2', more: true });
    expect(await acknowledge(vaasa, '905', JSON.stringify({ cursor: first.json.next }), deps)).toEqual({ status: 200, json: { municipality: '905', acknowledged: '2' } });
    const resumed = (await pullMessages(vaasa, '905', q(''), deps)) as { json: { messages: { cursor: string }[]; acknowledged: string } };
    expect(resumed.json.messages.map((m) => m.cursor)).toEqual(['3']);
    expect(resumed.json.acknowledged).toBe('2');
  });

  it('never moves an acknowledgement back, nor past the last message', async () => {
    expect(await acknowledge(vaasa, '905', '{"cursor":"1"}', deps)).toMatchObject({ status: 200, json: { acknowledged: '2' } });
    expect(await acknowledge(vaasa, '905', '{"cursor":"4"}', deps)).toMatchObject({ status: 400, json: { error: 'cursor' } });
    expect(await acknowledge(vaasa, '905', '{"cursor":4}', deps)).toMatchObject({ status: 400, json: { error: 'cursor' } });
    expect(await acknowledge(vaasa, '905', 'not json', deps)).toMatchObject({ status: 400, json: { error: 'body' } });
  });

  it('refuses another municipality’s messages, acknowledgement and lists with 403', async () => {
    for (const [method, path] of [['GET', '/inbox/091/messages'], ['POST', '/inbox/091/ack'], ['GET', '/inbox/091/lists/0e7d3c42-8f5b-4b6e-a1d2-7c9e4f1a2b33.json']] as const) {
      const answer = await handleInboxRequest(vaasa, { method, path, query: q(''), body: '{"cursor":"1"}' }, deps);
      expect(answer).toMatchObject({ status: 403, json: { error: OWN_MUNICIPALITY_RULE } });
    }
  });

  it('answers 400 naming the field for a bad limit or cursor, 405 for a wrong method, 404 for an unknown path', async () => {
    expect(await pullMessages(vaasa, '905', q('limit=0'), deps)).toMatchObject({ status: 400, json: { error: 'limit' } });
    expect(await pullMessages(vaasa, '905', q('limit=101'), deps)).toMatchObject({ status: 400, json: { error: 'limit' } });
    expect(await pullMessages(vaasa, '905', q('after=abc'), deps)).toMatchObject({ status: 400, json: { error: 'after' } });
    expect(await handleInboxRequest(vaasa, { method: 'DELETE', path: '/inbox/905/messages', query: q('') }, deps)).toMatchObject({ status: 405 });
    expect(await handleInboxRequest(vaasa, { method: 'GET', path: '/inbox/905/lists/../../etc/passwd', query: q('') }, deps)).toMatchObject({ status: 404 });
    expect(await handleInboxRequest(vaasa, { method: 'GET', path: '/inbox/905/lists/x.json', query: q('') }, deps)).toMatchObject({ status: 400, json: { error: 'list' } });
  });
});
