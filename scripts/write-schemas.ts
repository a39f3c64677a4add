// Writes the JSON schemas editors use for completion. Run: npx tsx scripts/write-schemas.ts
// A unit test checks the committed files match, so they cannot drift from the zod schemas.
import { writeFileSync } from 'node:fs';
import { workspaceConfigJsonSchema } from '../src/engine/config/workspace.js';

writeFileSync('schemas/servetune.schema.json', `${JSON.stringify(workspaceConfigJsonSchema(), null, 2)}\n`);
