import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocatedBytes } from '../../../../bench/allocated-bytes.js';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';

// Speculative decoding draws from the seeded generator for every verified token, so a boxed number per
// draw or per committed token shows here.
const config: SimulationConfigInput = {
  model: 'llama-3.1-70b',
  hardware: 'h100-sxm',
  slo: { ttft: 1, tpot: 0.05 },
  deployment: {
    kind: 'colocated',
    pool: {
      plan: { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      scheduler: { policy: 'vllm-v1', maxModelLen: 8192 },
      speculation: { method: 'eagle', k: 3, acceptance: 0.7 },
    },
  },
};
const workload = (outputTokens: number) => {
  const spec = `constant:rate=1000,prompt=fixed(256),output=fixed(${outputTokens}),n=64`;
  return generateWorkload(parseWorkloadSpec(spec), 1, spec);
};

describe("the simulator's hot loop", () => {
  // A boxed number is 12-16 bytes; what each step allocates (its timing) adds about 5 bytes per token of
  // these 64-request batches.
  it('allocates under 10 bytes per committed token: no boxed number per token', () => {
    const short = workload(200);
    const long = workload(1000);
    // Warm: the interpreter boxes every number it computes; only optimized code can run allocation-free.
    for (let i = 0; i < 10; i++) {
      simulate(config, short);
      simulate(config, long);
    }
    let shortTokens = 0;
    let longTokens = 0;
    const shortBytes = allocatedBytes(() => {
      shortTokens = simulate(config, short).tokens.output;
    });
    const longBytes = allocatedBytes(() => {
      longTokens = simulate(config, long).tokens.output;
    });
    // The difference of two runs that differ only in output length: per token, without the set-up.
    const perToken = (longBytes - shortBytes) / (longTokens - shortTokens);
    assert.equal(longTokens - shortTokens, 64 * 800);
    assert.ok(perToken < 10, `${perToken.toFixed(2)} bytes per token`);
  });
});
