import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { ModelSpec } from '../../../../src/engine/model/spec.js';
import { allToAllSeconds } from '../../../../src/engine/perf/comm.js';
import {
  addDecode,
  addPrefillChunk,
  addUniformDecodes,
  type BatchShape,
  createBatchShape,
} from '../../../../src/engine/perf/shape.js';
import {
  type BreakdownEntry,
  compileStepModel,
  createStepTiming,
  STEP_GROUP,
} from '../../../../src/engine/perf/step-model.js';
import { deepseekV3, gptOss120b, qwen3MoE, qwen3Next } from '../../helpers/modern-models.js';

const h100 = getHardware('h100-sxm');
const plan = (tp: number, extra: Partial<Plan> = {}): Plan => ({
  tp,
  pp: 1,
  dp: 1,
  ep: 1,
  weightDtype: 'bf16',
  kvDtype: 'bf16',
  ...extra,
});

function decodes(count: number, context: number): BatchShape {
  const shape = createBatchShape();
  addUniformDecodes(shape, count, context);
  return shape;
}

const MLA_DENSE = 'MLA · dense FFN';
const MLA_MOE = 'MLA · MoE top-8 of 256 + shared';
const SLIDING = 'sliding window 128 · MoE top-4 of 128';
const FULL = 'full attention · MoE top-4 of 128';

const find = (entries: BreakdownEntry[], group: string, name: string) =>
  entries.find((e) => e.group === group && e.name === name);

