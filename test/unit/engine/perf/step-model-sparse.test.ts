import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { ModelSpec } from '../../../../src/engine/model/spec.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const b200 = getHardware('b200');
const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
const glm5 = getModel('glm-5');
/** GLM-5 as if its attention were dense MLA: the same model without the indexer and top-k. */
const denseGlm5 = ModelSpec.parse({ ...glm5, id: 'glm-5-dense', sparseAttention: undefined });

function decodes(count: number, context: number) {
  const shape = createBatchShape();
  addUniformDecodes(shape, count, context);
  return shape;
}

describe('step model: DeepSeek Sparse Attention (GLM-5)', () => {
  const sparse = compileStepModel(glm5, b200, plan);
  const dense = compileStepModel(denseGlm5, b200, plan);

  it('decode attention past top-k grows with the indexer only, far slower than dense MLA', () => {
    const at = (model: typeof sparse, context: number) => model.decodeAttentionSeconds(decodes(64, context));
    const sparseGrowth = at(sparse, 32768) - at(sparse, 8192);
    const denseGrowth = at(dense, 32768) - at(dense, 8192);
    assert.ok(sparseGrowth > 0, 'the indexer reads every key');
    assert.ok(sparseGrowth < denseGrowth / 2, `sparse +${sparseGrowth}s, dense +${denseGrowth}s`);
  });

  it('costs more than dense MLA below top-k, where the indexer is pure extra work', () => {
    const shape = decodes(64, 1024);
    assert.ok(sparse.decodeAttentionSeconds(shape) > dense.decodeAttentionSeconds(shape));
  });

  it('prefills a chunk deep in a long prompt faster than dense MLA would', () => {
    const shape = createBatchShape();
    addPrefillChunk(shape, 8192, 24576, true);
    assert.ok(sparse.prefillAttentionSeconds(shape) < dense.prefillAttentionSeconds(shape));
  });

  it('names the sparse layers in the breakdown', () => {
    const groups = new Set(sparse.breakdown(decodes(8, 4096)).map((e) => e.group));
    assert.ok(groups.has('sparse MLA top-2048 · MoE top-8 of 256 + shared'), [...groups].join('; '));
  });
});
