import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getModel, MODEL_CATALOG } from '../../../../src/engine/model/catalog.js';
import {
  attendedPairs,
  attentionCoefficients,
  type BatchPiece,
  DEFAULT_EXPERT_IMBALANCE,
  expectedActiveExperts,
  type LayerCostOptions,
  layerCostSetup,
  layerCosts,
  layerOpCosts,
  lmHeadCost,
  sumCosts,
  windowedKeys,
  windowedPairs,
} from '../../../../src/engine/model/cost.js';
import {
  kvBytesPerTokenPerGpu,
  kvBytesPerTokenPerReplica,
  layerGeometry,
} from '../../../../src/engine/model/geometry.js';
import { modelParams } from '../../../../src/engine/model/params.js';
import { ModelSpec } from '../../../../src/engine/model/spec.js';
import { deepseekV3, gptOss120b, qwen3MoE, qwen3Next } from '../../helpers/modern-models.js';

/** A small model whose every count can be enumerated element by element. */
const tiny = ModelSpec.parse({
  id: 'tiny',
  name: 'tiny',
  family: 'llama',
  source: 'test',
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  intermediateSize: 96,
  vocabSize: 500,
  tiedEmbeddings: false,
  qkvBias: false,
  maxContextLength: 1024,
});

const bf16 = { weight: { dtype: 'bf16' as const }, kv: 'bf16' as const };

/** Multiply-adds of y = x W for x: m×k, W: k×n, counted one output element at a time. */
function matmulFlopsByElement(m: number, k: number, n: number): number {
  let flops = 0;
  for (let row = 0; row < m; row++) for (let col = 0; col < n; col++) flops += 2 * k;
  return flops;
}

/** Causal attention FLOPs by visiting every (query, key) pair a mask allows. */
function attentionFlopsByPair(pieces: readonly BatchPiece[], heads: number, headDim: number): number {
  let flops = 0;
  for (const { tokens, context } of pieces) {
    for (let q = 0; q < tokens; q++) {
      const position = context + q;
      for (let key = 0; key <= position; key++) flops += heads * (2 * headDim + 2 * headDim); // q·k, then p·v
    }
  }
  return flops;
}

describe('parameter counts', () => {
  it('match the published sizes of the catalog models', () => {
    const expected: Record<string, number> = {
      'llama-3.1-8b': 8_030_261_248,
      'llama-3.1-70b': 70_553_706_496,
      'mixtral-8x7b': 46_702_792_704,
      'llama-2-7b': 6_738_415_616,
    };
    for (const [id, total] of Object.entries(expected))
      assert.equal(modelParams(getModel(id)).total, total, id);
    // Published rounded sizes for the rest (model cards): within 1%.
    const rounded: Record<string, number> = {
      'llama-3.1-405b': 405.8e9,
      'llama-2-70b': 68.98e9,
      'mistral-7b': 7.25e9,
      'qwen2.5-7b': 7.61e9,
      'qwen2.5-72b': 72.7e9,
    };
    for (const [id, total] of Object.entries(rounded)) {
      const ours = modelParams(getModel(id)).total;
      assert.ok(Math.abs(ours / total - 1) < 0.01, `${id}: ${ours} vs ${total}`);
    }
  });

  it('count only top-k experts as active for MoE', () => {
    const p = modelParams(getModel('mixtral-8x7b'));
    // Mixtral's card: about 12.9B active parameters per token.
    assert.ok(Math.abs(p.activePerToken / 12.9e9 - 1) < 0.01, String(p.activePerToken));
  });

  it('every catalog entry validates', () => {
    for (const model of MODEL_CATALOG) assert.ok(ModelSpec.safeParse(model).success, model.id);
  });
});

