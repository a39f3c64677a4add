import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { weightLayoutOf } from '../../../../src/engine/model/checkpoint.js';
import { qUpProjectionFormat } from '../../../../src/engine/perf/q-up-projection.js';
import { servingEngineFor } from '../../../../src/engine/perf/serving-engine.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const r1 = getModel('deepseek-r1');
const sglang = (fp8QBProj: boolean) => servingEngineFor({ id: 'sglang' }, { fp8QBProj });

describe('SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN: q_b_proj in block-scaled fp8', () => {
  it('applies to an NVFP4 checkpoint whose MLA projections are 16-bit, only where set, only in SGLang', () => {
    const nvfp4 = weightLayoutOf(r1, 'nvfp4');
    assert.deepEqual(qUpProjectionFormat(sglang(true), nvfp4), { dtype: 'fp8', groupSize: 128 * 128 });
    assert.equal(qUpProjectionFormat(sglang(false), nvfp4), undefined);
    // DeepSeek's own fp8 checkpoint already stores q_b_proj in that format.
    assert.equal(qUpProjectionFormat(sglang(true), weightLayoutOf(r1, 'fp8')), undefined);
    assert.throws(() => servingEngineFor({ id: 'vllm' }, { fp8QBProj: true }), /SGLang's/);
  });

  it('prices q_b_proj with fp8 weights (half the bytes of bf16) and leaves the other projections 16-bit', () => {
    const plan: Plan = { tp: 1, pp: 1, dp: 8, ep: 8, weightDtype: 'nvfp4', kvDtype: 'fp8' };
    const bytesOf = (fp8QBProj: boolean) => {
      const model = compileStepModel(r1, getHardware('gb200'), plan, { engine: sglang(fp8QBProj) });
      const batch = createBatchShape();
      addUniformDecodes(batch, 8 * 32, 1000);
      return new Map(model.breakdown(batch).map((e) => [e.name, e]));
    };
    const bf16 = bytesOf(false);
    const fp8 = bytesOf(true);
    const qB = (m: typeof bf16) => m.get('q_b_proj');
    assert.ok(qB(bf16) && qB(fp8));
    // 1536 × 128 × 192 weights: 2 bytes each in bf16, 1 (+ a scale per 128 × 128 block) in fp8.
    const weights = 1536 * 128 * 192;
    assert.ok(qB(bf16)!.bytes - qB(fp8)!.bytes > 0.99 * weights, `${qB(bf16)!.bytes} vs ${qB(fp8)!.bytes}`);
    assert.equal(fp8.get('qkv_a_proj')?.bytes, bf16.get('qkv_a_proj')?.bytes);
  });
});
