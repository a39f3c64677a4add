import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { moeLayers } from '../../../../src/engine/model/geometry.js';
import { loadShippedOpTables } from '../../../../src/engine/opdb/shipped.js';
import { EfficiencyGrid } from '../../../../src/engine/perf/efficiency-grid.js';
import { transferSourceFor } from '../../../../src/engine/perf/measured-ops.js';
import { EAGER_LAUNCH_SECONDS, ENGINE_OVERHEADS } from '../../../../src/engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { addVerification } from '../../../../src/engine/perf/speculation-cost.js';
import { type BreakdownEntry, compileStepModel } from '../../../../src/engine/perf/step-model.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';

const llama8b = getModel('llama-3.1-8b');
const plan = (tp: number): Plan => ({ tp, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' });
const vllm = { id: 'vllm' as const, version: '0.19' };

function decodeStep(batch: number, context: number) {
  const shape = createBatchShape(llama8b.slidingWindow);
  addUniformDecodes(shape, batch, context);
  return shape;
}

const entry = (entries: BreakdownEntry[], name: string) => {
  const found = entries.find((e) => e.name === name);
  assert.ok(found, `no ${name} in the breakdown`);
  return found;
};

describe('measured op tables in the step model', () => {
  it('times GEMMs, attention and all-reduce from the engine tables on a measured GPU, naming the source', () => {
    const model = compileStepModel(llama8b, getHardware('h100-sxm'), plan(2), { engine: vllm });
    const entries = model.breakdown(decodeStep(32, 1000));
    assert.match(
      entry(entries, 'qkv_proj').source ?? '',
      /^(measured|interpolated) from h100_sxm vllm .* gemm/,
    );
    assert.match(entry(entries, 'attention_decode').source ?? '', /h100_sxm vllm .* generationAttention/);
    assert.match(entry(entries, 'tp_all_reduce_mlp').source ?? '', /customAllReduce/);
    assert.match(entry(entries, 'input_norm').source ?? '', /^roofline/);
    assert.match(
      model.measured?.describe() ?? '',
      /vllm@0\.19 → measured vllm \S+ \(the nearest measured\) on h100_sxm/,
    );
  });

  it("uses the table's own time for a GEMM shape it measured", () => {
    const tables = loadShippedOpTables('h100_sxm', 'vllm');
    const model = compileStepModel(llama8b, getHardware('h100-sxm'), plan(1), { engine: vllm });
    // qkv_proj of Llama-3.1-8B at TP1: 4096 → (32 + 2·8)·128 = 6144 outputs; 32 decodes are 32 rows.
    const measured = tables.gemm({ m: 32, n: 6144, k: 4096, dtype: 'bfloat16' });
    const qkv = entry(model.breakdown(decodeStep(32, 1000)), 'qkv_proj');
    assert.ok(measured);
    assert.ok(Math.abs(qkv.seconds / qkv.calls - measured.seconds) < 1e-12);
  });

  it('transfers efficiencies to an unmeasured GPU of a measured class, and falls back to the roofline elsewhere', () => {
    const pcie = compileStepModel(llama8b, getHardware('h100-pcie'), plan(2), { engine: vllm });
    const entries = pcie.breakdown(decodeStep(32, 1000));
    assert.match(
      entry(entries, 'qkv_proj').source ?? '',
      /^transferred from h100-sxm \(efficiency 0\.\d\d\)/,
    );
    assert.match(entry(entries, 'attention_decode').source ?? '', /efficiency transferred from h100-sxm/);
    // The links differ: collectives keep the link model.
    assert.match(entry(entries, 'tp_all_reduce_mlp').source ?? '', /link model/);
    const amd = compileStepModel(llama8b, getHardware('mi300x'), plan(2), { engine: vllm });
    assert.equal(amd.measured, undefined);
    assert.match(
      entry(amd.breakdown(decodeStep(32, 1000)), 'qkv_proj').source ?? '',
      /^roofline × default:amd/,
    );
  });

  it('picks the measured GPU of the same class nearest in bandwidth to transfer from', () => {
    assert.equal(transferSourceFor(getHardware('h100-pcie'))?.id, 'h100-sxm');
    assert.equal(transferSourceFor(getHardware('l4'))?.id, 'l40s');
    assert.equal(transferSourceFor(getHardware('mi300x')), undefined);
  });

  it('a transferred GEMM keeps the measured efficiency: time scales with the speed of light', () => {
    const sxm = compileStepModel(llama8b, getHardware('h100-sxm'), plan(1), { engine: vllm });
    const pcie = compileStepModel(llama8b, getHardware('h100-pcie'), plan(1), { engine: vllm });
    // Decode GEMMs stream weights: the ratio is the two GPUs' memory bandwidths.
    const ratio = getHardware('h100-sxm').memoryBandwidth / getHardware('h100-pcie').memoryBandwidth;
    const time = (m: typeof sxm) => entry(m.breakdown(decodeStep(1, 100)), 'down_proj').seconds;
    assert.ok(Math.abs(time(pcie) / time(sxm) - ratio) < 1e-6);
  });

  it('--disable-custom-all-reduce times the all-reduce with NCCL', () => {
    const hw = getHardware('h100-sxm');
    const custom = compileStepModel(llama8b, hw, plan(4), { engine: vllm });
    const nccl = compileStepModel(llama8b, hw, plan(4), { engine: { ...vllm, customAllReduce: false } });
    const shape = decodeStep(16, 1000);
    const a = entry(custom.breakdown(shape), 'tp_all_reduce_mlp');
    const b = entry(nccl.breakdown(shape), 'tp_all_reduce_mlp');
    assert.match(b.source ?? '', /nccl .*custom all-reduce disabled/);
    assert.notEqual(a.seconds, b.seconds);
  });

  it('--enforce-eager adds a launch per kernel to every step; the engine overhead replaces the default', () => {
    const hw = getHardware('h100-sxm');
    const graphs = compileStepModel(llama8b, hw, plan(1), { engine: vllm });
    const eager = compileStepModel(llama8b, hw, plan(1), { engine: { ...vllm, cudaGraphs: false } });
    const shape = decodeStep(8, 500);
    const extra = eager.stepSeconds(shape) - graphs.stepSeconds(shape);
    // 32 layers of 10 ops, the attention core and the LM head: hundreds of launches.
    assert.ok(extra > 300 * EAGER_LAUNCH_SECONDS && extra < 500 * EAGER_LAUNCH_SECONDS, `extra ${extra}`);
    const o = ENGINE_OVERHEADS.vllm;
    const overhead = entry(graphs.breakdown(shape), 'step_overhead').seconds;
    assert.ok(
      Math.abs(overhead - (o.stepSeconds + 8 * o.perSequenceSeconds + 8 * o.perTokenSeconds)) < 1e-12,
    );
  });

  it('TensorRT-LLM runs a step with a prompt eagerly: the launches of --enforce-eager, none without one', () => {
    const hw = getHardware('h100-sxm');
    const trtllm = { id: 'trtllm' as const };
    const graphs = compileStepModel(llama8b, hw, plan(1), { engine: trtllm });
    const eager = compileStepModel(llama8b, hw, plan(1), { engine: { ...trtllm, cudaGraphs: false } });
    const launches = eager.stepSeconds(decodeStep(8, 500)) - graphs.stepSeconds(decodeStep(8, 500));
    assert.ok(launches > 300 * EAGER_LAUNCH_SECONDS, `launches ${launches}`);
    const overheadOf = (model: typeof graphs, shape: ReturnType<typeof decodeStep>) =>
      entry(model.breakdown(shape), 'step_overhead').seconds;
    const o = ENGINE_OVERHEADS.trtllm;
    const base = o.stepSeconds + 8 * o.perSequenceSeconds;
    const withPrompt = decodeStep(7, 500);
    addPrefillChunk(withPrompt, 512, 0, true);
    assert.ok(Math.abs(overheadOf(graphs, decodeStep(8, 500)) - base) < 1e-12);
    assert.ok(Math.abs(overheadOf(graphs, withPrompt) - base - launches) < 1e-9);
    // A speculative verification is a generation request: its step replays the graph.
    const verifying = decodeStep(7, 500);
    addVerification(verifying, 500, 3);
    assert.ok(Math.abs(overheadOf(graphs, verifying) - base) < 1e-12);
    // vLLM's graphs take mixed batches (piecewise) of up to their largest captured size (512 tokens by
    // default; cuda-graph-capture.test.ts times the larger ones): no such cost there.
    const vllmModel = compileStepModel(llama8b, hw, plan(1), { engine: vllm });
    const v = ENGINE_OVERHEADS.vllm;
    const smallPrompt = decodeStep(7, 500);
    addPrefillChunk(smallPrompt, 256, 0, true);
    assert.ok(
      Math.abs(overheadOf(vllmModel, smallPrompt) - (v.stepSeconds + 8 * v.perSequenceSeconds)) < 1e-12,
    );
  });

  it('prefill attention follows the measured context-attention table', () => {
    const tables = loadShippedOpTables('h100_sxm', 'vllm');
    const model = compileStepModel(llama8b, getHardware('h100-sxm'), plan(1), { engine: vllm });
    const shape = createBatchShape(llama8b.slidingWindow);
    addPrefillChunk(shape, 4096, 0, true);
    const measured = tables.contextAttention({ batch: 1, isl: 4096, heads: 32, kvHeads: 8, headDim: 128 });
    const predicted = model.prefillAttentionSeconds(shape);
    assert.ok(
      measured && Math.abs(predicted / measured.seconds - 1) < 0.01,
      `${predicted} vs ${measured?.seconds}`,
    );
  });

  it('takes a database given to it (--perf-db) in place of the shipped tables, for the GPU it measured', () => {
    const given = loadShippedOpTables('h200_sxm', 'sglang');
    const model = compileStepModel(llama8b, getHardware('h200'), plan(1), {
      engine: vllm,
      measuredTables: given,
    });
    assert.equal(model.measured?.tables, given);
    assert.equal(model.measured?.transferred, false);
    assert.match(entry(model.breakdown(decodeStep(4, 100)), 'qkv_proj').source ?? '', /h200_sxm sglang/);
  });

  it('a MoE at a TP degree the table did not measure pays its one-token latency plus 1/TP of the rest', () => {
    const gptOss = getModel('gpt-oss-120b');
    const trtllm = { id: 'trtllm' as const };
    const mxfp4 = (tp: number): Plan => ({ tp, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'fp8' });
    const experts = (tp: number, decodes: number) => {
      const shape = createBatchShape(gptOss.slidingWindow);
      addUniformDecodes(shape, decodes, 2048);
      const model = compileStepModel(gptOss, getHardware('h200'), mxfp4(tp), { engine: trtllm });
      return entry(model.breakdown(shape), 'experts_gate_up');
    };
    // H200's TensorRT-LLM table measured gpt-oss's mxfp4 MoE at TP 1 only: 1/8 of the time is not what TP 8 takes.
    const latency = experts(1, 1).seconds;
    for (const decodes of [4, 64]) {
      const tp8 = experts(8, decodes);
      assert.match(
        tp8.source ?? '',
        /tp 8: not measured; the one-token time at tp 1 \(latency\) \+ 1\/8 of the rest/,
      );
      const expected = latency + (experts(1, decodes).seconds - latency) / 8;
      assert.ok(Math.abs(tp8.seconds / expected - 1) < 1e-9, `${tp8.seconds} vs ${expected}`);
    }
    // The sharded kernel's time grows with the batch (the latency floor alone left it flat).
    assert.ok(experts(8, 64).seconds > 1.3 * experts(8, 4).seconds);
  });

  it('mxfp4 experts on Blackwell under TensorRT-LLM read its W4A8 MoE table (its only mxfp4 kernel there)', () => {
    const gptOss = getModel('gpt-oss-120b');
    const shape = createBatchShape(gptOss.slidingWindow);
    addUniformDecodes(shape, 8, 2048);
    const plan1: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'fp8' };
    const model = compileStepModel(gptOss, getHardware('b200'), plan1, { engine: { id: 'trtllm' } });
    assert.match(entry(model.breakdown(shape), 'experts_gate_up').source ?? '', /b200_sxm trtllm .* moe/);
  });

  it("a TP-sharded MoE in a format the engine did not measure takes another engine's measured kernel on the GPU", () => {
    // B200's TensorRT-LLM MoE table holds only W4A8 mxfp4; vLLM measured the nvfp4 kernel (TensorRT-LLM's,
    // through FlashInfer). An 8192-token prefill's experts then take vLLM's measured time, not roofline ×
    // the dense default, which priced them several times too fast.
    const deepseek = getModel('deepseek-v3');
    const shape = createBatchShape(deepseek.slidingWindow);
    addPrefillChunk(shape, 8192, 0, true);
    const nvfp4 = (ep: number): Plan => ({ tp: 8, pp: 1, dp: 1, ep, weightDtype: 'nvfp4', kvDtype: 'fp8' });
    const experts = (engine: 'trtllm' | 'vllm', ep: number) =>
      entry(
        compileStepModel(deepseek, getHardware('b200'), nvfp4(ep), { engine: { id: engine } }).breakdown(
          shape,
        ),
        'experts_gate_up',
      );
    const trtllm = experts('trtllm', 1);
    assert.match(
      trtllm.source ?? '',
      /^trtllm measured no nvfp4 MoE on b200_sxm: vllm's kernel, .*vllm .* moe/,
    );
    assert.equal(trtllm.seconds, experts('vllm', 1).seconds);
    // Under EP the engines feed the kernel differently: no stand-in, the roofline stays.
    assert.match(experts('trtllm', 8).source ?? '', /roofline/);
  });

  it("the engine's own MoE kernel measured on a sibling GPU of the class comes before another engine's", () => {
    // SGLang measured no MoE on B200 but did on GB200 (the same chip): its kernel, efficiency transferred,
    // under EP too.
    const deepseek = getModel('deepseek-v3');
    const shape = createBatchShape(deepseek.slidingWindow);
    addPrefillChunk(shape, 8192, 0, true);
    const ep8: Plan = { tp: 8, pp: 1, dp: 1, ep: 8, weightDtype: 'nvfp4', kvDtype: 'fp8' };
    const model = compileStepModel(deepseek, getHardware('b200'), ep8, { engine: { id: 'sglang' } });
    assert.match(
      entry(model.breakdown(shape), 'experts_gate_up').source ?? '',
      /^transferred from gb200 .*sglang measured no nvfp4 MoE on b200_sxm: its gb200 kernel, .*gb200 sglang .* moe/,
    );
  });
  it('TensorRT-LLM fuses the residual add, RoPE and, under TP, the norms into its neighbours', () => {
    const llama70b = getModel('llama-3.1-70b');
    const shape = createBatchShape(llama70b.slidingWindow);
    addUniformDecodes(shape, 8, 2048);
    const fp8 = (tp: number): Plan => ({ tp, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' });
    const steps = (engine: 'trtllm' | 'vllm', tp: number) =>
      compileStepModel(llama70b, getHardware('h200'), fp8(tp), { engine: { id: engine } }).breakdown(shape);
    const tp8 = steps('trtllm', 8);
    for (const name of ['residual_add', 'rope', 'input_norm', 'post_attention_norm'])
      assert.equal(entry(tp8, name).seconds, 0, name);
    assert.match(entry(tp8, 'post_attention_norm').source ?? '', /inside tp_all_reduce_attention/);
    // Without TP there is no all-reduce to carry the norms; vLLM keeps every kernel.
    assert.ok(entry(steps('trtllm', 1), 'input_norm').seconds > 0);
    assert.ok(entry(steps('vllm', 8), 'residual_add').seconds > 0);
  });

  it("TensorRT-LLM's fp8 GEMMs take fp8 input from the producing kernel: the table's dynamic quantization comes off", () => {
    const llama70b = getModel('llama-3.1-70b');
    const shape = createBatchShape(llama70b.slidingWindow);
    addUniformDecodes(shape, 8, 2048);
    const fp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
    const model = compileStepModel(llama70b, getHardware('h200'), fp8, { engine: { id: 'trtllm' } });
    const qkv = entry(model.breakdown(shape), 'qkv_proj');
    const tables = loadShippedOpTables('h200_sxm', 'trtllm');
    const table = tables.gemm({ m: 8, n: qkv.flops / (2 * 8 * 8192), k: 8192, dtype: 'fp8' });
    // The table's Linear had no input scale: it computed one (an amax over the input) on every call.
    const dynamic = tables.quantize({ m: 8, k: 8192, dtype: 'fp8', dynamicScale: true });
    const scalingOnly = tables.quantize({ m: 8, k: 8192, dtype: 'fp8', dynamicScale: false });
    assert.ok(table && dynamic && scalingOnly);
    assert.ok(dynamic.seconds > 3 * scalingOnly.seconds, `${dynamic.seconds} vs ${scalingOnly.seconds}`);
    const perCall = qkv.seconds / qkv.calls;
    assert.ok(
      Math.abs(perCall - (table.seconds - dynamic.seconds)) < 1e-12,
      `${perCall} vs ${table.seconds}`,
    );
    assert.match(qkv.source ?? '', /less its dynamic input quantization/);
  });

  it("an nvfp4 GEMM's table had a static input scale: only the scaling kernel comes off", () => {
    const llama70b = getModel('llama-3.1-70b');
    const shape = createBatchShape(llama70b.slidingWindow);
    addUniformDecodes(shape, 8, 2048);
    const fp4: Plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'nvfp4', kvDtype: 'fp8' };
    const model = compileStepModel(llama70b, getHardware('b200'), fp4, { engine: { id: 'trtllm' } });
    const qkv = entry(model.breakdown(shape), 'qkv_proj');
    const table = loadShippedOpTables('b200_sxm', 'trtllm').gemm({
      m: 8,
      n: qkv.flops / (2 * 8 * 8192),
      k: 8192,
      dtype: 'nvfp4',
    });
    assert.ok(table);
    const perCall = qkv.seconds / qkv.calls;
    assert.ok(perCall < table.seconds && perCall > table.seconds - 4e-6, `${perCall} vs ${table.seconds}`);
    assert.match(qkv.source ?? '', /less its input quantization/);
  });

  it("under TensorRT-LLM a block-scaled fp8 checkpoint's GEMMs read the block-scaled table; vLLM keeps per-tensor", () => {
    const deepseek = getModel('deepseek-v3');
    const shape = createBatchShape(deepseek.slidingWindow);
    addUniformDecodes(shape, 8, 2048);
    const fp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
    const model = compileStepModel(deepseek, getHardware('h200'), fp8, { engine: { id: 'trtllm' } });
    const tables = loadShippedOpTables('h200_sxm', 'trtllm');
    const oProj = entry(model.breakdown(shape), 'o_proj');
    const k = (128 * 128) / 8;
    const block = tables.gemm({ m: 8, n: 7168, k, dtype: 'fp8_block' });
    assert.ok(block);
    assert.ok(Math.abs(oProj.seconds / oProj.calls - block.seconds) < 1e-9 * block.seconds + 1e-12);
    const vllm = compileStepModel(deepseek, getHardware('h200'), fp8, { engine: { id: 'vllm' } });
    const vllmOProj = entry(vllm.breakdown(shape), 'o_proj');
    const perTensor = loadShippedOpTables('h200_sxm', 'vllm').gemm({ m: 8, n: 7168, k, dtype: 'fp8' });
    assert.ok(perTensor);
    assert.ok(Math.abs(vllmOProj.seconds / vllmOProj.calls - perTensor.seconds) < 1e-9 * perTensor.seconds);
  });

  it("SGLang times a block-scaled fp8 checkpoint's linear layers with DeepGEMM's table unless DeepGEMM is off", () => {
    const qwen = getModel('qwen3.5-397b-a17b-fp8');
    const shape = createBatchShape(qwen.slidingWindow);
    addUniformDecodes(shape, 8, 1500);
    const fp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
    const oProj = (engine: { id: 'sglang'; deepGemm?: boolean }) => {
      const e = entry(
        compileStepModel(qwen, getHardware('b200'), fp8, { engine }).breakdown(shape),
        'o_proj',
      );
      return { seconds: e.seconds / e.calls, source: e.source ?? '' };
    };
    const tables = loadShippedOpTables('b200_sxm', 'sglang');
    // o_proj: 32 heads of 256 over TP8 in, hidden 4096 out.
    const block = tables.gemm({ m: 8, n: 4096, k: 1024, dtype: 'fp8_block' });
    const perTensor = tables.gemm({ m: 8, n: 4096, k: 1024, dtype: 'fp8' });
    assert.ok(block && perTensor && block.seconds > perTensor.seconds);
    const deepGemm = oProj({ id: 'sglang' });
    assert.match(deepGemm.source, /sglang_deepgemm_gemm_nt_f8f8bf16/);
    assert.ok(Math.abs(deepGemm.seconds / block.seconds - 1) < 1e-9);
    const flashInfer = oProj({ id: 'sglang', deepGemm: false });
    assert.match(flashInfer.source, /sglang_sgl_kernel_fp8_scaled_mm/);
    assert.ok(Math.abs(flashInfer.seconds / perTensor.seconds - 1) < 1e-9);
  });

  it("a block-scaled fp8 checkpoint's routed experts read the block-scaled MoE table", () => {
    const deepseek = getModel('deepseek-v3');
    const shape = createBatchShape(deepseek.slidingWindow);
    addUniformDecodes(shape, 4, 1024);
    const fp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
    const model = compileStepModel(deepseek, getHardware('h200'), fp8, { engine: { id: 'trtllm' } });
    const experts = entry(model.breakdown(shape), 'experts_gate_up');
    const [moe] = moeLayers(deepseek);
    assert.ok(moe);
    const tables = loadShippedOpTables('h200_sxm', 'trtllm');
    const query = {
      tokens: 4,
      hidden: deepseek.hiddenSize,
      inter: moe.width,
      topk: moe.topK,
      experts: moe.experts,
      tp: 8,
      ep: 1,
    };
    const block = tables.moe({ ...query, dtype: 'fp8_block' });
    assert.ok(block);
    assert.ok(Math.abs(experts.seconds / experts.calls - block.seconds) <= 1e-9 * block.seconds);
  });

  it("times a block-scaled fp8 checkpoint's experts with the block-fp8 MoE kernel, per-tensor fp8 with its own", () => {
    const tables = loadShippedOpTables('h200_sxm', 'vllm');
    const fp8Plan: Plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
    const shape = createBatchShape(undefined);
    addUniformDecodes(shape, 32, 1000);
    // Qwen3-235B-A22B: hidden 4096, 128 experts of width 1536, top-8; TP4 shards every expert.
    const query = { tokens: 32, hidden: 4096, inter: 1536, topk: 8, experts: 128, tp: 4, ep: 1 };
    const expertsPerLayer = (id: string) => {
      const model = compileStepModel(getModel(id), getHardware('h200'), fp8Plan, { engine: vllm });
      const experts = entry(model.breakdown(shape), 'experts_gate_up');
      return { seconds: experts.seconds / experts.calls, source: experts.source ?? '' };
    };
    // The published FP8 checkpoint stores 128×128 blocks (weight_block_size): vLLM's Fp8MoEMethod.
    const block = expertsPerLayer('qwen3-235b-a22b-fp8');
    const blockMeasured = tables.moe({ ...query, dtype: 'fp8_block' });
    assert.ok(blockMeasured && Math.abs(block.seconds / blockMeasured.seconds - 1) < 1e-9);
    assert.match(block.source, /moe \[vllm_fp8moe/);
    // The 16-bit checkpoint quantized to per-tensor fp8 (a ModelOpt checkpoint) runs the fp8 kernel.
    const perTensor = expertsPerLayer('qwen3-235b-a22b');
    const perTensorMeasured = tables.moe({ ...query, dtype: 'fp8' });
    assert.ok(perTensorMeasured && Math.abs(perTensor.seconds / perTensorMeasured.seconds - 1) < 1e-9);
    assert.notEqual(block.seconds, perTensor.seconds);
  });

  it("all-reduces MiniMax-M2's q/k norm over the TP group in every layer, and not a per-head norm", () => {
    const shape = createBatchShape(undefined);
    addUniformDecodes(shape, 8, 1000);
    const tp4: Plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
    const names = (id: string, plan: Plan) =>
      compileStepModel(getModel(id), getHardware('b200'), plan, { engine: vllm })
        .breakdown(shape)
        .filter((e) => e.name === 'tp_all_reduce_qk_norm');
    const [norm] = names('minimax-m2', tp4);
    assert.ok(norm && norm.seconds > 0);
    assert.equal(norm.calls, 62);
    // Two fp32 squared sums per token.
    assert.equal(norm.bytes, 8 * 2 * 4);
    assert.match(norm.source ?? '', /customAllReduce/);
    assert.equal(names('minimax-m2', { ...tp4, tp: 1 }).length, 0);
    assert.equal(names('qwen3-32b', tp4).length, 0);
  });

  it("times an engine's per-tensor fp8 experts with its own block-fp8 kernel before another engine's", () => {
    // SGLang measured only its block-scaled Triton fused MoE on H200: the same kernel family runs
    // per-tensor fp8 experts (GLM-5 re-quantized to fp8), not vLLM's ModelOpt FlashInfer kernel.
    const glm = getModel('glm-5');
    const fp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'bf16' };
    const shape = createBatchShape(undefined);
    addUniformDecodes(shape, 4, 1500);
    const experts = entry(
      compileStepModel(glm, getHardware('h200'), fp8, { engine: { id: 'sglang' } }).breakdown(shape),
      'experts_gate_up',
    );
    assert.match(experts.source ?? '', /h200_sxm sglang .*moe \[sglang_fused_moe_triton\]/);
    assert.doesNotMatch(experts.source ?? '', /vllm/);
  });

  it('all-reduces over more GPUs than were measured keep the link model', () => {
    const model = compileStepModel(getModel('llama-3.1-70b'), getHardware('h100-sxm'), plan(16), {
      engine: vllm,
    });
    const shape = createBatchShape(undefined);
    addUniformDecodes(shape, 16, 1000);
    assert.match(entry(model.breakdown(shape), 'tp_all_reduce_mlp').source ?? '', /link model/);
  });

  it('the simulator times steps with the engine named in its config', () => {
    const workload = loadWorkload('constant:rate=1000,prompt=fixed(512),output=fixed(64),n=16', { seed: 0 });
    const run = (engine?: typeof vllm) =>
      simulate(
        {
          model: 'llama-3.1-8b',
          hardware: 'h100-sxm',
          deployment: { kind: 'colocated', pool: { plan: plan(1), scheduler: { policy: 'vllm-v1' } } },
          ...(engine ? { engine } : {}),
        },
        workload,
        { closedLoop: { concurrency: 8 } },
      );
    const roofline = run();
    const measured = run(vllm);
    assert.ok(roofline.tpot && measured.tpot);
    assert.notEqual(roofline.tpot.mean, measured.tpot.mean);
  });
});

describe('EfficiencyGrid', () => {
  const grid = new EfficiencyGrid([1, 4], [10, 1000], Float64Array.from([0.1, 0.5, 0.3, 0.9]));
  it('is exact at its points and bilinear in log batch and log length between them', () => {
    assert.equal(grid.at(1, 10), 0.1);
    assert.equal(grid.at(4, 1000), 0.9);
    assert.ok(Math.abs(grid.at(2, 100) - (0.1 + 0.5 + 0.3 + 0.9) / 4) < 1e-12);
  });
  it('holds its edge values outside the grid', () => {
    assert.equal(grid.at(100, 1e6), 0.9);
    assert.equal(grid.at(0.5, 1), 0.1);
  });
});
