// Writes docs/config-formats.md: what `servetune check` reads from every config fixture, per format and
// engine. Run: npx tsx scripts/config-summary.ts. A unit test checks the committed file matches.
import { writeFileSync } from 'node:fs';
import { configSummaryMarkdown } from './config-summary-table.js';

writeFileSync('docs/config-formats.md', configSummaryMarkdown());
