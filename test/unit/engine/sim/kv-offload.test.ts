import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (scheduler: Record<string, unknown>): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: {
      plan,
      scheduler: { policy: 'vllm-v1', maxModelLen: 32768, gpuMemoryUtilization: 0.3, ...scheduler },
    },
  },
});

describe('KV offload in the simulator', () => {
  // Sessions whose think time outlasts their prefix in a small GPU cache.
  const w = loadWorkload(
    'poisson:rate=0.5,n=600,prompt=lognormal(600,0.4),output=fixed(150),system=1000,turns=fixed(5),think=fixed(120)',
    { seed: 3 },
  );

  it('hits prefixes evicted from the GPU in host memory: a higher hit rate, fewer prefilled tokens', () => {
    const gpuOnly = simulate(config({}), w);
    const offload = simulate(config({ kvOffloadBytes: 64 * 1024 ** 3 }), w);
    assert.equal(gpuOnly.prefixCache!.hostHitTokens, undefined);
    assert.ok(offload.prefixCache!.hostHitTokens! > 0);
    assert.ok(
      offload.prefixCache!.hitRate > gpuOnly.prefixCache!.hitRate + 0.05,
      `${offload.prefixCache!.hitRate} vs ${gpuOnly.prefixCache!.hitRate}`,
    );
    assert.equal(offload.resolvedSchedulers?.mixed.kvOffloadBytes, 64 * 1024 ** 3);
  });

  it('pins a session turn’s prefix for its next turn: more of it hits, and nothing starves', () => {
    const sessions = loadWorkload(
      'poisson:rate=0.1,n=300,prompt=lognormal(600,0.4),output=fixed(150),system=1000,turns=fixed(5),think=fixed(120)',
      { seed: 3 },
    );
    const unpinned = simulate(config({}), sessions);
    const pinned = simulate(config({ kvPinSeconds: 150 }), sessions);
    assert.equal(pinned.requests.completed, sessions.requests.length);
    assert.ok(
      pinned.prefixCache!.hitRate > unpinned.prefixCache!.hitRate + 0.05,
      `${pinned.prefixCache!.hitRate} vs ${unpinned.prefixCache!.hitRate}`,
    );
    assert.ok(pinned.ttft!.p99 < unpinned.ttft!.p99 * 1.5, 'pins never hold admission back');
    // A pin shorter than the think time is gone before the next turn: the run is the same as without.
    const short = simulate(config({ kvPinSeconds: 10 }), sessions);
    assert.equal(short.prefixCache!.hitTokens, unpinned.prefixCache!.hitTokens);
  });

  it('refuses offload without prefix caching', () => {
    assert.throws(
      () => simulate(config({ kvOffloadBytes: 1e9, enablePrefixCaching: false }), w),
      /KV offload to host memory .* needs prefix caching/,
    );
  });
});
