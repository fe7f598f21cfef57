import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as z from '#contracts/zod';
import { deterministicUuid } from '#lib/ids';

const UUID_LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parts as the batch handler passes them: input message id, stage, output type, output key. */
const outputParts = (n: number): string[] => [randomUUID(), 'referral-intake', 'outreach.candidate.v1', String(n)];

describe('deterministicUuid', () => {
  it('gives the same id for the same parts, call after call', () => {
    const parts = outputParts(0);
    const id = deterministicUuid(...parts);
    expect(deterministicUuid(...parts)).toBe(id);
    expect(deterministicUuid(...[...parts])).toBe(id);
  });

  it('gives a lower-case 8-4-4-4-12 UUID with version nibble 5 and variant bits 10, accepted by the envelope schema', () => {
    for (let i = 0; i < 500; i++) {
      const id = deterministicUuid(...outputParts(i));
      expect(id).toMatch(UUID_LAYOUT);
      expect(id[14]).toBe('5');
      expect(parseInt(id[19]!, 16) >> 2).toBe(0b10);
      expect(z.uuid().safeParse(id).success).toBe(true);
    }
  });

  it('gives different ids for different parts, with no collision among many outputs of one message', () => {
    const messageId = randomUUID();
    const ids = new Set<string>();
    for (let i = 0; i < 2_000; i++) ids.add(deterministicUuid(messageId, 'referral-intake', 'outreach.candidate.v1', String(i)));
    expect(ids.size).toBe(2_000);
  });

  it('tells apart part lists whose concatenation is the same', () => {
    expect(deterministicUuid('ab', 'c')).not.toBe(deterministicUuid('a', 'bc'));
    expect(deterministicUuid('abc')).not.toBe(deterministicUuid('a', 'bc'));
    expect(deterministicUuid('a', 'b')).not.toBe(deterministicUuid('a', 'b', ''));
  });

  it('depends on the order of the parts', () => {
    expect(deterministicUuid('a', 'b')).not.toBe(deterministicUuid('b', 'a'));
  });

  it('tells apart part lists that differ only in where a unit separator character falls', () => {
    expect(deterministicUuid('a\u001fb')).not.toBe(deterministicUuid('a', 'b'));
  });

  it('tells apart no parts from one empty part', () => {
    expect(deterministicUuid()).not.toBe(deterministicUuid(''));
  });
});
