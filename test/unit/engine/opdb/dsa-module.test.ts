import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadShippedOpTables } from '../../../../src/engine/opdb/shipped.js';

const glm5 = { architecture: 'GlmMoeDsaForCausalLM', gemmDtype: 'fp8_block', kvCacheDtype: 'fp8', heads: 8 };

describe('the DeepSeek Sparse Attention module tables', () => {
  const tables = loadShippedOpTables('b200_sxm', 'sglang');

  it('ship SGLang’s measured decode module, without the rows that skip the indexer', () => {
    // zai-org/GLM-5-FP8, TP8, batch 4, step 1024 after a 1-token prompt: 0.0684 ms with the indexer.
    const time = tables.dsaGenerationModule({ ...glm5, batch: 4, context: 1025 });
    assert.equal(time?.source.how, 'measured');
    assert.ok(Math.abs((time?.seconds ?? 0) / 0.0684e-3 - 1) < 0.01, `${time?.seconds}`);
  });

  it('ship the prefill module of prompts without a cached prefix', () => {
    // The indexer path at 8192 tokens (batch 1, no prefix): 2.3463 ms.
    const time = tables.dsaContextModule({ ...glm5, batch: 1, isl: 8192 });
    assert.equal(time?.source.how, 'measured');
    assert.match(time?.source.kernels.join() ?? '', /sglang_dsa_indexer_trtllm/);
    assert.ok(Math.abs((time?.seconds ?? 0) / 2.3463e-3 - 1) < 0.01, `${time?.seconds}`);
  });

  it('mark another architecture as not measured', () => {
    const time = tables.dsaGenerationModule({
      ...glm5,
      architecture: 'SomethingElse',
      batch: 4,
      context: 1025,
    });
    assert.notEqual(time?.source.how, 'measured');
  });
});
