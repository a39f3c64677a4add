import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { memoryReport, weightBytesPerGpu } from '../../../../src/engine/memory/model.js';
import { DEFAULT_PLAN, type Plan } from '../../../../src/engine/memory/plan.js';
import { enumeratePlans } from '../../../../src/engine/memory/plans.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { defaultWeightDtype } from '../../../../src/engine/model/checkpoint.js';
import { kvFootprintBytes, kvFootprintPerGpu } from '../../../../src/engine/model/geometry.js';

const GiB = 1024 ** 3;
const h100 = getHardware('h100-sxm');
const h200 = getHardware('h200');
const plan = (overrides: Partial<Plan>): Plan => ({ ...DEFAULT_PLAN, ...overrides });

describe('KV cache of MLA, sliding and linear layers, worked by hand', () => {
  it('DeepSeek-V3 bf16: (512 + 64) × 61 layers × 2 bytes per token on every GPU, at TP1 and TP8 alike', () => {
    const model = getModel('deepseek-v3');
    assert.equal((512 + 64) * 61 * 2, 70_272);
    for (const tp of [1, 8]) {
      const footprint = kvFootprintPerGpu(model, { tp, pp: 1, kvDtype: 'bf16' }, 1);
      assert.equal(footprint.fullBytesPerToken, 70_272, `TP${tp}`);
    }
    const report = memoryReport(model, h200, plan({ tp: 8, weightDtype: 'fp8' }));
    assert.equal(report.perGpu.kvBytesPerToken, 70_272);
    // Attention data parallelism would give each of the 8 ranks its own sequences' latents.
    const dpAttention = kvFootprintPerGpu(model, { tp: 8, pp: 1, kvDtype: 'bf16', attentionDp: 8 }, 1);
    assert.equal(dpAttention.fullBytesPerToken, 70_272 / 8);
  });

  it('a model whose own context does not fit is told the longest max-model-len that does', () => {
    // Llama-4-Scout's config allows 10,485,760 tokens; on 2 B300 far fewer fit.
    const model = getModel('llama-4-scout');
    const b300 = getHardware('b300');
    const report = memoryReport(model, b300, plan({ tp: 2 }));
    const longest = Number(/lower max-model-len to at most (\d+)/.exec(report.problems.join(';'))?.[1]);
    assert.ok(longest > 1_000_000 && longest < 10_485_760, String(longest));
    const at = (contextLength: number) =>
      memoryReport(model, b300, plan({ tp: 2 }), { contextLength }).perReplica.maxConcurrentSequences;
    assert.equal(at(longest), 1);
    assert.equal(at(longest + 1), 0);
  });

  it('DeepSeek-V3 in fp8 and fp4 KV: 576 × 61 × 1 and × (0.5 + 1/16) bytes; PP 2 holds the 31-layer stage', () => {
    const model = getModel('deepseek-v3');
    const fp8 = memoryReport(model, h200, plan({ tp: 8, weightDtype: 'fp8', kvDtype: 'fp8' }));
    assert.equal(fp8.perGpu.kvBytesPerToken, 576 * 61);
    const fp4 = memoryReport(model, h200, plan({ tp: 8, weightDtype: 'fp8', kvDtype: 'fp4' }));
    assert.equal(fp4.perGpu.kvBytesPerToken, 19_764);
    assert.equal(576 * 61 * 0.5625, 19_764);
    const pp2 = memoryReport(model, h200, plan({ tp: 8, pp: 2, weightDtype: 'fp8' }));
    assert.equal(pp2.perGpu.kvBytesPerToken, 576 * 31 * 2);
  });

  it('gpt-oss-120b: 18 full and 18 sliding layers of 8 KV heads × 64 × 2 × 2 = 2,048 bytes per token', () => {
    const model = getModel('gpt-oss-120b');
    assert.equal(8 * 64 * 2 * 2, 2048);
    const footprint = kvFootprintPerGpu(model, { tp: 1, pp: 1, kvDtype: 'bf16' }, 8192);
    assert.equal(footprint.fullBytesPerToken, 18 * 2048);
    assert.equal(footprint.slidingBytesPerToken, 18 * 2048);
    assert.equal(footprint.window, 128);
    // An 8,192-token sequence holds 18 × 8192 + 18 × 128 tokens' worth.
    assert.equal(kvFootprintBytes(footprint, 8192), (18 * 8192 + 18 * 128) * 2048);
    const report = memoryReport(model, h100, plan({ weightDtype: 'mxfp4' }), { contextLength: 8192 });
    assert.equal(report.perGpu.kvBytesPerToken, 36_864);
    assert.equal(report.perGpu.slidingKvBytesPerToken, 36_864);
    assert.equal(report.perGpu.slidingWindow, 128);
    // Blocks of 16 tokens × 36,864 bytes: 8192 / 16 = 512 for the full layers, 128 / 16 = 8 for the sliding ones.
    assert.equal(report.perReplica.kvBlocks, Math.floor(report.perGpu.kvCacheBytes / (36_864 * 16)));
    assert.equal(
      report.perReplica.maxConcurrentSequences,
      Math.floor(report.perReplica.kvBlocks / (512 + 8)),
    );
  });

  it('Gemma-3-27B: 10 full layers keep every token, 52 sliding layers their last 1,024', () => {
    const model = getModel('gemma-3-27b');
    const perLayer = 16 * 128 * 2 * 2; // 16 KV heads × 128 × K and V × bf16
    const report = memoryReport(model, h100, plan({}), { contextLength: 32768 });
    assert.equal(report.perGpu.kvBytesPerToken, 10 * perLayer);
    assert.equal(report.perGpu.slidingKvBytesPerToken, 52 * perLayer);
    // A 32,768-token sequence: 32768 / 16 = 2048 blocks, and 5.2 × 1024 / 16 = 332.8 → 333 for the windows.
    assert.equal(
      report.perReplica.maxConcurrentSequences,
      Math.floor(report.perReplica.kvBlocks / (2048 + 333)),
    );
  });

  it('Qwen3-Next: 12 attention layers per token, 36 linear layers a constant state per sequence', () => {
    const model = getModel('qwen3-next-80b-a3b');
    const report = memoryReport(model, h100, plan({ tp: 4 }), { contextLength: 65536 });
    // 2 KV heads at TP4: one whole head per GPU; 12 layers × 256 × 2 × 2 bytes.
    assert.equal(report.perGpu.kvBytesPerToken, 12 * 1 * 256 * 2 * 2);
    // Per layer and GPU: 32/4 value heads × 128 × 128 recurrent state, plus 3 conv steps of
    // (2 × 16/4 key heads × 128 + 8 × 128) channels, in bf16.
    const state = 36 * (8 * 128 * 128 + 3 * (2 * 4 * 128 + 8 * 128)) * 2;
    assert.equal(state, 9_879_552);
    assert.equal(report.perGpu.kvStateBytesPerSequence, state);
    const stateBlocks = Math.ceil(state / (12_288 * 16));
    assert.equal(stateBlocks, 51);
    assert.equal(
      report.perReplica.maxConcurrentSequences,
      Math.floor(report.perReplica.kvBlocks / (4096 + 51)),
    );
  });

  it('a model whose every layer slides counts blocks of its window (Phi-3-mini, 2,047 tokens)', () => {
    const report = memoryReport(getModel('phi-3-mini-4k'), h100, plan({}), { contextLength: 4096 });
    assert.equal(report.perGpu.kvBytesPerToken, 32 * 32 * 96 * 2 * 2);
    assert.equal(report.perGpu.slidingWindow, 2047);
    assert.equal(report.perGpu.slidingKvBytesPerToken, undefined);
    assert.equal(
      report.perReplica.maxConcurrentSequences,
      Math.floor(report.perReplica.kvBlocks / Math.ceil(2047 / 16)),
    );
  });
});

