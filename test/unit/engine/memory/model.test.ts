import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { memoryReport } from '../../../../src/engine/memory/model.js';
import { DEFAULT_PLAN, type Plan } from '../../../../src/engine/memory/plan.js';
import { enumeratePlans } from '../../../../src/engine/memory/plans.js';
import { getModel } from '../../../../src/engine/model/catalog.js';

const GiB = 1024 ** 3;
const h100 = getHardware('h100-sxm');
const plan = (overrides: Partial<Plan>): Plan => ({ ...DEFAULT_PLAN, ...overrides });

describe('memory model, worked by hand', () => {
  it('Llama-3.1-70B on 8×H100 SXM, TP8, bf16', () => {
    const report = memoryReport(getModel('llama-3.1-70b'), h100, plan({ tp: 8 }));
    // Per layer: q 8192×8192, k and v 8192×1024 each, o 8192×8192, MLP 3×8192×28672; norms 2×8192 stay whole.
    const shardedPerLayer = (8192 * 8192 * 2 + 8192 * 1024 * 2 + 3 * 8192 * 28672) / 8; // 106,954,752
    const layerParams = shardedPerLayer + 2 * 8192; // 106,971,136
    const vocabShard = (128256 * 8192) / 8; // 131,334,144 each for embedding and LM head
    const paramsPerGpu = 80 * layerParams + 2 * vocabShard + 8192; // 8,820,367,360
    assert.equal(paramsPerGpu, 8_820_367_360);
    assert.equal(report.perGpu.weightBytes, 2 * 8_820_367_360); // 16.43 GiB, what vLLM logs for this model at TP8
    assert.equal(report.perGpu.kvBytesPerToken, 2 * 80 * 1 * 128 * 2); // K and V, 80 layers, 1 KV head per GPU
    // Activation peak: 8192 tokens × (3×8192 + qkv 1280 + attn out 1024 + 3×3584) × 2 bytes, plus fp32 logits 256×128256.
    assert.equal(report.perGpu.activationPeakBytes, 8192 * 37632 * 2 + 256 * 128256 * 4);
    assert.equal(report.perGpu.runtimeReserveBytes, 2.25 * GiB);
    const kvBytes = 0.9 * 80 * GiB - 17_640_734_720 - 747_896_832 - 2_415_919_104;
    assert.equal(kvBytes, 56_504_860_672);
    assert.equal(report.perReplica.kvBlocks, Math.floor(56_504_860_672 / (40960 * 16))); // 86,219
    assert.equal(report.perReplica.kvBlocks, 86_219);
    assert.equal(report.perReplica.kvCapacityTokens, 86_219 * 16);
    // 131072-token sequences need 8192 blocks each.
    assert.equal(report.perReplica.maxConcurrentSequences, 10);
    assert.equal(report.fits, true);
  });

  it('Mixtral-8x7B on 2×H100 SXM, TP2, bf16', () => {
    const report = memoryReport(getModel('mixtral-8x7b'), h100, plan({ tp: 2 }), { contextLength: 32768 });
    // Attention 4096×(4096+2×1024) + 4096×4096 and 8 experts of 3×4096×14336, halved; router and norms whole.
    const perLayerBytes = ((41_943_040 + 1_409_286_144) / 2) * 2 + (4096 * 8 + 2 * 4096) * 2;
    assert.equal(perLayerBytes, 1_451_311_104);
    const embeddingBytes = ((32000 * 4096) / 2) * 2;
    const headBytes = embeddingBytes + 4096 * 2;
    assert.equal(report.perGpu.weightBytes, 32 * perLayerBytes + embeddingBytes + headBytes);
    assert.equal(report.perGpu.weightBytes, 46_704_107_520);
    // 4 KV heads per GPU: 2 × 32 layers × 4 × 128 × 2 bytes.
    assert.equal(report.perGpu.kvBytesPerToken, 65_536);
    // Activations: 3×4096 + qkv (16+8)×128 + 16×128 + 3 × (2 experts × 14336 / 2) = 60416 per token.
    assert.equal(report.perGpu.activationPeakBytes, 8192 * 60416 * 2 + 256 * 32000 * 4);
    const kvBytes = 0.9 * 80 * GiB - 46_704_107_520 - 1_022_623_744 - 2.25 * GiB;
    assert.equal(kvBytes, 27_166_760_960);
    assert.equal(report.perReplica.kvBlocks, 25_908);
    assert.equal(report.perReplica.maxConcurrentSequences, Math.floor(25_908 / 2048));
  });

  it('with expert parallelism each GPU holds whole experts instead of slices of all', () => {
    const mixtral = getModel('mixtral-8x7b');
    const tp = memoryReport(mixtral, h100, plan({ tp: 2 }));
    const ep = memoryReport(mixtral, h100, plan({ tp: 2, ep: 2 }));
    // 8 experts over EP2 = 4 whole experts per GPU, the same bytes as 8 halves.
    assert.equal(ep.perGpu.weightBytes, tp.perGpu.weightBytes);
    const ep4 = memoryReport(mixtral, h100, plan({ tp: 2, dp: 2, ep: 4 }));
    const expertBytes = 8 * 3 * 4096 * 14336 * 2;
    assert.equal(tp.perGpu.weightBytes - ep4.perGpu.weightBytes, 32 * (expertBytes / 2 - expertBytes / 4));
  });

  it('pipeline stages split the layers, and the heaviest stage sets weights per GPU', () => {
    const model = getModel('llama-3.1-70b');
    const pp2 = memoryReport(model, h100, plan({ tp: 4, pp: 2 }));
    const layerBytes = ((8192 * 8192 * 2 + 8192 * 1024 * 2 + 3 * 8192 * 28672) / 4 + 2 * 8192) * 2;
    const vocabShardBytes = ((128256 * 8192) / 4) * 2;
    // The last stage holds the LM head and final norm, one norm heavier than the first stage's embedding.
    assert.equal(pp2.perGpu.weightBytes, 40 * layerBytes + vocabShardBytes + 8192 * 2);
    assert.equal(pp2.perGpu.kvBytesPerToken, 2 * 40 * 2 * 128 * 2);
  });

  it('uneven pipeline stages: the largest stage sets weights and KV per GPU', () => {
    // 80 layers on PP 3 run as 27, 27, 26: the second stage (27 layers, no embedding or head) is not the
    // heaviest; the first holds 27 layers and the embedding.
    const model = getModel('llama-3.1-70b');
    const pp3 = memoryReport(model, h100, plan({ tp: 2, pp: 3 }));
    const layerBytes = ((8192 * 8192 * 2 + 8192 * 1024 * 2 + 3 * 8192 * 28672) / 2 + 2 * 8192) * 2;
    const vocabShardBytes = ((128256 * 8192) / 2) * 2;
    assert.equal(pp3.perGpu.weightBytes, 27 * layerBytes + vocabShardBytes);
    assert.equal(pp3.perGpu.kvBytesPerToken, 2 * 27 * 4 * 128 * 2);
  });

  it('quantized weights and fp8 KV shrink memory by their element sizes', () => {
    const model = getModel('llama-3.1-8b');
    const bf16 = memoryReport(model, h100, plan({}));
    const fp8 = memoryReport(model, h100, plan({ weightDtype: 'fp8', kvDtype: 'fp8' }));
    const linearParams = 32 * (4096 * (4096 + 2048) + 4096 * 4096 + 3 * 4096 * 14336);
    assert.equal(bf16.perGpu.weightBytes - fp8.perGpu.weightBytes, linearParams);
    assert.equal(fp8.perGpu.kvBytesPerToken * 2, bf16.perGpu.kvBytesPerToken);
    const int4 = memoryReport(model, h100, plan({ weightDtype: 'int4' }));
    // int4 with one fp16 scale per 128 values: 0.5 + 2/128 bytes per linear weight.
    assert.equal(bf16.perGpu.weightBytes - int4.perGpu.weightBytes, linearParams * (2 - (0.5 + 2 / 128)));
  });

  it("DeepSeek-R1 nvfp4 holds NVIDIA's checkpoint: MLA's input projections in 16-bit, not nvfp4", () => {
    const r1 = getModel('deepseek-r1');
    const b200 = getHardware('b200');
    const nvfp4Plan = plan({ tp: 8, ep: 8, weightDtype: 'nvfp4' });
    const published = memoryReport(r1, b200, nvfp4Plan);
    const everyLayer = memoryReport({ ...r1, otherCheckpoints: undefined }, b200, nvfp4Plan);
    // Per layer: q_a 7168×1536 and kv_a 7168×576 whole on every rank, q_b 1536×128×192 and kv_b
    // 512×128×256 over TP8; each at 2 bytes instead of nvfp4's 0.5625 (o_proj is nvfp4 in both).
    const attentionPerGpu = 7168 * 1536 + 7168 * 576 + (1536 * 128 * 192 + 512 * 128 * 256) / 8;
    const extra = published.perGpu.weightBytes - everyLayer.perGpu.weightBytes;
    assert.ok(Math.abs(extra - 61 * attentionPerGpu * (2 - 0.5625)) < 1e-3 * extra, String(extra));
  });

  it('gpt-oss-120b and -20b on one GPU hold their published checkpoints, biases and sinks included', () => {
    // openai/gpt-oss-120b and -20b model.safetensors.index.json, metadata.total_size (bytes). Per layer:
    // mxfp4 experts (values and one e8m0 scale per 32), bf16 attention with q, k, v and o biases and 64
    // sinks, the router with its bias, each expert's gate_up (5760) and down (2880) biases, two norms;
    // bf16 embedding and untied LM head of 201088 × 2880.
    const published = { 'gpt-oss-120b': 65_248_815_744, 'gpt-oss-20b': 13_761_264_768 };
    for (const [id, totalSize] of Object.entries(published)) {
      const report = memoryReport(getModel(id), h100, plan({ weightDtype: 'mxfp4' }));
      assert.equal(report.perGpu.weightBytes, totalSize, id);
    }
    // The biases the 16-bit rest of the 120b adds, by hand: per layer o_proj 2880, sinks 64, router 128,
    // experts 128 × (5760 + 2880); in bf16.
    const biasBytes = 36 * (2880 + 64 + 128 + 128 * (5760 + 2880)) * 2; // 79,847,424
    const withoutBiases = memoryReport(
      {
        ...getModel('gpt-oss-120b'),
        outputProjBias: false,
        attentionSinks: false,
        moe: { ...getModel('gpt-oss-120b').moe!, biases: false },
      },
      h100,
      plan({ weightDtype: 'mxfp4' }),
    );
    assert.equal(published['gpt-oss-120b'] - withoutBiases.perGpu.weightBytes, biasBytes);
  });

  it('KV heads are replicated when TP exceeds them', () => {
    const qwen = getModel('qwen2.5-7b'); // 4 KV heads
    const tp4 = memoryReport(qwen, h100, plan({ tp: 4 }));
    const tp2 = memoryReport(qwen, h100, plan({ tp: 2 }));
    assert.equal(tp4.perGpu.kvBytesPerToken, 2 * 28 * 1 * 128 * 2);
    assert.equal(tp2.perGpu.kvBytesPerToken, 2 * 28 * 2 * 128 * 2);
  });

  it('says why a plan does not fit', () => {
    const report = memoryReport(getModel('llama-3.1-405b'), h100, plan({ tp: 8 }));
    assert.equal(report.fits, false);
    assert.match(report.problems[0]!, /weights need 94\.\d\d GiB per GPU but only 72\.00 GiB is allowed/);
    assert.equal(report.perReplica.kvCapacityTokens, 0);
  });

  it('counts concurrent sequences at the requested context and scales by replicas', () => {
    const report = memoryReport(getModel('llama-3.1-8b'), h100, plan({ dp: 4 }), { contextLength: 8192 });
    assert.equal(report.perReplica.maxConcurrentSequences, Math.floor(report.perReplica.kvBlocks / 512));
    assert.equal(report.cluster.maxConcurrentSequences, 4 * report.perReplica.maxConcurrentSequences);
    assert.equal(report.cluster.kvCapacityTokens, 4 * report.perReplica.kvCapacityTokens);
  });
});

