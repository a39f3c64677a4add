import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { VLLM_MXFP4_LAYOUTS } from '../../../../src/engine/perf/expert-weight-layout.js';
import { feasibleReplicaShapes, searchExpertLayout } from '../../../../src/engine/search/space.js';

const model = getModel('gpt-oss-120b');
const hardware = getHardware('h100-sxm');
const mxfp4 = { weightDtype: 'mxfp4' as const };

describe("the search sizes plans with its engine's layout of the weights", () => {
  it("takes the engine and the launch's MoE backend", () => {
    assert.equal(searchExpertLayout({ model, hardware, engine: 'vllm' }, mxfp4), VLLM_MXFP4_LAYOUTS.triton);
    assert.equal(
      searchExpertLayout({ model, hardware, engine: 'vllm', moeBackend: 'marlin' }, mxfp4),
      VLLM_MXFP4_LAYOUTS.marlin,
    );
    assert.equal(searchExpertLayout({ model, hardware, engine: 'sglang' }, mxfp4), undefined);
  });

  it('prunes a plan whose KV cache the layout leaves short of one sequence', () => {
    // The longest sequence one H200 holds at the search's most generous settings: shorter under vLLM's
    // layout than under SGLang, which holds the checkpoint's bytes; one token more prunes the plan.
    const h200 = getHardware('h200');
    const shapes = (engine: 'vllm' | 'sglang', maxSequenceTokens: number) =>
      feasibleReplicaShapes(
        {
          model,
          hardware: h200,
          gpus: 1,
          engine,
          maxSequenceTokens,
          allowQuantization: false,
          disaggregation: false,
        },
        1,
      );
    const fitsAt = (engine: 'vllm' | 'sglang') => {
      let low = 1;
      let high = 1 << 24;
      while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (shapes(engine, mid).shapes.length > 0) low = mid;
        else high = mid;
      }
      return low;
    };
    const vllm = fitsAt('vllm');
    const sglang = fitsAt('sglang');
    assert.ok(vllm < sglang, `vLLM holds ${vllm} tokens, SGLang ${sglang}`);
    const pruned = shapes('vllm', vllm + 1).pruned;
    assert.ok(pruned.some((p) => p.reason === 'memory'));
  });
});
