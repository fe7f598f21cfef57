/** The example messages integrators copy are contract fixtures: each must validate as its type. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageTypes, parseEnvelope } from '#contracts/messages/registry';

const dir = join(import.meta.dirname, '..', '..', 'contracts', 'messages', 'examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('example messages', () => {
  it.each(examples)('%s is a valid envelope of the type its file is named after', (file) => {
    const result = parseEnvelope(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(`${result.envelope.type}.json`).toBe(file);
  });

  // A reader drops fields its type does not name (a lookup slip's Kela rows keep only what the
  // rules read), so an example with such a field would show integrators something never sent.
  it.each(examples)('%s holds only fields its contract keeps', (file) => {
    const example = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { payload: unknown };
    const result = parseEnvelope(example);
    expect(result.ok && result.envelope.payload).toEqual(example.payload);
  });

  it('exist for every registered message type', () => {
    expect(examples.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(messageTypes).sort());
  });
});
