import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { kvUseText } from '../../../../src/engine/sim/kv-use.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';

const config = (enablePrefixCaching: boolean): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      scheduler: { policy: 'vllm-v1', maxModelLen: 8192, enablePrefixCaching },
    },
  },
});
const spec = 'poisson:rate=5,prompt=lognormal(2000,0.5),output=lognormal(100,0.5),n=1000,max=8000';
const workload = generateWorkload(parseWorkloadSpec(spec), 1, spec);

describe('KV cache use', () => {
  it('counts the prefix cache’s evictable blocks apart from the blocks in use', () => {
    const s = simulate(config(true), workload);
    const used = s.kvUtilization?.mean ?? 0;
    const cached = s.kvCached?.mean ?? 0;
    assert.ok(cached > used, `finished prompts stay cached: ${cached} cached, ${used} used`);
    assert.ok(used + cached <= 1 + 1e-9);
    const text = kvUseText(s);
    assert.match(
      text,
      /^KV cache: used mean [\d.]+% \(peak [\d.]+%\), cached \(evictable\) mean [\d.]+%, free mean [\d.]+%$/,
    );
  });

  it('has no cached blocks without prefix caching', () => {
    const s = simulate(config(false), workload);
    assert.equal(s.kvCached?.mean, 0);
  });
});