describe('step model over layers that differ', () => {
  it('DeepSeek-V3 decode at TP8: 3 dense and 58 MoE MLA layers, op by op', () => {
    const model = compileStepModel(deepseekV3, h100, plan(8));
    const entries = model.breakdown(decodes(64, 4096));
    const groups = [...new Set(entries.map((e) => e.group))];
    assert.deepEqual(groups, [MLA_DENSE, MLA_MOE, STEP_GROUP]);
    for (const e of entries.filter((x) => x.group === MLA_DENSE)) assert.equal(e.calls, 3, e.name);
    for (const e of entries.filter((x) => x.group === MLA_MOE)) assert.equal(e.calls, 58, e.name);
    for (const name of [
      'qkv_a_proj',
      'q_b_proj',
      'mla_q_absorb',
      'attention_decode',
      'mla_v_absorb',
      'o_proj',
    ]) {
      assert.ok(find(entries, MLA_MOE, name), name);
    }
    for (const name of ['router', 'experts_gate_up', 'experts_down', 'shared_experts', 'tp_all_reduce_mlp']) {
      assert.ok(find(entries, MLA_MOE, name), name);
    }
    assert.ok(find(entries, MLA_DENSE, 'gate_up_proj') && !find(entries, MLA_DENSE, 'router'));
    assert.ok(!entries.some((e) => e.name === 'kv_b_proj'), 'decodes attend in the latent space');
    // The latent is read once per key on every rank: 64 sequences × 4097 keys × 1152 bytes, plus the queries.
    const attention = find(entries, MLA_MOE, 'attention_decode')!;
    const perQuery = 16 * (576 + 512) * 2 + 1152;
    assert.equal(attention.bytes, 64 * perQuery + 64 * 4097 * 1152);
    assert.match(find(entries, MLA_MOE, 'experts_gate_up')!.detail ?? '', /experts active/);
    for (const e of entries) assert.ok(e.bound, e.name);
    assert.equal(find(entries, STEP_GROUP, 'lm_head')!.calls, 1);
  });

  it('the hot path equals the op-by-op sum for every kind of model', () => {
    for (const m of [deepseekV3, gptOss120b, qwen3MoE, qwen3Next]) {
      const model = compileStepModel(m, h100, plan(4));
      for (const [prefill, context, count, decodeContext] of [
        [0, 0, 1, 50],
        [0, 0, 37, 9000],
        [17, 0, 20, 100],
        [500, 1000, 100, 300],
        [4096, 0, 0, 0],
      ]) {
        const shape = createBatchShape();
        if (prefill > 0) addPrefillChunk(shape, prefill, context, true);
        addUniformDecodes(shape, count, decodeContext);
        const sum = model.breakdown(shape).reduce((s, e) => s + e.seconds, 0);
        const hot = model.stepSeconds(shape);
        // Exact where every table is read at a grid point (64 rows or fewer), within 0.5% between points.
        const exact = prefill + count <= 64 && shape.prefillKeys <= 64;
        assert.ok(
          Math.abs(hot - sum) / sum < (exact ? 1e-9 : 5e-3),
          `${m.id} ${prefill}+${count}: ${hot} vs ${sum}`,
        );
      }
    }
  });

  it('gpt-oss: sliding layers read at most 128 keys per decode, full layers the whole context', () => {
    const model = compileStepModel(gptOss120b, h100, plan(1));
    // A shape that keeps the model's window sums each decode's keys capped at it, exactly.
    const shape = createBatchShape(gptOss120b.slidingWindow);
    addDecode(shape, 10);
    addDecode(shape, 9999);
    const entries = model.breakdown(shape);
    const kvPerKey = 2 * 8 * 64 * 2;
    const perQuery = 2 * 64 * 64 * 2 + kvPerKey;
    const sliding = find(entries, SLIDING, 'attention_decode')!;
    const full = find(entries, FULL, 'attention_decode')!;
    assert.equal(sliding.calls, 18);
    assert.equal(full.calls, 18);
    assert.equal(sliding.bytes, 2 * perQuery + (11 + 128) * kvPerKey);
    assert.equal(full.bytes, 2 * perQuery + (11 + 10_000) * kvPerKey);
    assert.equal(sliding.flops, 4 * 64 * 64 * (11 + 128));
    assert.ok(sliding.seconds < full.seconds);
    // Without it, the plain sums bound them: exact when every decode is beyond the window (or within).
    const plain = createBatchShape();
    addDecode(plain, 10);
    addDecode(plain, 9999);
    const bounded = find(model.breakdown(plain), SLIDING, 'attention_decode')!;
    assert.equal(bounded.bytes, 2 * perQuery + Math.min(11 + 10_000, 2 * 128) * kvPerKey);
    const beyond = (window?: number) => {
      const shape = createBatchShape(window);
      addDecode(shape, 500);
      addDecode(shape, 9999);
      addPrefillChunk(shape, 300, 1000, true);
      return model.breakdown(shape).filter((e) => e.group === SLIDING && e.kind === 'attention');
    };
    assert.deepEqual(beyond(), beyond(128));
  });

  it('linear-attention layers cost the same at any context; their full layers grow', () => {
    const model = compileStepModel(qwen3Next, h100, plan(2));
    const linear = 'linear attention · MoE top-10 of 512 + shared';
    const full = 'full attention · MoE top-10 of 512 + shared';
    const short = model.breakdown(decodes(16, 1000));
    const long = model.breakdown(decodes(16, 100_000));
    assert.equal(find(short, linear, 'attention_decode')!.calls, 36);
    assert.equal(
      find(short, linear, 'attention_decode')!.seconds,
      find(long, linear, 'attention_decode')!.seconds,
    );
    assert.ok(
      find(long, full, 'attention_decode')!.seconds > 10 * find(short, full, 'attention_decode')!.seconds,
    );
  });

  it('expert parallelism: dispatch and combine of tokens × top-k × hidden × 2 bytes over EP ranks', () => {
    // EP8 over four attention-DP ranks of TP2: each GPU sends its half of its rank's routed tokens.
    const model = compileStepModel(deepseekV3, h100, plan(2, { dp: 4, ep: 8 }));
    const entries = model.breakdown(decodes(64, 1000));
    const dispatch = find(entries, MLA_MOE, 'ep_dispatch')!;
    assert.equal(dispatch.bytes, (64 * 8 * 7168 * 2) / 2);
    assert.ok(find(entries, MLA_MOE, 'ep_combine'));
    // One node: 7 peers get 1/8 each over NVLink, after one latency.
    const link = h100.intraNode;
    const expected = link.latencySeconds + (7 * (917_504 / 8)) / (link.bytesPerSecondPerDirection * 0.8);
    assert.ok(Math.abs(allToAllSeconds(917_504, 8, h100, 0.8) - expected) < 1e-15);
    // MoE layers trade the FFN all-reduce for the all-to-all; the dense layers keep it.
    assert.ok(!find(entries, MLA_MOE, 'tp_all_reduce_mlp'));
    assert.ok(find(entries, MLA_DENSE, 'tp_all_reduce_mlp'));
    assert.ok(find(entries, MLA_MOE, 'tp_all_reduce_attention'));
    // A busier rank makes the routed experts slower, not the rest.
    const skewed = compileStepModel(deepseekV3, h100, plan(2, { dp: 4, ep: 8 }), { expertImbalance: 2 });
    const skewedEntries = skewed.breakdown(decodes(64, 1000));
    assert.equal(
      find(skewedEntries, MLA_MOE, 'experts_gate_up')!.flops,
      2 * find(entries, MLA_MOE, 'experts_gate_up')!.flops,
    );
    assert.equal(find(skewedEntries, MLA_MOE, 'router')!.seconds, find(entries, MLA_MOE, 'router')!.seconds);
  });

  it('EP within one TP group (no attention DP) all-reduces the partial expert outputs, no all-to-all', () => {
    // Every GPU of TP8 already holds every token: each runs its experts' share, the all-reduce sums them.
    const entries = compileStepModel(deepseekV3, h100, plan(8, { ep: 8 })).breakdown(decodes(64, 1000));
    assert.ok(!find(entries, MLA_MOE, 'ep_dispatch') && !find(entries, MLA_MOE, 'ep_combine'));
    assert.ok(find(entries, MLA_MOE, 'tp_all_reduce_mlp'));
    // The experts are still split: each GPU runs 1/8 of the routed tokens through whole experts.
    const tpSharded = compileStepModel(deepseekV3, h100, plan(8)).breakdown(decodes(64, 1000));
    const ep = find(entries, MLA_MOE, 'experts_gate_up')!;
    const tp = find(tpSharded, MLA_MOE, 'experts_gate_up')!;
    assert.ok(Math.abs(ep.flops / tp.flops - 1) < 1e-9);
    assert.ok(ep.detail?.includes('per GPU'));
  });

  it("the routed experts' note names the experts a rank holds, to one decimal where EP does not divide them", () => {
    // DeepSeek-V3's 256 experts + 32 EPLB slots over EP 72: 3.555… routed experts a rank on average.
    const gb200 = getHardware('gb200');
    const wide = compileStepModel(deepseekV3, gb200, plan(1, { dp: 72, ep: 72, redundantExperts: 32 }));
    const note = find(wide.breakdown(decodes(64, 2000)), MLA_MOE, 'experts_gate_up')!.detail ?? '';
    assert.match(note, / of 3\.6 per GPU on the busiest/);
    const even = compileStepModel(deepseekV3, h100, plan(2, { dp: 4, ep: 8 }));
    assert.match(
      find(even.breakdown(decodes(64, 1000)), MLA_MOE, 'experts_gate_up')!.detail ?? '',
      / of 32 per GPU/,
    );
  });

  it('an all-to-all across nodes is bound by the network share of the peers', () => {
    const bytes = 16e6;
    const perPeer = bytes / 16;
    const intra = h100.intraNode.latencySeconds + (7 * perPeer) / h100.intraNode.bytesPerSecondPerDirection;
    const inter = h100.interNodeLatencySeconds + (8 * perPeer) / h100.interNodeBytesPerSecond;
    assert.equal(allToAllSeconds(bytes, 16, h100, 1), Math.max(intra, inter));
    assert.equal(allToAllSeconds(bytes, 1, h100, 1), 0);
  });

  it('pipeline stages that differ: the most loaded stage sets the pace, the others wait', () => {
    // Four MLA layers, the first dense: stage 0 runs dense + MoE, stage 1 two MoE layers.
    const small = ModelSpec.parse({
      ...deepseekV3,
      id: 'test-mla-4',
      numLayers: 4,
      moe: { ...deepseekV3.moe, denseLayers: [0] },
    });
    const model = compileStepModel(small, h100, plan(4, { pp: 2 }));
    const shape = decodes(32, 2000);
    const timing = createStepTiming();
    const total = model.timeStep(shape, timing);
    const entries = model.breakdown(shape);
    const layerSeconds = (group: string) =>
      entries.filter((e) => e.group === group).reduce((s, e) => s + e.seconds / e.calls, 0);
    const dense = layerSeconds(MLA_DENSE);
    const moe = layerSeconds(MLA_MOE);
    assert.ok(Math.abs(timing.stageSeconds - Math.max(dense + moe, 2 * moe)) / timing.stageSeconds < 1e-9);
    const waiting = find(entries, STEP_GROUP, 'pipeline_imbalance')!;
    assert.ok(Math.abs(waiting.seconds - Math.abs(2 * moe - (dense + moe))) / waiting.seconds < 1e-9);
    const sum = entries.reduce((s, e) => s + e.seconds, 0);
    assert.ok(Math.abs(sum - total) / total < 1e-9);
  });

  it('uneven stages of a uniform model: the largest sets the pace, the others wait', () => {
    // Llama-3.1-8B's 32 layers on PP 3 run as 11, 11, 10.
    const llama = getModel('llama-3.1-8b');
    const model = compileStepModel(llama, h100, plan(1, { pp: 3 }));
    const shape = decodes(8, 1000);
    const timing = createStepTiming();
    model.timeStep(shape, timing);
    const entries = model.breakdown(shape);
    const layer = entries.filter((e) => e.group !== STEP_GROUP).reduce((s, e) => s + e.seconds / e.calls, 0);
    assert.ok(Math.abs(timing.stageSeconds - 11 * layer) / timing.stageSeconds < 1e-9);
    const waiting = find(entries, STEP_GROUP, 'pipeline_imbalance')!;
    assert.ok(Math.abs(waiting.seconds - layer) / layer < 1e-9, 'three stages of 11 against 32 layers');
  });

  it('a uniform model keeps one group of layers and no pipeline imbalance', () => {
    const llama = getModel('llama-3.1-70b');
    const entries = compileStepModel(llama, h100, plan(4, { pp: 2 })).breakdown(decodes(8, 100));
    assert.deepEqual([...new Set(entries.map((e) => e.group))], ['full attention · dense FFN', STEP_GROUP]);
    assert.ok(!entries.some((e) => e.name === 'pipeline_imbalance'));
  });
});

describe('batch shapes that keep a sliding window', () => {
  it('sum the pairs and keys a window allows, piece by piece', () => {
    const shape = createBatchShape(128);
    addPrefillChunk(shape, 1000, 0, true);
    addPrefillChunk(shape, 50, 20, false);
    addDecode(shape, 10);
    addUniformDecodes(shape, 3, 5000);
    assert.equal(shape.prefillWindowedPairs, (128 * 129) / 2 + 872 * 128 + (50 * 20 + (50 * 51) / 2));
    assert.equal(shape.prefillWindowedKeys, 1000 + 70);
    assert.equal(shape.decodeWindowedKeys, 11 + 3 * 128);
    // The plain sums are kept as before.
    assert.equal(shape.decodeContextSum, 10 + 3 * 5000);
    assert.equal(shape.prefillKeys, 1000 + 70);
  });
});
