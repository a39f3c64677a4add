import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { layerOpCosts, lmHeadCost } from '../../../../src/engine/model/cost.js';
import { type Calibration, defaultCalibrationFor } from '../../../../src/engine/perf/calibration.js';
import { allReduceSeconds } from '../../../../src/engine/perf/comm.js';
import { importOpTablesCsv } from '../../../../src/engine/perf/op-tables.js';
import { calibrationFromProfile } from '../../../../src/engine/perf/profile-calibration.js';
import {
  addDecode,
  addPrefillChunk,
  addUniformDecodes,
  createBatchShape,
} from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { emptyProfile, timing } from '../../helpers/profile.js';

const llama70b = getModel('llama-3.1-70b');
const llama8b = getModel('llama-3.1-8b');
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

/** Efficiency 1 everywhere and no fixed costs: times are pure roofline. */
function idealCalibration(): Calibration {
  return {
    ...defaultCalibrationFor(h100),
    source: 'ideal',
    gemm: [[1, 1]],
    prefillAttention: [[1, 1]],
    decodeAttention: [[1, 1]],
    elementwise: [[1, 1]],
    kernelLaunchSeconds: 0,
    stepOverheadSeconds: 0,
    perSequenceOverheadSeconds: 0,
    collectiveEfficiency: 1,
    singleSequenceBandwidthShare: 1,
  };
}

