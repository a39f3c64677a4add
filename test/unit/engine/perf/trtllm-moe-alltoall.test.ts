import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { NVFP4_DISPATCH_BYTES_PER_VALUE } from '../../../../src/engine/perf/deepep.js';
import { addPrefillChunk, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';
import {
  distinctRanksPerToken,
  trtllmAllToAllBytes,
  trtllmDispatchBytesPerValue,
} from '../../../../src/engine/perf/trtllm-moe-alltoall.js';

const deepseek = getModel('deepseek-v3');

describe("TensorRT-LLM's attention-DP MoE all-to-all", () => {
  it('sends a token once to each rank holding one of its experts, not once per expert', () => {
    // 8 of 256 experts: over 2 ranks almost always both (1 − 2·C(128,8)/C(256,8)), over 4 about 3.6.
    assert.ok(
      Math.abs(distinctRanksPerToken(256, 8, 2) - 1.9929) < 1e-3,
      `${distinctRanksPerToken(256, 8, 2)}`,
    );
    assert.ok(
      Math.abs(distinctRanksPerToken(256, 8, 4) - 3.6134) < 1e-3,
      `${distinctRanksPerToken(256, 8, 4)}`,
    );
    // Never more ranks than the token's experts, nor than the group has.
    assert.ok(distinctRanksPerToken(256, 8, 256) <= 8 + 1e-9);
    assert.ok(distinctRanksPerToken(256, 8, 32) < 8 && distinctRanksPerToken(256, 8, 32) > 7);
    assert.equal(distinctRanksPerToken(256, 8, 1), 1);
  });

  it('dispatches nvfp4 experts post-quantization (0.5625 bytes a value) and combines in BF16', () => {
    assert.equal(trtllmDispatchBytesPerValue('nvfp4'), NVFP4_DISPATCH_BYTES_PER_VALUE);
    assert.equal(trtllmDispatchBytesPerValue('fp8'), 2);
    const bytes = trtllmAllToAllBytes({
      tokens: 8192,
      hidden: 7168,
      experts: 256,
      topK: 8,
      tp: 1,
      ep: 2,
      imbalance: 1,
      weightDtype: 'nvfp4',
    });
    const copies = 8192 * distinctRanksPerToken(256, 8, 2);
    assert.ok(Math.abs(bytes.dispatch - copies * 7168 * 0.5625) < 1);
    assert.ok(Math.abs(bytes.combine - copies * 7168 * 2) < 1);
  });

  it('prices the step of a TensorRT-LLM attention-DP prefill with those bytes; other engines keep top-k copies', () => {
    const plan: Plan = { tp: 1, pp: 1, dp: 2, ep: 2, weightDtype: 'nvfp4', kvDtype: 'fp8' };
    const opsOf = (engine: 'trtllm' | 'sglang') => {
      const model = compileStepModel(deepseek, getHardware('gb300'), plan, { engine: { id: engine } });
      const batch = createBatchShape();
      addPrefillChunk(batch, 8192, 0, true);
      return new Map(model.breakdown(batch).map((e) => [e.name, e]));
    };
    const trt = opsOf('trtllm');
    const sglang = opsOf('sglang');
    const dispatch = trt.get('ep_dispatch')!;
    const combine = trt.get('ep_combine')!;
    // Per layer: 8192 tokens × ~1.99 ranks × 7168 values, 0.5625 bytes out and 2 bytes back.
    assert.ok(Math.abs(dispatch.bytes - 8192 * distinctRanksPerToken(256, 8, 2) * 7168 * 0.5625) < 1);
    assert.ok(combine.bytes > 3 * dispatch.bytes && combine.seconds > dispatch.seconds);
    // The other engines' NCCL path sends each of the 8 routed copies in BF16.
    assert.equal(sglang.get('ep_dispatch')!.bytes, 8192 * 8 * 7168 * 2);
    assert.ok(combine.seconds < 0.5 * sglang.get('ep_combine')!.seconds);
  });
});
