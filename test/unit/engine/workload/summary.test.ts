import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeWorkload } from '../../../../src/engine/workload/summary.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

test('a workload summary counts, spans and takes numpy-style percentiles of the lengths', () => {
  const workload: Workload = {
    source: 'test',
    hashBlockTokens: 512,
    requests: [0, 1, 2, 3, 4].map((i) => ({
      arrival: i * 0.5,
      promptTokens: (i + 1) * 100,
      outputTokens: 10 * (5 - i),
      ...(i === 0 ? { hashIds: [1, 2] } : {}),
    })),
  };
  const s = summarizeWorkload(workload);
  assert.equal(s.requests, 5);
  assert.equal(s.durationSeconds, 2);
  assert.equal(s.ratePerSecond, 2);
  assert.deepEqual(s.promptTokens, { mean: 300, p50: 300, p90: 460, p99: 496, max: 500 });
  assert.equal(s.outputTokens.p50, 30);
  assert.equal(s.outputTokens.max, 50);
  assert.equal(s.withPrefixHashes, 1);
});

test('a workload arriving all at once has no rate, and an empty one sums to zeros', () => {
  const burst: Workload = {
    source: 'burst',
    hashBlockTokens: 512,
    requests: [
      { arrival: 0, promptTokens: 1, outputTokens: 1 },
      { arrival: 0, promptTokens: 3, outputTokens: 1 },
    ],
  };
  assert.equal(summarizeWorkload(burst).ratePerSecond, null);
  const empty = summarizeWorkload({ source: 'none', hashBlockTokens: 512, requests: [] });
  assert.equal(empty.requests, 0);
  assert.equal(empty.promptTokens.max, 0);
});