describe('FLOPs and bytes of a layer against an independent count', () => {
  const pieces: BatchPiece[] = [
    { tokens: 7, context: 5 },
    { tokens: 1, context: 30 },
    { tokens: 1, context: 0 },
    { tokens: 3, context: 0 },
  ];
  const tokens = 12;

  it('linear FLOPs equal the matmuls enumerated element by element', () => {
    const ops = new Map(layerOpCosts(tiny, bf16, pieces).map((op) => [op.name, op]));
    assert.equal(ops.get('qkv_proj')!.flops, matmulFlopsByElement(tokens, 64, (4 + 2 * 2) * 16));
    assert.equal(ops.get('o_proj')!.flops, matmulFlopsByElement(tokens, 4 * 16, 64));
    assert.equal(ops.get('gate_up_proj')!.flops, matmulFlopsByElement(tokens, 64, 2 * 96));
    assert.equal(ops.get('down_proj')!.flops, matmulFlopsByElement(tokens, 96, 64));
  });

  it('causal attention FLOPs equal the masked pairs enumerated one by one', () => {
    const attention = layerOpCosts(tiny, bf16, pieces).find((op) => op.name === 'attention')!;
    assert.equal(attention.flops, attentionFlopsByPair(pieces, 4, 16));
    // A prefill chunk after context: 7 queries see 5 + 1..7 keys.
    assert.equal(attendedPairs(7, 5), 7 * 5 + 28);
  });

  it('tensor parallel splits heads and FFN, and KV heads replicate past their count', () => {
    const tp2 = sumCosts(layerOpCosts(tiny, bf16, pieces, 2));
    const tp1 = sumCosts(layerOpCosts(tiny, bf16, pieces, 1));
    assert.ok(tp2.flops < tp1.flops && tp2.flops > tp1.flops / 2 - 1);
    const tp4 = layerOpCosts(tiny, bf16, [{ tokens: 1, context: 9 }], 4);
    const attention = tp4.find((op) => op.name === 'attention')!;
    // One head per GPU, one KV head (replicated): q read + o written, 10 keys × K,V read, 1 new K,V written.
    assert.equal(attention.bytes, 2 * 1 * 16 * 2 + 10 * (2 * 1 * 16 * 2) + 1 * (2 * 1 * 16 * 2));
  });

  it('weights are read once per step however many tokens, and KV bytes follow KV heads', () => {
    const one = new Map(layerOpCosts(tiny, bf16, [{ tokens: 1, context: 0 }]).map((op) => [op.name, op]));
    const many = new Map(
      layerOpCosts(tiny, bf16, [
        { tokens: 1, context: 0 },
        { tokens: 1, context: 0 },
      ]).map((op) => [op.name, op]),
    );
    const weightBytes = 64 * 96 * 2;
    assert.equal(one.get('down_proj')!.bytes, weightBytes + 1 * (96 + 64) * 2);
    assert.equal(many.get('down_proj')!.bytes, weightBytes + 2 * (96 + 64) * 2);
    const fp8kv = layerOpCosts(tiny, { ...bf16, kv: 'fp8' }, [{ tokens: 1, context: 99 }]).find(
      (op) => op.name === 'attention',
    )!;
    assert.equal(fp8kv.bytes, 2 * 4 * 16 * 2 + 100 * (2 * 2 * 16) + 2 * 2 * 16);
  });

  it('MoE layers read only the experts their tokens route to', () => {
    assert.equal(expectedActiveExperts(8, 2, 1), 2);
    assert.ok(Math.abs(expectedActiveExperts(8, 2, 1000) - 8) < 1e-9);
    const mixtral = getModel('mixtral-8x7b');
    const decode1 = layerOpCosts(mixtral, bf16, [{ tokens: 1, context: 100 }]).find(
      (op) => op.name === 'experts_down',
    )!;
    assert.equal(decode1.bytes, 2 * 14336 * 4096 * 2 + 2 * (14336 + 4096) * 2);
    assert.equal(decode1.flops, 2 * 2 * 14336 * 4096);
  });

  it('the LM head computes logits only for sampled tokens, vocabulary split over TP', () => {
    const head = lmHeadCost(tiny, 3, 2);
    assert.equal(head.flops, matmulFlopsByElement(3, 64, 250));
  });
});