describe('weights per GPU in the checkpoint format, worked by hand', () => {
  it('DeepSeek-V3 fp8 (128×128 blocks) at TP8 on H200: 79.3 GiB per GPU', () => {
    const model = getModel('deepseek-v3');
    assert.equal(defaultWeightDtype(model), 'fp8');
    const fp8 = 1 + 4 / (128 * 128); // one fp32 scale per 128×128 block
    // MLA per layer: q_a 7168×1536 and kv_a 7168×576 whole on every rank; q_b 1536×128×192,
    // kv_b 512×128×256 and o 128×128×7168 over TP8.
    const replicated = 7168 * 1536 + 7168 * 576; // 15,138,816
    const sharded = (1536 * 128 * 192 + 512 * 128 * 256 + 128 * 128 * 7168) / 8; // 21,495,808
    const attention = replicated + sharded;
    const norms = 2 * 7168 + 512 + 1536;
    const denseLayer = (attention + (3 * 7168 * 18432) / 8) * fp8 + norms * 2;
    // 256 experts and one shared expert of 3 × 7168 × 2048, over TP8; the router 7168 × 256 in bf16.
    const moeLayer = (attention + (257 * 3 * 7168 * 2048) / 8) * fp8 + (7168 * 256 + norms) * 2;
    const vocab = ((129280 * 7168) / 8) * 2;
    const expected = 3 * denseLayer + 58 * moeLayer + 2 * vocab + 7168 * 2;
    assert.equal(Math.round(expected), 85_140_064_624);
    const report = memoryReport(model, h200, plan({ tp: 8, weightDtype: 'fp8' }));
    assert.ok(Math.abs(report.perGpu.weightBytes - expected) < 1, String(report.perGpu.weightBytes));
    assert.equal((report.perGpu.weightBytes / GiB).toFixed(2), '79.29');
    assert.equal(report.fits, true);
    // Expert parallelism over the same 8 GPUs holds 32 whole experts each: the same bytes.
    assert.equal(
      weightBytesPerGpu(model, plan({ tp: 8, ep: 8, weightDtype: 'fp8' })),
      report.perGpu.weightBytes,
    );
  });

  it('gpt-oss-120b at TP1 on H100: MXFP4 experts, bf16 attention, fits in 80 GB (60.8 GiB)', () => {
    const model = getModel('gpt-oss-120b');
    assert.equal(defaultWeightDtype(model), 'mxfp4');
    const mxfp4 = 0.5 + 1 / 32;
    const attention = (2880 * (64 * 64 + 2 * 8 * 64) + 64 * 64 * 2880) * 2;
    const experts = 128 * 3 * 2880 * 2880 * mxfp4;
    // qkv and o biases, sinks, router and its bias, norms, each expert's gate_up and down biases.
    const small = (64 * 64 + 2 * 8 * 64 + 2880 + 64 + 2881 * 128 + 2 * 2880 + 128 * (5760 + 2880)) * 2;
    const layer = attention + experts + small;
    assert.equal(layer, 1_748_118_784);
    const expected = 36 * layer + 2 * 201088 * 2880 * 2 + 2880 * 2;
    assert.equal(expected, 65_248_815_744); // the checkpoint's total_size
    const report = memoryReport(model, h100, plan({ weightDtype: 'mxfp4' }));
    assert.equal(report.perGpu.weightBytes, expected);
    assert.ok(report.perGpu.weightBytes / GiB > 60 && report.perGpu.weightBytes / GiB < 61);
    assert.equal(report.weightFormat, 'mxfp4 experts, bf16 rest');
    assert.equal(report.fits, true);
    // Asked for bf16, every expert is 16-bit: 2 − 0.53125 bytes more per expert weight.
    const bf16 = weightBytesPerGpu(model, plan({ weightDtype: 'bf16' }));
    assert.equal(bf16 - expected, 36 * 128 * 3 * 2880 * 2880 * (2 - mxfp4));
  });

  it('an expert-parallel group smaller than TP leaves each expert split over the rest (TP8 × EP2 = TP8)', () => {
    const model = getModel('qwen3-235b-a22b');
    const tp8 = weightBytesPerGpu(model, plan({ tp: 8 }));
    assert.equal(weightBytesPerGpu(model, plan({ tp: 8, ep: 2 })), tp8);
    assert.equal(weightBytesPerGpu(model, plan({ tp: 8, ep: 8 })), tp8);
  });

  it('plans of a quantized checkpoint default to its format and list experts-only layouts', () => {
    const report = enumeratePlans(getModel('gpt-oss-120b'), h100, 1, {
      weightDtype: 'mxfp4',
      kvDtype: 'bf16',
    });
    assert.equal(report.plans.length, 1);
    assert.equal(report.plans[0]!.fits, true);
    assert.equal(report.plans[0]!.weightFormat, 'mxfp4 experts, bf16 rest');
  });
});
