// Without chunked prefill a step must hold what a request computes at once: under Orca (which never
// preempts) its prompt, as TensorRT-LLM checks it; under a policy that may preempt and recompute, the
// prompt and the output together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (policy: 'orca' | 'vllm-v0'): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: { plan, scheduler: { policy, maxModelLen: 4096, maxNumBatchedTokens: 1024 } },
  },
});

// A prompt within the step budget whose output takes the request past it.
const workload: Workload = {
  source: 'prompt within the budget, prompt + output beyond it',
  hashBlockTokens: 512,
  requests: [{ arrival: 0, promptTokens: 900, outputTokens: 400 }],
};

describe('the step budget a request must fit without chunked prefill', () => {
  it('Orca serves a request whose prompt fits the budget, whatever its output', () => {
    const run = simulate(config('orca'), workload);
    assert.equal(run.requests.failed, 0);
    assert.equal(run.requests.completed, 1);
  });

  it('a policy that recomputes preempted requests needs the prompt and output to fit', () => {
    const run = simulate(config('vllm-v0'), workload);
    assert.equal(run.requests.completed, 0);
    assert.equal(run.requests.failed, 1);
  });
});