describe('plan enumeration', () => {
  it('covers every TP × PP × DP of 8 GPUs within a node and rejects indivisible ones', () => {
    const report = enumeratePlans(getModel('llama-3.1-70b'), h100, 8, {
      weightDtype: 'bf16',
      kvDtype: 'bf16',
    });
    const names = report.plans.map((p) => `${p.plan.tp}-${p.plan.pp}-${p.plan.dp}`).sort();
    assert.deepEqual(names, [
      '1-1-8',
      '1-2-4',
      '1-4-2',
      '1-8-1',
      '2-1-4',
      '2-2-2',
      '2-4-1',
      '4-1-2',
      '4-2-1',
      '8-1-1',
    ]);
    assert.equal(report.rejected.length, 0);
    const tp1 = report.plans.find((p) => p.plan.tp === 1 && p.plan.pp === 1)!;
    assert.equal(tp1.fits, false);
    assert.ok(report.plans.find((p) => p.plan.tp === 8)!.fits);
  });

  it('rejects plans that do not divide the model, with the reason', () => {
    // Qwen2.5-7B has 28 heads and 28 layers: TP8 does not divide the heads; PP8 splits the layers
    // unevenly (3 and 4 per stage), as engines do.
    const report = enumeratePlans(getModel('qwen2.5-7b'), h100, 8, { weightDtype: 'bf16', kvDtype: 'bf16' });
    const rejected = new Map(report.rejected.map((r) => [r.plan, r.problems.join('; ')]));
    assert.match(rejected.get('TP8 PP1 DP1')!, /TP 8 does not divide the 28 attention heads/);
    assert.equal(rejected.get('TP1 PP8 DP1'), undefined);
    assert.ok(report.plans.some((p) => p.plan.tp === 1 && p.plan.pp === 8));
  });

  it('adds expert-parallel variants for MoE models', () => {
    const report = enumeratePlans(getModel('mixtral-8x7b'), h100, 4, {
      weightDtype: 'bf16',
      kvDtype: 'bf16',
    });
    assert.ok(report.plans.some((p) => p.plan.tp === 4 && p.plan.ep === 4));
    assert.ok(report.plans.some((p) => p.plan.tp === 2 && p.plan.dp === 2 && p.plan.ep === 4));
  });
});
