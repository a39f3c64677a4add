import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSchedRequest } from '../../../../src/engine/sched/request.js';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { RemoteKvLoads, remoteKvLoadPasses } from '../../../../src/engine/sim/remote-kv-load.js';
import type { SimRequest } from '../../../../src/engine/sim/replica.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { TestReplica } from '../../helpers/replica.js';

const request = (id: number) => newSchedRequest(id, 100, 10, []) as SimRequest;

describe('RemoteKvLoads', () => {
  it('releases a held request at its last release point, in order; releaseAll at once', () => {
    const replica = new TestReplica('vllm-v1', 1024);
    const loads = new RemoteKvLoads(remoteKvLoadPasses(true));
    loads.hold(request(1));
    assert.equal(loads.advance(replica.state), false);
    loads.hold(request(2));
    assert.equal(loads.advance(replica.state), false);
    assert.equal(loads.advance(replica.state), true);
    assert.equal(replica.state.waiting.length, 1);
    assert.equal(replica.state.waiting.at(0).id, 1);
    assert.equal(loads.count, 1);
    assert.equal(loads.releaseAll(replica.state), true);
    assert.equal(replica.state.waiting.at(1).id, 2);
    assert.equal(loads.count, 0);
    assert.equal(remoteKvLoadPasses(false), 2);
  });
});

describe("vLLM's disaggregated decode pulls the KV before it schedules the request", () => {
  const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
  const config = (overlap: boolean): SimulationConfigInput => ({
    model: 'llama-3.1-8b',
    hardware: 'h100-sxm',
    engine: { id: 'vllm' },
    deployment: {
      kind: 'disaggregated',
      prefill: { plan, scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
      decode: { plan, scheduler: { policy: 'vllm-v1', maxModelLen: 8192 }, overlapScheduling: overlap },
      kvLink: { bytesPerSecond: 400e9, latencySeconds: 1e-5 },
    },
  });
  // The first request lands on an idle decode replica and keeps it decoding; the second lands mid-step.
  const two = {
    source: 'two requests',
    hashBlockTokens: 512,
    requests: [
      { arrival: 0, promptTokens: 1024, outputTokens: 400 },
      { arrival: 0.2, promptTokens: 1024, outputTokens: 4 },
    ],
  };

  // Its KV lands 0.92 of a decode step before the step under way ends (the runs are deterministic):
  // without the pull it would join the next step (step by step: 0.92 step later than the first
  // request, which landed on an idle replica; async: one held step more, 2.1).
  for (const [overlap, least, most] of [
    [false, 1.5, 2.5],
    [true, 3, 5],
  ] as const) {
    it(`${overlap ? 'async' : 'step-by-step'} scheduling: ${overlap ? 'two steps' : 'a step'} later than an arrival`, () => {
      const run = simulate(config(overlap), two);
      assert.equal(run.requests.completed, 2);
      const step = run.tpot!.mean;
      // Same prompt, same idle prefill replica and link: the TTFTs differ only on the decode side.
      const extra = (run.ttft!.max - run.ttft!.min) / step;
      assert.ok(extra > least && extra < most, `extra ${extra} steps`);
    });
  }
});
