import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getModel, MODEL_CATALOG } from '../../../../src/engine/model/catalog.js';
import {
  attendedPairs,
  type BatchPiece,
  expectedActiveExperts,
  layerOpCosts,
  lmHeadCost,
  sumCosts,
} from '../../../../src/engine/model/cost.js';
import { modelParams } from '../../../../src/engine/model/params.js';
import { ModelSpec } from '../../../../src/engine/model/spec.js';

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
