/**
 * `npm run contracts:publish`: rewrites the published JSON Schemas and the AsyncAPI document from
 * the contracts and the topology, and writes the baseline of a version published for the first
 * time (files.ts). It refuses, writing nothing, when a published version would change in a way
 * that breaks its senders or receivers, against its baseline or against its last published copy
 * (which may hold an optional field added since the baseline): that change is a new version.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  asJson,
  BASELINE_DIR,
  compatibilityProblems,
  generatedFiles,
  generateSchemas,
  publishedTypeList,
  readJsonFolder,
  SCHEMAS_DIR,
} from '#infra/published/files';

const root = fileURLToPath(new URL('../../', import.meta.url));

const schemas = generateSchemas();
const problems = [
  ...compatibilityProblems(schemas, readJsonFolder(join(root, BASELINE_DIR))),
  ...compatibilityProblems(schemas, readJsonFolder(join(root, SCHEMAS_DIR))),
];
if (problems.length > 0) {
  console.error(`contracts:publish: these changes break a published version; publish the change as a new version (v2) instead:\n  ${[...new Set(problems)].join('\n  ')}`);
  process.exit(1);
}

const files = generatedFiles(schemas);
// A schema of a type no longer published would otherwise stay behind (the check above let it go only if its baseline went too).
for (const name of existsSync(join(root, SCHEMAS_DIR)) ? readdirSync(join(root, SCHEMAS_DIR)) : []) {
  if (!files.has(`${SCHEMAS_DIR}/${name}`)) rmSync(join(root, SCHEMAS_DIR, name));
}
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const firstPublished = publishedTypeList.filter((type) => !existsSync(join(root, BASELINE_DIR, `${type}.json`)));
for (const type of firstPublished) {
  mkdirSync(join(root, BASELINE_DIR), { recursive: true });
  writeFileSync(join(root, BASELINE_DIR, `${type}.json`), asJson(schemas[type]));
}
console.log(`contracts:publish: ${files.size} files written${firstPublished.length > 0 ? `; baseline of ${firstPublished.join(', ')} written` : ''}`);
