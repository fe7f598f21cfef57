/**
 * The published contract as files (docs/DESIGN.md "Published contract and its versions"):
 *
 * - docs/integrators/schemas/<type>.json: the JSON Schema of each published type as the contracts
 *   say now, and docs/integrators/asyncapi.json: both rewritten by `npm run contracts:publish`, and
 *   a test fails while they differ from what it would write;
 * - contracts/published/<type>.json: the baseline of each published version, written once, when the
 *   version is first published, and never again. A change to a type is checked against it
 *   (compatibility.ts); one that would break a sender or a receiver is a new version (`v2`).
 *
 * The integrators' copies sit under docs/ with the document that links them; the baselines sit with
 * the contracts whose promise they keep, where a change to them shows in review as a change to a
 * contract.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedTypes, type PublishedType } from '#contracts/messages/published';
import { asyncApiDocument } from '#infra/published/asyncapi';
import { breakingChanges } from '#infra/published/compatibility';
import { publishedSchema, type JsonSchema } from '#infra/published/json-schemas';

export const SCHEMAS_DIR = 'docs/integrators/schemas';
export const ASYNCAPI_FILE = 'docs/integrators/asyncapi.json';
export const BASELINE_DIR = 'contracts/published';

export const publishedTypeList = Object.keys(publishedTypes) as PublishedType[];

export const asJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every published type's schema as generated now. */
export const generateSchemas = (): Record<PublishedType, JsonSchema> =>
  Object.fromEntries(publishedTypeList.map((type) => [type, publishedSchema(type)])) as Record<PublishedType, JsonSchema>;

/** The files the generator writes (paths relative to the repository root), with their contents. */
export const generatedFiles = (schemas: Readonly<Record<PublishedType, JsonSchema>>): Map<string, string> =>
  new Map([
    ...publishedTypeList.map((type): [string, string] => [`${SCHEMAS_DIR}/${type}.json`, asJson(schemas[type])]),
    [ASYNCAPI_FILE, asJson(asyncApiDocument(schemas))],
  ]);

/** The JSON files of a folder, by name without `.json`. */
export const readJsonFolder = (dir: string): Map<string, JsonSchema> => {
  if (!existsSync(dir)) return new Map();
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name.slice(0, -'.json'.length), JSON.parse(readFileSync(join(dir, name), 'utf8')) as JsonSchema]),
  );
};

/**
 * What breaks between the schemas now and a set of earlier ones (the baselines, or the last
 * published copies): each a sentence naming the type and the field. A type that was published and
 * is no longer is a break too: its senders and receivers are still there.
 */
export const compatibilityProblems = (schemas: Readonly<Record<PublishedType, JsonSchema>>, earlier: ReadonlyMap<string, JsonSchema>): string[] => {
  const problems: string[] = [];
  for (const [type, before] of earlier) {
    if (!Object.hasOwn(publishedTypes, type)) {
      problems.push(`${type}: was published and is gone; a published version stays until it is withdrawn on purpose (remove its baseline)`);
      continue;
    }
    const direction = publishedTypes[type as PublishedType];
    for (const change of breakingChanges(before, schemas[type as PublishedType], direction)) problems.push(`${type}: ${change}`);
  }
  return problems;
};
