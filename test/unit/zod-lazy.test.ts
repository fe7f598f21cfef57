import { describe, expect, it } from 'vitest';
import * as z from '#contracts/zod';

describe('z.lazy of the contracts', () => {
  it('builds the schema on first use only, and once', () => {
    let builds = 0;
    const schema = z.lazy(() => (builds++, z.object({ code: z.string().check(z.regex(/^\d{3}$/, 'must be three digits')) })));
    expect(builds).toBe(0);
    expect(schema.parse({ code: '905' })).toEqual({ code: '905' });
    expect(schema.safeParse({ code: '9050' }).success).toBe(false);
    expect(builds).toBe(1);
  });

  it('reports the same issues as the schema it stands for, and is one of zod’s types', () => {
    const build = () => z.object({ asOf: z.iso.date('must be an ISO date YYYY-MM-DD'), count: z.optional(z.int()) });
    const lazy = z.lazy(build);
    const bad = { asOf: '1.11.2026', count: 'x' };
    expect(lazy.safeParse(bad).error?.issues).toEqual(build().safeParse(bad).error?.issues);
    expect(lazy).toBeInstanceOf(z.ZodMiniObject);
  });

  it('works inside objects, optionals and discriminated unions', () => {
    const target = z.lazy(() => z.object({ kind: z.literal('target'), reasons: z.array(z.string()) }));
    const excluded = z.lazy(() => z.object({ kind: z.literal('excluded'), code: z.string() }));
    const decision = z.object({ decision: z.discriminatedUnion('kind', [target, excluded]), note: z.optional(z.lazy(() => z.string())) });
    expect(decision.parse({ decision: { kind: 'excluded', code: 'MINOR' } })).toEqual({ decision: { kind: 'excluded', code: 'MINOR' } });
    const wrong = decision.safeParse({ decision: { kind: 'target', reasons: [1] }, note: 2 });
    expect(wrong.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['decision.reasons.0', 'note']);
  });

  it('carries the description its schema was given, so z.toJSONSchema writes it', () => {
    const row = z.lazy(() => z.object({ from: z.string(), to: z.string() }).check(z.describe('to is not before from')));
    const json = z.toJSONSchema(z.object({ rows: z.array(row) })) as unknown as { properties: { rows: { items: { description?: string } } } };
    expect(json.properties.rows.items.description).toBe('to is not before from');
  });
});
