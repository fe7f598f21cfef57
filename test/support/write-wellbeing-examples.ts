/** Rewrites contracts/wellbeing/fhir/examples/ from the mappers: `npx tsx test/support/write-wellbeing-examples.ts`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFhirExamples, FHIR_EXAMPLES_DIR } from './wellbeing-examples.ts';

for (const [name, document] of Object.entries(buildFhirExamples())) writeFileSync(join(FHIR_EXAMPLES_DIR, name), `${JSON.stringify(document, null, 2)}\n`);
