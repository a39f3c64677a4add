import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrivalRate, repeatToSpan } from '../../../../src/engine/workload/transform.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const workload: Workload = {
  source: 'test',
  hashBlockTokens: 512,
  requests: [
    { arrival: 0, promptTokens: 10, outputTokens: 5, hashIds: [1, 2] },
    { arrival: 1, promptTokens: 20, outputTokens: 6, hashIds: [1, 3] },
    { arrival: 2, promptTokens: 30, outputTokens: 7 },
  ],
};

describe('repeatToSpan', () => {
  it('repeats back to back at the same rate until the span is long enough', () => {
    const repeated = repeatToSpan(workload, 10);
    const arrivals = repeated.requests.map((r) => r.arrival);
    assert.equal(repeated.requests.length, 12); // period 3 s: four copies reach 11 s
    assert.deepEqual(arrivals.slice(0, 6), [0, 1, 2, 3, 4, 5]);
    assert.ok(arrivals.at(-1)! >= 10);
    assert.equal(arrivalRate(repeated), arrivalRate(workload));
    assert.deepEqual(
      repeated.requests.map((r) => r.promptTokens),
      [10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30],
    );
  });

  it('offsets prefix hashes per copy so copies share no prefixes across them', () => {
    const repeated = repeatToSpan(workload, 4);
    assert.deepEqual(repeated.requests[0].hashIds, [1, 2]);
    assert.deepEqual(repeated.requests[3].hashIds, [5, 6]);
    assert.deepEqual(repeated.requests[4].hashIds, [5, 7]);
    assert.equal(repeated.requests[5].hashIds, undefined);
  });

  it('leaves a long enough workload alone', () => {
    assert.equal(repeatToSpan(workload, 2), workload);
  });
});
