/**
 * The published contract (docs/integrators/, contracts/published/): the committed files are what
 * the generator writes now, every published version is still compatible with its baseline, and the
 * published JSON Schemas describe what the hub really sends and accepts (its example messages).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import * as z from '#contracts/zod';
import { publishedTypes } from '#contracts/messages/published';
import { ingressRoutes, inboxTypes } from '#infra/topology';
import {
  BASELINE_DIR,
  compatibilityProblems,
  generatedFiles,
  generateSchemas,
  publishedTypeList,
  readJsonFolder,
} from '#infra/published/files';
import { toPublishedJsonSchema, UnpublishableSchema } from '#infra/published/json-schemas';

const root = join(import.meta.dirname, '..', '..');
const schemas = generateSchemas();

describe('the published files', () => {
  it.each([...generatedFiles(schemas).keys()])('%s is what npm run contracts:publish writes now', (path) => {
    const committed = existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : '(missing)';
    expect(committed, `${path} differs from the contracts: run npm run contracts:publish`).toBe(generatedFiles(schemas).get(path));
  });

  it('hold a baseline of every published version', () => {
    const missing = publishedTypeList.filter((type) => !existsSync(join(root, BASELINE_DIR, `${type}.json`)));
    expect(missing, 'a newly published version has no baseline yet: run npm run contracts:publish').toEqual([]);
  });

  it('keep every published version compatible with its baseline (a breaking change is a new version)', () => {
    expect(compatibilityProblems(schemas, readJsonFolder(join(root, BASELINE_DIR)))).toEqual([]);
  });

  it('fail while a published version is gone and its baseline stays', () => {
    const baselines = new Map([['outreach.withdrawn.v1', { type: 'object' }]]);
    expect(compatibilityProblems(schemas, baselines)).toEqual([
      'outreach.withdrawn.v1: was published and is gone; a published version stays until it is withdrawn on purpose (remove its baseline)',
    ]);
  });

  it('publish every type a municipal system sends to ingress or receives in its inbox, in its direction', () => {
    for (const type of Object.keys(ingressRoutes)) expect(publishedTypes, type).toHaveProperty([type], 'inbound');
    for (const type of inboxTypes) expect(publishedTypes, type).toHaveProperty([type], 'outbound');
  });
});

describe('the published JSON Schemas', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);

  it.each(publishedTypeList)('%s accepts the example message of its type', (type) => {
    const example = JSON.parse(readFileSync(join(root, 'contracts', 'messages', 'examples', `${type}.json`), 'utf8')) as unknown;
    const validate = ajv.compile(schemas[type]);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuse what the hub refuses where JSON Schema can say it: a wrong type, a missing field', () => {
    const example = JSON.parse(readFileSync(join(root, 'contracts', 'messages', 'examples', 'outreach.referral.v1.json'), 'utf8')) as Record<string, unknown>;
    const validate = ajv.compile(schemas['outreach.referral.v1']);
    expect(validate({ ...example, type: 'outreach.run.requested.v1' })).toBe(false);
    const { messageId: _dropped, ...withoutId } = example;
    expect(validate(withoutId)).toBe(false);
  });

  it('write what JSON Schema cannot check into the description of its field', () => {
    const referral = schemas['outreach.referral.v1'] as { properties: { payload: { properties: { hetu: { description: string } } } } };
    expect(referral.properties.payload.properties.hetu.description).toMatch(/check character/);
  });
});

describe('the JSON Schema generator', () => {
  it('fails naming the field when a field would be {} (any value)', () => {
    const schema = z.object({ payload: z.object({ note: z.unknown() }) });
    expect(() => toPublishedJsonSchema(schema, 'demo.v1', 'input')).toThrow(UnpublishableSchema);
    expect(() => toPublishedJsonSchema(schema, 'demo.v1', 'input')).toThrow(/demo\.v1: payload\.note would be \{\}/);
  });

  it('fails naming the field when a refinement has no fixed message and no description', () => {
    const schema = z.object({ code: z.string().check(z.superRefine(() => undefined)) });
    expect(() => toPublishedJsonSchema(schema, 'demo.v1', 'input')).toThrow(/demo\.v1: code has a refinement with no fixed message and no description/);
  });

  it('fails on a construct JSON Schema cannot represent, rather than leaving it out', () => {
    const schema = z.object({ when: z.date() });
    expect(() => toPublishedJsonSchema(schema, 'demo.v1', 'output')).toThrow(/demo\.v1: .*Date/);
  });

  it("writes a refinement's own message into its field's description", () => {
    const schema = z.object({ county: z.string().check(z.refine((v) => v.length > 0, 'must be a wellbeing services county id')) });
    const json = toPublishedJsonSchema(schema, 'demo.v1', 'input') as { properties: { county: { description: string } } };
    expect(json.properties.county.description).toBe('Checked by the hub beyond this schema: must be a wellbeing services county id.');
  });
});