describe('step-time model', () => {
  it('costs each op exactly as model/cost.ts does', () => {
    const model = compileStepModel(llama70b, h100, plan(4));
    const shape = createBatchShape();
    addPrefillChunk(shape, 300, 700, true);
    addDecode(shape, 1200);
    addDecode(shape, 50);
    const reference = layerOpCosts(
      llama70b,
      { weight: { dtype: 'bf16' }, kv: 'bf16' },
      [
        { tokens: 300, context: 700 },
        { tokens: 1, context: 1200 },
        { tokens: 1, context: 50 },
      ],
      4,
    );
    const entries = model.breakdown(shape);
    for (const op of reference) {
      if (op.kind === 'attention') {
        const parts = entries.filter((e) => e.kind === 'attention');
        const flops = parts.reduce((s, e) => s + e.flops, 0);
        const bytes = parts.reduce((s, e) => s + e.bytes, 0);
        assert.ok(Math.abs(flops - op.flops) / op.flops < 1e-12, 'attention flops');
        assert.ok(Math.abs(bytes - op.bytes) / op.bytes < 1e-12, 'attention bytes');
        continue;
      }
      const entry = entries.find((e) => e.name === op.name);
      assert.ok(entry, `missing ${op.name}`);
      assert.equal(entry.flops, op.flops, op.name);
      assert.equal(entry.bytes, op.bytes, op.name);
      assert.equal(entry.calls, llama70b.numLayers);
    }
    const head = entries.find((e) => e.name === 'lm_head');
    assert.equal(head?.flops, lmHeadCost(llama70b, 3, 4).flops);
  });

  it('gives the roofline time when every efficiency is 1', () => {
    const model = compileStepModel(llama8b, h100, plan(1), { calibration: idealCalibration() });
    const shape = createBatchShape();
    addUniformDecodes(shape, 1, 0);
    const qkv = model.breakdown(shape).find((e) => e.name === 'qkv_proj')!;
    const expected = Math.max(qkv.flops / h100.tensorFlops.fp16, qkv.bytes / h100.memoryBandwidth);
    assert.ok(Math.abs(qkv.seconds / llama8b.numLayers - expected) < 1e-15);
  });

  it('hot path equals the op-by-op sum (exact below 64 tokens, within 0.5% above)', () => {
    const model = compileStepModel(llama70b, h100, plan(8));
    for (const [prefill, context, decodes] of [
      [0, 0, 1],
      [0, 0, 37],
      [17, 0, 20],
      [500, 1000, 100],
      [4096, 0, 0],
      [1234, 4321, 77],
      [20000, 0, 3],
    ]) {
      const shape = createBatchShape();
      if (prefill > 0) addPrefillChunk(shape, prefill, context, true);
      addUniformDecodes(shape, decodes, 900);
      const sum = model.breakdown(shape).reduce((s, e) => s + e.seconds, 0);
      const hot = model.stepSeconds(shape);
      const tolerance = prefill + decodes <= 64 ? 1e-9 : 5e-3;
      assert.ok(Math.abs(hot - sum) / sum < tolerance, `${prefill}+${decodes}: ${hot} vs ${sum}`);
    }
  });

  it('grows with batch, context and prefill length', () => {
    const model = compileStepModel(llama70b, h100, plan(8));
    const time = (decodes: number, context: number, prefill = 0) => {
      const shape = createBatchShape();
      addUniformDecodes(shape, decodes, context);
      if (prefill > 0) addPrefillChunk(shape, prefill, 0, true);
      return model.stepSeconds(shape);
    };
    assert.ok(time(64, 1000) > time(8, 1000));
    assert.ok(time(64, 8000) > time(64, 1000));
    assert.ok(time(0, 0, 8192) > 3 * time(0, 0, 2048));
    // Decode is bandwidth-bound: 8 sequences cost far less than 8× one.
    assert.ok(time(8, 1000) < 2 * time(1, 1000));
  });

  it('prefill attention grows with chunk × context', () => {
    const model = compileStepModel(llama8b, h100, plan(1));
    const at = (context: number) => {
      const shape = createBatchShape();
      addPrefillChunk(shape, 512, context, true);
      return model.prefillAttentionSeconds(shape);
    };
    assert.ok(at(16384) > 4 * at(1024));
  });

  it('pays TP all-reduces only when TP > 1, and EP all-to-all instead of the MLP all-reduce', () => {
    const shape = createBatchShape();
    addUniformDecodes(shape, 16, 512);
    const names = (p: Plan, m = llama70b) =>
      compileStepModel(m, h100, p)
        .breakdown(shape)
        .map((e) => e.name);
    assert.ok(!names(plan(1, { weightDtype: 'fp8' }), llama8b).some((n) => n.startsWith('tp_')));
    assert.ok(names(plan(8)).includes('tp_all_reduce_mlp'));
    const mixtral = getModel('mixtral-8x7b');
    // EP over attention-DP ranks: the all-to-all; EP inside one TP group: the all-reduce.
    const ep = names(plan(1, { dp: 8, ep: 8 }), mixtral);
    assert.ok(ep.includes('ep_dispatch') && ep.includes('ep_combine'));
    assert.ok(!ep.includes('tp_all_reduce_mlp'));
    const tpEp = names(plan(8, { ep: 8 }), mixtral);
    assert.ok(tpEp.includes('tp_all_reduce_mlp') && !tpEp.includes('ep_dispatch'));
  });

  it('adds pipeline sends between stages', () => {
    const shape = createBatchShape();
    addUniformDecodes(shape, 8, 100);
    const pp = compileStepModel(llama70b, h100, plan(4, { pp: 2 }));
    const entry = pp.breakdown(shape).find((e) => e.name === 'pp_send');
    assert.ok(entry && entry.seconds > 0 && entry.calls === 1);
  });

  it('fp8 weights make weight-bound decode faster', () => {
    const shape = createBatchShape();
    addUniformDecodes(shape, 4, 256);
    const bf16 = compileStepModel(llama70b, h100, plan(8)).stepSeconds(shape);
    const fp8 = compileStepModel(llama70b, h100, plan(8, { weightDtype: 'fp8' })).stepSeconds(shape);
    assert.ok(fp8 < 0.8 * bf16);
  });

  it('charges each prefill chunk its host cost, and decodes only their own', () => {
    const calibration = { ...idealCalibration(), perSequenceOverheadSeconds: 1e-5 };
    const without = compileStepModel(llama8b, h100, plan(1), { calibration });
    const withChunks = compileStepModel(llama8b, h100, plan(1), {
      calibration: { ...calibration, perPrefillChunkOverheadSeconds: 4e-4 },
    });
    const decodes = createBatchShape();
    addDecode(decodes, 100);
    addDecode(decodes, 300);
    assert.equal(withChunks.stepSeconds(decodes), without.stepSeconds(decodes));
    const mixed = createBatchShape();
    addDecode(mixed, 100);
    addPrefillChunk(mixed, 64, 0, false);
    addPrefillChunk(mixed, 32, 64, true);
    const extra = withChunks.stepSeconds(mixed) - without.stepSeconds(mixed);
    assert.ok(Math.abs(extra - 2 * 4e-4) < 1e-12, `extra ${extra}`);
    const overhead = withChunks.breakdown(mixed).find((e) => e.name === 'step_overhead')!;
    assert.ok(Math.abs(overhead.seconds - (3 * 1e-5 + 2 * 4e-4)) < 1e-12);
  });

  it('rejects a plan that does not divide the model', () => {
    assert.throws(
      () => compileStepModel(llama70b, h100, plan(3)),
      (e) => isServeTuneError(e),
    );
  });
});

