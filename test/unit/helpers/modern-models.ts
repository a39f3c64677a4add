import { ModelSpec } from '../../../src/engine/model/spec.js';

/**
 * Today's layer shapes, written by hand from the published config.json files, for tests of the cost
 * and step models: MLA with dense then MoE layers, alternating sliding and full attention, qk-norm MoE,
 * and a linear-attention hybrid.
 */

/** deepseek-ai/DeepSeek-V3 config.json. */
export const deepseekV3 = ModelSpec.parse({
  id: 'test-deepseek-v3',
  name: 'DeepSeek-V3 (test)',
  family: 'deepseek_v3',
  source: 'deepseek-ai/DeepSeek-V3 config.json',
  hiddenSize: 7168,
  numLayers: 61,
  numHeads: 128,
  numKvHeads: 128,
  headDim: 192,
  intermediateSize: 18432,
  vocabSize: 129280,
  tiedEmbeddings: false,
  qkvBias: false,
  maxContextLength: 163840,
  moe: {
    numExperts: 256,
    topK: 8,
    expertIntermediateSize: 2048,
    sharedIntermediateSize: 2048,
    denseLayers: [0, 1, 2],
  },
  mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
  mtpLayers: 1,
});

/** openai/gpt-oss-120b config.json: layers alternate sliding (window 128) and full, sliding first. */
export const gptOss120b = ModelSpec.parse({
  id: 'test-gpt-oss-120b',
  name: 'gpt-oss-120b (test)',
  family: 'gpt_oss',
  source: 'openai/gpt-oss-120b config.json',
  hiddenSize: 2880,
  numLayers: 36,
  numHeads: 64,
  numKvHeads: 8,
  headDim: 64,
  intermediateSize: 2880,
  vocabSize: 201088,
  tiedEmbeddings: false,
  qkvBias: true,
  maxContextLength: 131072,
  moe: { numExperts: 128, topK: 4, expertIntermediateSize: 2880 },
  slidingWindow: 128,
  layerAttention: Array.from({ length: 36 }, (_, i) => (i % 2 === 0 ? 'sliding' : 'full')),
  attentionSinks: true,
});

/** Qwen/Qwen3-30B-A3B config.json. */
export const qwen3MoE = ModelSpec.parse({
  id: 'test-qwen3-30b-a3b',
  name: 'Qwen3-30B-A3B (test)',
  family: 'qwen3_moe',
  source: 'Qwen/Qwen3-30B-A3B config.json',
  hiddenSize: 2048,
  numLayers: 48,
  numHeads: 32,
  numKvHeads: 4,
  headDim: 128,
  intermediateSize: 6144,
  vocabSize: 151936,
  tiedEmbeddings: false,
  qkvBias: false,
  maxContextLength: 40960,
  moe: { numExperts: 128, topK: 8, expertIntermediateSize: 768 },
  qkNorm: true,
});

/** Qwen3-Next-80B-A3B-like hybrid: Gated DeltaNet in every layer but each 4th, which is full attention. */
export const qwen3Next = ModelSpec.parse({
  id: 'test-qwen3-next',
  name: 'Qwen3-Next-like hybrid (test)',
  family: 'qwen3_next',
  source: 'Qwen/Qwen3-Next-80B-A3B-Instruct config.json',
  hiddenSize: 2048,
  numLayers: 48,
  numHeads: 16,
  numKvHeads: 2,
  headDim: 256,
  intermediateSize: 5120,
  vocabSize: 151936,
  tiedEmbeddings: false,
  qkvBias: false,
  maxContextLength: 262144,
  moe: { numExperts: 512, topK: 10, expertIntermediateSize: 512, sharedIntermediateSize: 512 },
  layerAttention: Array.from({ length: 48 }, (_, i) => (i % 4 === 3 ? 'full' : 'linear')),
  linearAttention: { keyHeads: 16, valueHeads: 32, keyHeadDim: 128, valueHeadDim: 128, convKernel: 4 },
  qkNorm: true,
});
