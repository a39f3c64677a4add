import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { weightLayoutOf } from '../../../../src/engine/model/checkpoint.js';
import { layerCosts, lmHeadCost, type OpCost } from '../../../../src/engine/model/cost.js';
import { weightBytesPerParam } from '../../../../src/engine/model/dtypes.js';
import { layerGeometry } from '../../../../src/engine/model/geometry.js';
import type { ModelSpec } from '../../../../src/engine/model/spec.js';

/** One decode layer's ops at `layer`, priced in the plan dtype's layout (WeightLayout). */
function ops(
  model: ModelSpec,
  dtype: 'mxfp4' | 'int4' | 'fp8' | 'nvfp4',
  layer: number,
): Map<string, OpCost> {
  const layout = weightLayoutOf(model, dtype);
  const formats = { weight: layout.format, quantized: layout.quantized, kv: 'bf16' as const };
  const costs = layerCosts(model, layerGeometry(model, layer), formats, [{ tokens: 1, context: 100 }]);
  return new Map(costs.map((op) => [op.name, op]));
}

describe('linear weights priced in the format of the part they belong to', () => {
  it("gpt-oss's mxfp4 checkpoint: 16-bit attention, mxfp4 routed experts, 16-bit router", () => {
    const gptOss = getModel('gpt-oss-120b');
    const layer = ops(gptOss, 'mxfp4', 0);
    const qkv = layer.get('qkv_proj')!;
    assert.deepEqual(qkv.weight, { dtype: 'bf16' });
    const { n, k } = qkv.gemm!;
    assert.equal(qkv.bytes, n * k * 2 + (n + k) * 2);
    assert.deepEqual(layer.get('o_proj')!.weight, { dtype: 'bf16' });
    assert.deepEqual(layer.get('router')!.weight, { dtype: 'bf16' });
    assert.equal(layer.get('experts_gate_up')!.weight?.dtype, 'mxfp4');
    assert.equal(lmHeadCost(gptOss, 1).weight?.dtype, 'bf16');
  });

  it("Kimi-K2.5's int4 checkpoint quantizes only the routed experts: attention, dense FFN and shared experts stay 16-bit", () => {
    const kimi = getModel('kimi-k2.5');
    assert.deepEqual(kimi.checkpointFormat?.quantized, ['experts']);
    const dense = ops(kimi, 'int4', 0);
    const moe = ops(kimi, 'int4', 1);
    for (const name of ['qkv_a_proj', 'q_b_proj', 'o_proj', 'gate_up_proj', 'down_proj'])
      assert.deepEqual(dense.get(name)!.weight, { dtype: 'bf16' }, name);
    assert.deepEqual(moe.get('shared_experts')!.weight, { dtype: 'bf16' });
    assert.deepEqual(moe.get('experts_gate_up')!.weight, { dtype: 'int4', groupSize: 32 });
  });

  it('a plan re-quantizing the checkpoint (fp8 Kimi-K2 as int4, Llama as fp8) applies its dtype to every decoder linear layer', () => {
    const kimiK2 = getModel('kimi-k2');
    assert.equal(kimiK2.checkpointFormat?.dtype, 'fp8');
    const requantized = ops(kimiK2, 'int4', 1);
    for (const name of ['qkv_a_proj', 'o_proj', 'shared_experts', 'experts_gate_up'])
      assert.deepEqual(requantized.get(name)!.weight, { dtype: 'int4' }, name);
    const llama = ops(getModel('llama-3.1-8b'), 'fp8', 0);
    const qkv = llama.get('qkv_proj')!;
    assert.deepEqual(qkv.weight, { dtype: 'fp8' });
    assert.equal(
      qkv.bytes,
      qkv.gemm!.n * qkv.gemm!.k * weightBytesPerParam('fp8') + (qkv.gemm!.n + qkv.gemm!.k) * 2,
    );
  });

  it("a DeepSeek-R1 nvfp4 plan loads NVIDIA's NVFP4 checkpoint: MLA's input projections 16-bit, the rest nvfp4", () => {
    const r1 = getModel('deepseek-r1');
    assert.equal(r1.checkpointFormat?.dtype, 'fp8');
    const dense = ops(r1, 'nvfp4', 0);
    const moe = ops(r1, 'nvfp4', 3);
    // ModelOpt's DeepSeek recipe leaves `*attn*` unquantized; its -v2 checkpoints quantize wo (o_proj).
    for (const name of ['qkv_a_proj', 'q_b_proj'])
      assert.deepEqual(moe.get(name)!.weight, { dtype: 'bf16' }, name);
    assert.deepEqual(moe.get('o_proj')!.weight, { dtype: 'nvfp4' });
    assert.deepEqual(dense.get('gate_up_proj')!.weight, { dtype: 'nvfp4' });
    assert.deepEqual(moe.get('shared_experts')!.weight, { dtype: 'nvfp4' });
    assert.deepEqual(moe.get('experts_gate_up')!.weight, { dtype: 'nvfp4' });
    // NVIDIA's V3-0324 checkpoint predates the -v2 recipe: its o_proj stays 16-bit.
    assert.deepEqual(ops(getModel('deepseek-v3'), 'nvfp4', 3).get('o_proj')!.weight, { dtype: 'bf16' });
    // Its fp8 plan is still DeepSeek's own checkpoint, every decoder linear layer in fp8.
    assert.equal(ops(r1, 'fp8', 3).get('qkv_a_proj')!.weight?.dtype, 'fp8');
  });
});
