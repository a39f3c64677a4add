import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan } from '../../../../src/engine/memory/plan.js';
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
const config = (p: Plan, attentionDpBalanceIters = 0): SimulationConfigInput => ({
  model: 'qwen3-30b-a3b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: { plan: p, scheduler: { policy: 'vllm-v1', maxModelLen: 32768, attentionDpBalanceIters } },
  },
  router: 'round-robin',
});

/** One request decoding on the first rank; a second, `prompt` tokens long, arriving on the second. */
function twoRanks(prompt: number): Workload {
  return {
    source: 'two ranks',
    hashBlockTokens: 512,
    requests: [
      { arrival: 0, promptTokens: 64, outputTokens: 200 },
      { arrival: 0.02, promptTokens: prompt, outputTokens: 1 },
    ],
  };
}

describe('attention DP with EP: the EP group steps in lockstep', () => {
  it("another rank's long prefill stalls this rank's decodes, as the MoE all-to-all joins them", () => {
    const short = simulate(config(plan(1, 2, 2)), twoRanks(64));
    const long = simulate(config(plan(1, 2, 2)), twoRanks(24000));
    // Only the first request has inter-token gaps: its longest grows by the other rank's prefill steps.
    assert.ok(long.itl!.max > 5 * short.itl!.max, `${long.itl!.max} vs ${short.itl!.max}`);
    // Replicas that share nothing (DP without EP over them) do not wait for each other.
    const apart = simulate(config(plan(1, 2, 1)), twoRanks(24000));
    const apartShort = simulate(config(plan(1, 2, 1)), twoRanks(64));
    assert.ok(apart.itl!.max < 1.5 * apartShort.itl!.max, `${apart.itl!.max} vs ${apartShort.itl!.max}`);
  });

  it('every request finishes once and the tokens out are the tokens asked', () => {
    const requests = Array.from({ length: 64 }, (_, i) => ({
      arrival: i * 0.01,
      promptTokens: 200 + 37 * (i % 11),
      outputTokens: 20 + (i % 7),
    }));
    const summary = simulate(config(plan(1, 4, 4)), { source: 'mixed', hashBlockTokens: 512, requests });
    assert.equal(summary.requests.completed, 64);
    assert.equal(
      summary.tokens.output,
      requests.reduce((sum, r) => sum + r.outputTokens, 0),
    );
  });

  it("TensorRT-LLM's balancing holds a rank's new prompt until every rank has one, or the timeout", () => {
    // Two ranks decode; a third request arrives on the first rank alone, later a pair on both ranks.
    const decoding = { promptTokens: 64, outputTokens: 400 };
    const lone: Workload = {
      source: 'lone prompt',
      hashBlockTokens: 512,
      requests: [
        { arrival: 0, ...decoding },
        { arrival: 0, ...decoding },
        { arrival: 0.05, promptTokens: 512, outputTokens: 2 },
      ],
    };
    const held = simulate(config(plan(1, 2, 2), 40), lone);
    const free = simulate(config(plan(1, 2, 2)), lone);
    // The lone prompt waits up to 40 steps (one decode step is a few milliseconds) for a partner.
    assert.ok(held.ttft!.max > 20 * free.itl!.p50, `${held.ttft!.max} vs step ${free.itl!.p50}`);
    assert.ok(free.ttft!.max < 5 * free.itl!.p50 + free.ttft!.min, `${free.ttft!.max}`);
    const pair: Workload = {
      ...lone,
      requests: [
        ...lone.requests.slice(0, 2),
        ...[0.05, 0.05].map((arrival) => ({ arrival, promptTokens: 512, outputTokens: 2 })),
      ],
    };
    // Prompts on every rank start at once.
    const together = simulate(config(plan(1, 2, 2), 40), pair);
    assert.ok(together.ttft!.max < held.ttft!.max / 4, `${together.ttft!.max} vs ${held.ttft!.max}`);
  });
});
