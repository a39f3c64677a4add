import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configSummaryMarkdown } from '../../../../scripts/config-summary-table.js';

test('docs/config-formats.md is what scripts/config-summary.ts writes from the fixtures', () => {
  assert.equal(
    readFileSync('docs/config-formats.md', 'utf8'),
    configSummaryMarkdown(),
    'run: npx tsx scripts/config-summary.ts',
  );
});
