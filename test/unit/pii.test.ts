import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containsHetuShape, makeHetu } from '#contracts/hetu';
import { withContext, type CorrelationContext } from '#lib/context';
import { HubLogger } from '#lib/logger';
import { REDACTED, REDACTED_HETU, scrubValue } from '#lib/pii';

const HETU = makeHetu('1990-03-15', 312);
const OTHER_HETU = makeHetu('2004-11-30', 905, 'B');

/** A value `levels` objects deep, with `leaf` at the bottom: `{ level: { level: … leaf } }`. */
const nested = (levels: number, leaf: Record<string, unknown>): Record<string, unknown> => {
  let value: Record<string, unknown> = leaf;
  for (let i = 0; i < levels; i++) value = { level: value };
  return value;
};

describe('scrubValue redacts personal data', () => {
  it.each(['hetu', 'lastName', 'firstNames', 'address', 'street', 'payload', 'Henkilotunnus', 'postalCode', 'email'])(
    'redacts the value under the personal key %s whatever it holds',
    (key) => {
      const scrubbed = scrubValue({ [key]: { anything: 'Haddad', n: 1 }, keep: 'ok' });
      expect(scrubbed).toEqual({ [key]: REDACTED, keep: 'ok' });
    },
  );

  it('redacts personal keys inside arrays and nested objects', () => {
    const scrubbed = scrubValue({ persons: [{ hetu: HETU, lastName: 'Haddad', municipality: '905' }], meta: { address: { street: 'Kauppapuistikko 1' } } });
    expect(scrubbed).toEqual({ persons: [{ hetu: REDACTED, lastName: REDACTED, municipality: '905' }], meta: { address: REDACTED } });
  });

  it.each([2, 5, 8, 9, 12, 20])('redacts a personal key and masks a HETU %i objects deep', (levels) => {
    const text = JSON.stringify(scrubValue(nested(levels, { hetu: 'Haddad', note: `about ${HETU}` })));
    expect(text).not.toContain(HETU);
    expect(containsHetuShape(text)).toBe(false);
    expect(text).not.toContain('Haddad');
  });

  it('masks HETU-shaped tokens inside other strings and inside arrays of strings, leaving the rest of the text', () => {
    const scrubbed = scrubValue({ note: `asked about ${HETU}, then ${OTHER_HETU.toLowerCase()}.`, list: ['a', HETU, `(${OTHER_HETU})`] });
    expect(scrubbed).toEqual({
      note: `asked about ${REDACTED_HETU}, then ${REDACTED_HETU}.`,
      list: ['a', REDACTED_HETU, `(${REDACTED_HETU})`],
    });
  });

  it('masks a malformed but HETU-shaped token too', () => {
    expect(scrubValue('code 131052-308X given')).toBe(`code ${REDACTED_HETU} given`);
  });

  it('returns a copy and leaves its input unchanged', () => {
    const input = { hetu: HETU, inner: { note: HETU } };
    scrubValue(input);
    expect(input).toEqual({ hetu: HETU, inner: { note: HETU } });
  });
});

describe('scrubValue leaves identifiers for tracing untouched', () => {
  it('leaves a thousand random UUIDs as they are, alone and inside text', () => {
    for (let i = 0; i < 1000; i++) {
      const id = randomUUID();
      expect(scrubValue(id)).toBe(id);
      expect(scrubValue(`correlation ${id} done`)).toBe(`correlation ${id} done`);
    }
  });

  it('leaves ISO timestamps, municipality codes, hop keys and numbers as they are', () => {
    const messageId = randomUUID();
    const value = {
      occurredAt: '2026-11-01T08:00:00.000Z',
      recordedAt: '2026-11-01T08:00:00+02:00',
      date: '2026-11-01',
      municipality: '091',
      hop: `${messageId}#referral-intake#attempt-3`,
      parentHop: `${messageId}#ingress`,
      businessId: '0245437-2',
      durationMs: 123_456,
      codes: ['905', '179'],
    };
    expect(scrubValue(value)).toEqual(value);
  });
});

describe('HubLogger', () => {
  let dir: string;
  let file: string;
  const previous = process.env.KOTO_LOG_FILE;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'koto-pii-test-'));
    file = join(dir, 'hub.log');
    writeFileSync(file, '');
    process.env.KOTO_LOG_FILE = file;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.KOTO_LOG_FILE;
    else process.env.KOTO_LOG_FILE = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = (): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const entries = (): Record<string, unknown>[] => lines().map((line) => JSON.parse(line) as Record<string, unknown>);
  const newLogger = () => new HubLogger({ serviceName: 'pii-test' });

  const context = (label: string): CorrelationContext => ({
    correlationId: randomUUID(),
    messageId: randomUUID(),
    causationId: randomUUID(),
    messageType: 'outreach.referral.v1',
    function: label,
  });

  it('writes a line with no HETU-shaped text when the message, extra keys and an Error carry one', () => {
    const error = new Error(`lookup of ${HETU} failed`);
    newLogger().error(`could not handle ${HETU}`, { person: HETU, details: { note: `see ${OTHER_HETU}` }, hetu: HETU, cause: error });
    const written = lines();
    expect(written).toHaveLength(1);
    expect(written[0]).not.toContain(HETU);
    expect(written[0]).not.toContain(OTHER_HETU);
    expect(containsHetuShape(written[0]!)).toBe(false);
    expect(entries()[0]).toMatchObject({ message: `could not handle ${REDACTED_HETU}`, person: REDACTED_HETU, hetu: REDACTED, level: 'ERROR' });
  });

  it("keeps a logged Error's name and scrubbed message in the line", () => {
    const error = new TypeError(`lookup of ${HETU} failed`);
    newLogger().error('handler failed', error);
    const [entry] = entries();
    expect(containsHetuShape(JSON.stringify(entry))).toBe(false);
    expect(JSON.stringify(entry?.error)).toContain('TypeError');
    expect(JSON.stringify(entry?.error)).toContain(`lookup of ${REDACTED_HETU} failed`);
  });

  it('adds no correlation ids outside a context', () => {
    newLogger().info('outside');
    expect(entries()[0]).not.toHaveProperty('correlationId');
  });

  it('puts the correlation, message and causation ids of the current context on the line', async () => {
    const ctx = context('referral-intake');
    await withContext(ctx, async () => {
      await Promise.resolve();
      newLogger().info('inside');
    });
    expect(entries()[0]).toMatchObject({
      message: 'inside',
      correlationId: ctx.correlationId,
      messageId: ctx.messageId,
      causationId: ctx.causationId,
      messageType: 'outreach.referral.v1',
    });
  });

  it('never mixes the ids of two contexts whose work interleaves', async () => {
    const logger = newLogger();
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const work = (ctx: CorrelationContext, delays: readonly number[]) =>
      withContext(ctx, async () => {
        for (const [step, delay] of delays.entries()) {
          await pause(delay);
          logger.info('step', { owner: ctx.function, step });
        }
      });
    const [a, b] = [context('a'), context('b')];
    await Promise.all([work(a, [5, 1, 8, 1, 6]), work(b, [1, 6, 1, 7, 1])]);

    const written = entries();
    expect(written).toHaveLength(10);
    const owners = written.map((e) => e.owner);
    expect(owners.join('')).not.toMatch(/^a{5}b{5}$|^b{5}a{5}$/);
    for (const entry of written) {
      const ctx = entry.owner === 'a' ? a : b;
      expect(entry).toMatchObject({ correlationId: ctx.correlationId, messageId: ctx.messageId, causationId: ctx.causationId, function: ctx.function });
    }
  });
});
