// FlashMLA's sparse prefill under vLLM and SGLang computes a multiple of 64 (Hopper) or 128 (Blackwell)
// query heads per GPU: a TP-sharded DSA model's few heads per GPU are padded up to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { OpTables } from '../../../../src/engine/opdb/op-tables.js';
import type { ServingEngineInput } from '../../../../src/engine/perf/serving-engine.js';
import { addPrefillChunk, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { paddedSparsePrefill, sparsePrefillPadding } from '../../../../src/engine/perf/sparse-mla-padding.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const glm5 = getModel('glm-5');
const tp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'bf16' };

/**
 * GLM-5's prefill attention under `engine`, with no measured tables (a measured DSA module holds the
 * engine's own padding already): the roofline path the padding applies to.
 */
function prefillAttention(engine: ServingEngineInput, hardware: string, tokens: number): number {
  const shape = createBatchShape(glm5.slidingWindow);
  addPrefillChunk(shape, tokens, 0, true);
  const measuredTables = new OpTables(`${hardware}_sxm`, engine.id, {});
  const model = compileStepModel(glm5, getHardware(hardware), tp8, { engine, measuredTables });
  const entry = model.breakdown(shape).find((e) => e.name === 'attention_prefill');
  assert.ok(entry);
  return entry.seconds;
}

describe('sparse MLA prefill head padding', () => {
  it('rounds heads per GPU up to 64 on Hopper and 128 on Blackwell, in vLLM and SGLang only', () => {
    assert.equal(sparsePrefillPadding('sglang', 'nvidia-hopper', 8), 8);
    assert.equal(sparsePrefillPadding('vllm', 'nvidia-blackwell', 8), 16);
    assert.equal(sparsePrefillPadding('sglang', 'nvidia-hopper', 64), 1);
    assert.equal(sparsePrefillPadding('sglang', 'nvidia-hopper', 96), 128 / 96);
    assert.equal(sparsePrefillPadding('trtllm', 'nvidia-hopper', 8), 1);
    assert.equal(sparsePrefillPadding(undefined, 'nvidia-hopper', 8), 1);
    assert.equal(sparsePrefillPadding('vllm', 'nvidia-ampere', 8), 1);
  });

  it("scales each pair's FLOPs and each query's bytes, not the latent keys read", () => {
    const path = {
      flopsPerPair: 10,
      flopsPerToken: 0,
      bytesPerToken: 7,
      bytesPerKey: 3,
      bytesPerSequence: 0,
    };
    assert.deepEqual(paddedSparsePrefill(path, 8), { ...path, flopsPerPair: 80, bytesPerToken: 3 + 4 * 8 });
    assert.equal(paddedSparsePrefill(path, 1), path);
  });

  it("prices GLM-5's 8k-token prefill attention at TP 8 with the padded heads (SGLang against TensorRT-LLM)", () => {
    for (const [hardware, low, high] of [
      ['h200', 4, 9],
      ['b200', 8, 17],
    ] as const) {
      const padded = prefillAttention({ id: 'sglang' }, hardware, 8192);
      const plain = prefillAttention({ id: 'trtllm' }, hardware, 8192);
      const ratio = padded / plain;
      assert.ok(ratio > low && ratio < high, `${hardware}: ${ratio}`);
    }
  });

  it('keeps a prefill within the top-k unpadded (SGLang runs it as dense MHA)', () => {
    assert.equal(
      prefillAttention({ id: 'sglang' }, 'h200', 1024),
      prefillAttention({ id: 'trtllm' }, 'h200', 1024),
    );
  });
});
