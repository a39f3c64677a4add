import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { roomRank, routesPrefillByRoom } from '../../../../src/engine/sim/bootstrap-room.js';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const plan = (tp: number, dp: number, ep: number): Plan => ({
  tp,
  pp: 1,
  dp,
  ep,
  weightDtype: 'fp8',
  kvDtype: 'fp8',
});

/** An SGLang prefill server of four attention-DP ranks over EP 4, and one decode replica. */
const disaggregated = (seed: number): SimulationConfigInput => ({
  model: 'qwen3-30b-a3b',
  hardware: 'h100-sxm',
  engine: { id: 'sglang', version: '0.5.8' },
  deployment: {
    kind: 'disaggregated',
    prefill: { plan: plan(1, 4, 4), scheduler: { policy: 'sglang', maxModelLen: 16384 } },
    decode: { plan: plan(2, 1, 1), scheduler: { policy: 'sglang', maxModelLen: 16384 } },
  },
  router: 'round-robin',
  seed,
});

/** Four long prompts at once: the busiest rank sets how many lockstep prefill steps they take. */
const burst: Workload = {
  source: 'burst',
  hashBlockTokens: 512,
  requests: Array.from({ length: 4 }, () => ({ arrival: 0, promptTokens: 12000, outputTokens: 2 })),
};

describe("SGLang's disaggregated prefill picks the attention-DP rank by the request's bootstrap room", () => {
  it('is SGLang prefill pools of disaggregated deployments only', () => {
    assert.equal(routesPrefillByRoom({ id: 'sglang' } as never, 'prefill', true), true);
    assert.equal(routesPrefillByRoom({ id: 'sglang' } as never, 'decode', true), false);
    assert.equal(routesPrefillByRoom({ id: 'sglang' } as never, 'mixed', false), false);
    assert.equal(routesPrefillByRoom({ id: 'trtllm' } as never, 'prefill', true), false);
    assert.equal(routesPrefillByRoom(undefined, 'prefill', true), false);
  });

  it('a room is a fixed, even draw over the ranks, not a turn', () => {
    const counts = new Array<number>(8).fill(0);
    for (let id = 0; id < 80_000; id++) counts[roomRank(id, 0, 8)]++;
    for (const c of counts) assert.ok(Math.abs(c - 10_000) < 400, `rank share ${c} of 80000`);
    assert.equal(roomRank(12345, 3, 8), roomRank(12345, 3, 8), 'the same request, the same rank');
    const firstEight = Array.from({ length: 8 }, (_, id) => roomRank(id, 0, 8));
    assert.notDeepEqual(firstEight, [0, 1, 2, 3, 4, 5, 6, 7], 'not round-robin');
    assert.ok(new Set(firstEight).size < 8, 'eight requests leave some rank without one');
  });

  it('rooms that land two prompts on one rank take more lockstep prefill steps', () => {
    // Seed 11 draws ranks 3, 0, 1, 2 for the four requests; seed 0 draws 2, 3, 3, 3.
    assert.deepEqual([0, 1, 2, 3].map((id) => roomRank(id, 11, 4)).sort(), [0, 1, 2, 3]);
    assert.deepEqual(
      [0, 1, 2, 3].map((id) => roomRank(id, 0, 4)),
      [2, 3, 3, 3],
    );
    const spread = simulate(disaggregated(11), burst);
    const piled = simulate(disaggregated(0), burst);
    assert.equal(spread.requests.completed, 4);
    assert.equal(piled.requests.completed, 4);
    assert.ok(
      piled.ttft!.max > 1.4 * spread.ttft!.max,
      `last first token ${piled.ttft!.max} s against ${spread.ttft!.max} s with one prompt a rank`,
    );
  });
});