describe('communication', () => {
  const link = { bytesPerSecond: 100e9, latencySeconds: 5e-6 };
  it('a large ring all-reduce moves 2(n-1)/n of the message per GPU', () => {
    const bytes = 1e9;
    const t = allReduceSeconds(bytes, 8, link, 1);
    const bandwidthTerm = ((2 * 7) / 8) * (bytes / 100e9);
    assert.ok(Math.abs(t - bandwidthTerm - 14 * 5e-6) < 1e-12);
  });
  it('a small all-reduce is latency-bound and costs nothing on one GPU', () => {
    assert.ok(allReduceSeconds(1024, 8, link, 1) < 12e-6);
    assert.equal(allReduceSeconds(1e6, 1, link, 1), 0);
  });
});

describe('calibration from a measured profile', () => {
  it('turns measured / speed-of-light into efficiencies, and reproduces the measured GEMM time on the same device', () => {
    const peakF16 = 2e12;
    const bw = 100e9;
    const sol = (m: number, n: number, k: number) =>
      Math.max((2 * m * n * k) / peakF16, ((m * k + n * k + m * n) * 2) / bw);
    const gemm = [1, 16, 256, 2048].map((m) => ({
      kernel: 'tiled' as const,
      dtype: 'f16' as const,
      m,
      n: 4096,
      k: 4096,
      time: timing(sol(m, 4096, 4096) / 0.4),
      flopsPerSecond: 1,
      bytesPerSecond: 1,
    }));
    const profile = emptyProfile({ gemm });
    const target = {
      ...h100,
      id: 'profiled',
      tensorFlops: { fp16: peakF16, fp8: null, fp4: null },
      memoryBandwidth: bw,
    };
    const calibration = calibrationFromProfile(profile, target, { sameDevice: true });
    for (const [, e] of calibration.gemm) assert.ok(Math.abs(e - 0.4) < 1e-9);
    assert.equal(calibration.kernelLaunchSeconds, profile.dispatchOverheadSeconds);
    // Carried to H100, the efficiency stays and the overheads revert to the device's defaults.
    const carried = calibrationFromProfile(profile, h100, { sameDevice: false });
    assert.equal(carried.kernelLaunchSeconds, defaultCalibrationFor(h100).kernelLaunchSeconds);
    const model = compileStepModel(llama8b, h100, plan(1), {
      calibration: { ...idealCalibration(), gemm: carried.gemm },
    });
    const ideal = compileStepModel(llama8b, h100, plan(1), { calibration: idealCalibration() });
    const shape = createBatchShape();
    addPrefillChunk(shape, 256, 0, true);
    const slow = model.breakdown(shape).find((e) => e.name === 'down_proj')!.seconds;
    const fast = ideal.breakdown(shape).find((e) => e.name === 'down_proj')!.seconds;
    assert.ok(Math.abs(slow / fast - 1 / 0.4) < 1e-6);
  });
});

describe('imported op tables', () => {
  const mlp = [
    'num_tokens,num_tensor_parallel_workers,n_embd,time_stats.attn_pre_proj.median,time_stats.mlp_up_proj.median',
    '1,2,4096,0.010,0.050',
    '128,2,4096,0.020,0.100',
    '1,1,4096,0.030,0.150',
  ].join('\n');

  it('replace the roofline for the ops they measure, interpolated over tokens', () => {
    const tables = importOpTablesCsv(mlp, 'mlp.csv');
    const model = compileStepModel(llama8b, h100, plan(2), { opTables: tables });
    const shape = createBatchShape();
    addUniformDecodes(shape, 1, 10);
    const qkv = model.breakdown(shape).find((e) => e.name === 'qkv_proj')!;
    assert.ok(Math.abs(qkv.seconds / llama8b.numLayers - 0.01e-3) < 1e-12);
    const mid = createBatchShape();
    addPrefillChunk(mid, 64, 0, true);
    const up = model.breakdown(mid).find((e) => e.name === 'gate_up_proj')!;
    const expected = 0.05e-3 + ((64 - 1) / 127) * 0.05e-3;
    assert.ok(Math.abs(up.seconds / llama8b.numLayers - expected) < 1e-12);
  });

  it('read Vidur all-reduce tables (size in bytes, ms)', () => {
    const tables = importOpTablesCsv(
      'num_workers,size,time_stats.all_reduce.median\n2,1024,0.01\n2,1048576,0.05\n',
      'ar.csv',
    );
    assert.deepEqual(tables.allReduce[0], { workers: 2, bytes: 1024, seconds: 0.01e-3 });
  });

  it('name the file, line and field of a bad value', () => {
    const bad = 'num_tokens,num_tensor_parallel_workers,time_stats.mlp_up_proj.median\n1,1,0.1\n2,1,abc\n';
    assert.throws(
      () => importOpTablesCsv(bad, 'mine.csv'),
      (e) => isServeTuneError(e) && e.where === 'mine.csv:3:time_stats.mlp_up_proj.median',
    );
  });
});
