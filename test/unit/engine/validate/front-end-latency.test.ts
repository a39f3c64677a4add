import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeasuredRequest } from '../../../../src/engine/bench/requests-file.js';
import { frontEndLatencies } from '../../../../src/engine/validate/front-end-latency.js';

const measured = (index: number, ttft: number, responseId?: string): MeasuredRequest => ({
  index,
  scheduledAt: index,
  sentAt: index,
  promptTokens: 8,
  requestedOutputTokens: 2,
  tokenTimes: [index + ttft, index + ttft + 0.002],
  outputTokens: 2,
  finishedAt: index + ttft + 0.002,
  status: 'ok',
  ...(responseId !== undefined ? { responseId } : {}),
});

describe('front-end latencies', () => {
  it('pair each response with the engine’s record of the same id, whatever their order', () => {
    const latencies = frontEndLatencies([
      {
        requests: [measured(0, 0.012, 'cmpl-a'), measured(1, 0.02, 'cmpl-b')],
        // The engine's first tokens come in the order they were produced, not sent.
        inEngineFirstTokens: [
          { requestId: 'cmpl-b', seconds: 0.015 },
          { requestId: 'cmpl-a', seconds: 0.011 },
        ],
      },
      {
        requests: [
          measured(0, 0.01, 'cmpl-c'),
          { ...measured(1, 0.5, 'cmpl-d'), status: 'timeout' },
          measured(2, 0.03, 'cmpl-unknown'),
        ],
        inEngineFirstTokens: [{ requestId: 'cmpl-c', seconds: 0.0105 }],
      },
    ]);
    assert.equal(latencies.paired, 3);
    assert.deepEqual(
      latencies.seconds.map((s) => Math.round(s * 1e6)),
      // 1 ms and 5 ms; a client TTFT a little under the engine's own counts as none.
      [1000, 5000, 0],
    );
  });

  it('where no response carries an id, the two means’ difference stands for every request', () => {
    const latencies = frontEndLatencies([
      {
        requests: [measured(0, 0.012), measured(1, 0.018)],
        inEngineFirstTokens: [
          { requestId: 'cmpl-a', seconds: 0.01 },
          { requestId: 'cmpl-b', seconds: 0.014 },
        ],
      },
    ]);
    assert.equal(latencies.paired, 0);
    assert.equal(latencies.seconds.length, 1);
    assert.ok(Math.abs(latencies.seconds[0] - 0.003) < 1e-12);
  });
});