describe('the layers of today’s models, worked by hand from their configs', () => {
  const costs = (model: ModelSpec, layer: number, pieces: BatchPiece[], options: LayerCostOptions = {}) =>
    new Map(layerCosts(model, layerGeometry(model, layer), bf16, pieces, options).map((op) => [op.name, op]));

  it('MLA decode reads the latent once per cached token, (512 + 64) × 2 bytes, on every TP rank', () => {
    for (const tp of [1, 8]) {
      const at = (context: number) =>
        costs(deepseekV3, 3, [{ tokens: 1, context }], { tp }).get('attention')!;
      assert.equal(at(4096).bytes - at(4095).bytes, (512 + 64) * 2);
      assert.equal(at(4096).bytes - at(4095).bytes, 1152);
    }
    const tp1 = layerCostSetup(deepseekV3, layerGeometry(deepseekV3, 3), bf16);
    assert.equal(attentionCoefficients(tp1).decode.bytesPerKey, 1152);
    // Prefill runs un-absorbed: it reads each head's up-projected K (nope + rope) and V instead.
    assert.equal(attentionCoefficients(tp1).prefill.bytesPerKey, 128 * (192 + 128) * 2);
  });

  it('MLA decode FLOPs per token per layer, absorbed, at 4096 keys', () => {
    const ops = costs(deepseekV3, 3, [{ tokens: 1, context: 4095 }]);
    const expected: Record<string, number> = {
      qkv_a_proj: 2 * 7168 * (1536 + 512 + 64), // q_a and kv_a (latent + rotary key) fused
      q_b_proj: 2 * 1536 * (128 * (128 + 64)),
      mla_q_absorb: 2 * 128 * 128 * 512, // q_nope × W_UK into the latent, per head
      attention: 128 * 4096 * (2 * (512 + 64) + 2 * 512), // scores over latent + rope, output in the latent
      mla_v_absorb: 2 * 128 * 512 * 128, // latent output × W_UV, per head
      o_proj: 2 * (128 * 128) * 7168,
    };
    let total = 0;
    for (const [name, flops] of Object.entries(expected)) {
      assert.equal(ops.get(name)!.flops, flops, name);
      total += flops;
    }
    assert.equal(total, 30_277_632 + 75_497_472 + 16_777_216 + 1_140_850_688 + 16_777_216 + 234_881_024);
    assert.ok(!ops.has('kv_b_proj'), 'decode does not up-project the latent');
  });

  it('MLA prefill up-projects every attended key and attends with qk 192, v 128 per head', () => {
    const ops = costs(deepseekV3, 0, [{ tokens: 1000, context: 3000 }]);
    assert.equal(ops.get('kv_b_proj')!.flops, 2 * 4000 * 512 * (128 * (128 + 128)));
    assert.equal(ops.get('attention')!.flops, 128 * (2 * 192 + 2 * 128) * (1000 * 3000 + (1000 * 1001) / 2));
    assert.ok(!ops.has('mla_q_absorb'));
    // Layer 0 is one of the three dense layers: an 18432-wide MLP, no router.
    assert.equal(ops.get('gate_up_proj')!.flops, 2 * 1000 * 2 * 7168 * 18432);
    assert.ok(!ops.has('router'));
  });

  it('gpt-oss: a sliding layer at a 10,000-token sequence attends 128 keys per query, a full one 10,000', () => {
    const kvPerKey = 2 * 8 * 64 * 2; // K and V of 8 KV heads × 64 dims, bf16
    const decode = [{ tokens: 1, context: 9999 }];
    const sliding = costs(gptOss120b, 0, decode).get('attention')!;
    const full = costs(gptOss120b, 1, decode).get('attention')!;
    assert.equal(sliding.flops, 4 * 64 * 64 * 128);
    assert.equal(full.flops, 4 * 64 * 64 * 10_000);
    const queryAndNewKv = 2 * 64 * 64 * 2 + kvPerKey;
    assert.equal(sliding.bytes, queryAndNewKv + 128 * kvPerKey);
    assert.equal(full.bytes, queryAndNewKv + 10_000 * kvPerKey);
    // A prefill chunk of 1000 from the start: query i sees min(i + 1, 128) keys.
    let pairs = 0;
    for (let i = 0; i < 1000; i++) pairs += Math.min(i + 1, 128);
    assert.equal(windowedPairs(1000, 0, 128), pairs);
    assert.equal(pairs, (128 * 129) / 2 + (1000 - 128) * 128);
    assert.equal(windowedKeys(1000, 5000, 128), 1000 + 127);
    assert.equal(windowedPairs(50, 20, 128), attendedPairs(50, 20));
  });

  it('MoE: expected active experts of 256 top-8, router, routed and shared experts', () => {
    assert.equal(expectedActiveExperts(256, 8, 1), 8);
    // 256 × (1 − (31/32)^1000): every expert, to 1e-11.
    assert.ok(Math.abs(expectedActiveExperts(256, 8, 1000) - 256) < 1e-9);
    // 256 × (1 − (31/32)^32) = 256 × (1 − 0.36205) ≈ 163.3.
    assert.ok(Math.abs(expectedActiveExperts(256, 8, 32) - 163.3) < 0.1);
    const ops = costs(deepseekV3, 3, [{ tokens: 10, context: 0 }]);
    assert.equal(ops.get('router')!.flops, 2 * 10 * 7168 * 256);
    assert.equal(ops.get('shared_experts')!.flops, 2 * 10 * 3 * 7168 * 2048);
    assert.equal(ops.get('experts_gate_up')!.flops, 2 * (10 * 8) * 2 * 7168 * 2048);
    const touched = 256 * (1 - (31 / 32) ** 10);
    assert.ok(
      Math.abs(ops.get('experts_down')!.bytes - (touched * 2048 * 7168 * 2 + 80 * (2048 + 7168) * 2)) < 1e-3,
    );
    // TP slices the shared experts as it does the routed ones.
    const tp8 = costs(deepseekV3, 3, [{ tokens: 10, context: 0 }], { tp: 8 });
    assert.equal(tp8.get('shared_experts')!.flops, (2 * 10 * 3 * 7168 * 2048) / 8);
  });

  it('MoE under EP: whole experts, the busiest rank runs imbalance × its share of the routed tokens', () => {
    const at = (expertImbalance: number) =>
      costs(deepseekV3, 3, [{ tokens: 64, context: 0 }], { tp: 8, ep: 8, expertImbalance }).get(
        'experts_gate_up',
      )!;
    assert.equal(at(1).flops, 2 * ((64 * 8) / 8) * 2 * 7168 * 2048);
    assert.equal(at(1.5).flops, 2 * 96 * 2 * 7168 * 2048);
    assert.equal(at(100).flops, 2 * 512 * 2 * 7168 * 2048, 'never more than every routed token');
    assert.equal(DEFAULT_EXPERT_IMBALANCE, 1);
  });

  it('linear attention costs the same at any context: its state, read and written once per sequence', () => {
    const at = (context: number) => costs(qwen3Next, 0, [{ tokens: 1, context }]).get('attention')!;
    assert.deepEqual(at(100), at(100_000));
    // 32 value heads × 7 FLOPs per element of a 128 × 128 state.
    assert.equal(at(100).flops, 32 * 7 * 128 * 128);
    const state = (32 * 128 * 128 + (4 - 1) * (2 * 16 * 128 + 32 * 128)) * 2;
    const io = (2 * 16 * 128 + 2 * 32 * 128 + 2 * 32 + 32 * 128) * 2;
    assert.equal(at(100).bytes, 2 * state + io);
    const ops = costs(qwen3Next, 0, [{ tokens: 4, context: 0 }]);
    assert.equal(ops.get('conv1d')!.flops, 2 * 4 * (2 * 16 * 128 + 32 * 128) * 4);
    assert.ok(ops.has('in_proj_qkvz_ba') && ops.has('out_proj') && !ops.has('qkv_proj'));
    // Its full-attention layers are ordinary GQA.
    assert.ok(costs(qwen3Next, 3, [{ tokens: 4, context: 0 }]).has('qkv_proj'));
  });

  it('Qwen3-32B: projections, attention and KV are heads × head_dim wide (8192), not hidden (5120)', () => {
    // Qwen/Qwen3-32B config.json: hidden 5120, 64 query heads and 8 KV heads of head_dim 128, FFN 25600.
    const qwen3 = getModel('qwen3-32b');
    assert.deepEqual(
      [qwen3.hiddenSize, qwen3.numHeads, qwen3.numKvHeads, qwen3.headDim, qwen3.intermediateSize],
      [5120, 64, 8, 128, 25600],
    );
    assert.equal(qwen3.numLayers, 64);
    const tokens = 6;
    const ops = costs(qwen3, 0, [{ tokens, context: 10 }], { tp: 4 });
    // TP 4: 16 query heads and 2 KV heads per GPU.
    assert.deepEqual(ops.get('qkv_proj')!.gemm, { n: (16 + 2 * 2) * 128, k: 5120 });
    assert.equal(ops.get('qkv_proj')!.flops, matmulFlopsByElement(tokens, 5120, (16 + 4) * 128));
    assert.deepEqual(ops.get('o_proj')!.gemm, { n: 5120, k: 16 * 128 });
    assert.equal(ops.get('o_proj')!.flops, matmulFlopsByElement(tokens, 16 * 128, 5120));
    assert.equal(ops.get('qk_norm')!.flops, 4 * tokens * (16 + 2) * 128);
    assert.equal(ops.get('gate_up_proj')!.flops, matmulFlopsByElement(tokens, 5120, (2 * 25600) / 4));
    assert.equal(
      ops.get('attention')!.flops,
      attentionFlopsByPair([{ tokens, context: 10 }], 16, 128),
      'q·k and p·v over head_dim 128 for each of the 16 heads',
    );
    // KV: 8 KV heads × 128 × (K, V) × 2 bytes × 64 layers per token; 2 of them per GPU at TP 4.
    assert.equal(kvBytesPerTokenPerReplica(qwen3, 'bf16'), 8 * 128 * 2 * 2 * 64);
    assert.equal(kvBytesPerTokenPerGpu(qwen3, { tp: 4, pp: 1, kvDtype: 'bf16' }), 2 * 128 * 2 * 2 * 64);
  });

  it('Qwen3-235B-A22B: 128 routed experts of 1536, top-8, no shared expert, 64 heads × 128 over hidden 4096', () => {
    const moe = getModel('qwen3-235b-a22b');
    const ops = costs(moe, 0, [{ tokens: 10, context: 0 }]);
    assert.equal(ops.get('router')!.flops, 2 * 10 * 4096 * 128);
    assert.equal(ops.get('experts_gate_up')!.flops, 2 * (10 * 8) * 2 * 4096 * 1536);
    assert.ok(!ops.has('shared_experts'));
    assert.deepEqual(ops.get('qkv_proj')!.gemm, { n: (64 + 2 * 4) * 128, k: 4096 });
    assert.deepEqual(ops.get('o_proj')!.gemm, { n: 4096, k: 64 * 128 });
    assert.equal(ops.get('qk_norm')!.flops, 4 * 10 * (64 + 4) * 128);
  });

  it('qk-norm is an elementwise op over every q and k head', () => {
    const ops = costs(qwen3MoE, 0, [{ tokens: 5, context: 0 }]);
    assert.equal(ops.get('qk_norm')!.flops, 4 * 5 * (32 + 4) * 128);
    assert.equal(ops.get('qk_norm')!.kind, 'elementwise');
    assert.ok(!layerOpCosts(tiny, bf16, [{ tokens: 5, context: 0 }]).some((op) => op.name === 'qk_norm'));
  });
});
