import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckConfigInput } from '../../../../src/engine/tune/check.js';
import { PredictBlockInput, TuneBlockInput } from '../../../../src/engine/tune/schema.js';
import { MAX_CONFIG_FILE_BYTES } from '../../../../src/engine/util/files.js';

// The text a request carries (an editor's buffer) has the limit of a config read from disk.

test('a config text past the config file limit is refused, naming the limit', () => {
  const big = 'a'.repeat(MAX_CONFIG_FILE_BYTES + 1);
  for (const schema of [CheckConfigInput, TuneBlockInput, PredictBlockInput]) {
    const parsed = schema.safeParse({ path: 'x.yaml', text: big, workload: 'poisson:rate=1,n=1', slo: {} });
    assert.equal(parsed.success, false);
    const issue = parsed.error!.issues.find((i) => i.path[0] === 'text');
    assert.match(issue?.message ?? '', /larger than the 2\.00 MiB a serving config may be/);
  }
});

test('the limit counts UTF-8 bytes, not characters', () => {
  const chars = Math.floor(MAX_CONFIG_FILE_BYTES / 3) + 1;
  assert.equal(CheckConfigInput.safeParse({ path: 'x.yaml', text: '€'.repeat(chars) }).success, false);
  assert.equal(CheckConfigInput.safeParse({ path: 'x.yaml', text: 'a'.repeat(chars) }).success, true);
});
