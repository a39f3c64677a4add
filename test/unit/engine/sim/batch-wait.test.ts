import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (batchWaitIters?: number, ratio = 0.8): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  engine: { id: 'trtllm' },
  deployment: {
    kind: 'colocated',
    pool: {
      plan,
      scheduler: {
        policy: 'orca',
        maxModelLen: 16384,
        maxNumBatchedTokens: 8192,
        ...(batchWaitIters === undefined ? {} : { batchWaitIters, batchWaitTokensRatio: ratio }),
      },
    },
  },
});

// One request decoding alone from t = 0; a second arriving 0.3 s later, well into its decode.
const two = (secondPrompt: number): Workload => ({
  source: 'two requests',
  hashBlockTokens: 512,
  requests: [
    { arrival: 0, promptTokens: 512, outputTokens: 2000 },
    { arrival: 0.3, promptTokens: secondPrompt, outputTokens: 4 },
  ],
});

describe("TensorRT-LLM's batch waiting", () => {
  const every = simulate(config(), two(512));
  const step = every.tpot!.mean;

  it('a prompt arriving while the engine decodes waits the timeout in decode steps', () => {
    const forty = simulate(config(40), two(512));
    // The first found nothing decoding: no wait. The second's 512 tokens stay under 0.8 × 8192, so it
    // waits the whole 40 steps (decode steps of one request; its own prefill is not among them).
    assert.ok(Math.abs(forty.ttft!.min - every.ttft!.min) < 1e-9);
    const extra = forty.ttft!.max - every.ttft!.max;
    assert.ok(extra > 35 * step && extra < 45 * step, `extra ${extra} s, step ${step} s`);
  });

  it('a prompt that fills the ratio of the token budget does not wait', () => {
    const big = simulate(config(), two(7000));
    const forty = simulate(config(40), two(7000));
    assert.ok(Math.abs(forty.ttft!.max - big.ttft!.max) < 1e-9);
  });

  it('a ratio of 0 ends every wait at once', () => {
    const zero = simulate(config(40, 0), two(512));
    assert.ok(Math.abs(zero.ttft!.max - every.ttft!.max) < 1e-9);
  });

  it('at a closed loop of decoding clients every new prompt waits part of the timeout', () => {
    const loop: Workload = {
      source: 'closed loop',
      hashBlockTokens: 512,
      requests: Array.from({ length: 160 }, (_, i) => ({
        arrival: 0,
        promptTokens: 1024,
        outputTokens: 100 + ((i * 37) % 60),
      })),
    };
    const at = (iters?: number) =>
      simulate(config(iters), loop, { closedLoop: { concurrency: 16, frontendSeconds: 0 } });
    const base = at();
    const forty = at(40);
    const extra = forty.ttft!.mean - base.ttft!.mean;
    const decodeStep = base.tpot!.mean;
    assert.ok(extra > 5 * decodeStep && extra < 40 * decodeStep, `extra ${extra} s, step ${decodeStep} s`);
  });
});
