import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseBlock } from '../../../../src/engine/config/diagnostics.js';
import { readConfig } from '../../../../src/engine/config/index.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { weightBytesPerGpu } from '../../../../src/engine/memory/model.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { moeLayers } from '../../../../src/engine/model/geometry.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import type { Candidate } from '../../../../src/engine/search/schema.js';
import { feasibleReplicaShapes, type SpaceInput } from '../../../../src/engine/search/space.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';

// vLLM's --data-parallel-size without --enable-expert-parallel on a MoE model: the experts form one
// tensor-parallel group of DP × TP GPUs (engines/data-parallel-experts.ts).
const qwen = getModel('qwen3-235b-a22b-fp8');
const h200 = getHardware('h200');
const vllm = { id: 'vllm', version: '0.12.0' } as const;
const ep2: Plan = { tp: 1, pp: 1, dp: 2, ep: 2, weightDtype: 'fp8', kvDtype: 'fp8' };
const moeTp2: Plan = { ...ep2, moeTensorParallel: true };

const resolve = (script: string, hardware = 'h200') =>
  resolveBlock(readConfig('/x/serve.sh', script).blocks[0], 0, { hardware });

function decodeStep(plan: Plan, decodes: number) {
  const model = compileStepModel(qwen, h200, plan, { engine: vllm });
  const batch = createBatchShape();
  addUniformDecodes(batch, decodes, 2048);
  return new Map(model.breakdown(batch).map((e) => [e.name, e]));
}

describe('vLLM data parallelism of a MoE model without expert parallelism', () => {
  it('reads --data-parallel-size without --enable-expert-parallel as MoE TP over DP × TP', () => {
    const plain = resolve('vllm serve Qwen/Qwen3-235B-A22B-FP8 --data-parallel-size 2\n').pool.plan;
    assert.deepEqual([plain.tp, plain.dp, plain.ep, plain.moeTensorParallel], [1, 2, 2, true]);
    const tp2 = resolve(
      'vllm serve Qwen/Qwen3-235B-A22B-FP8 --data-parallel-size 2 --tensor-parallel-size 2\n',
    ).pool.plan;
    assert.deepEqual([tp2.tp, tp2.dp, tp2.ep, tp2.moeTensorParallel], [2, 2, 4, true]);
    // Expert parallelism asked for: whole experts over the ranks, as before.
    const expert = resolve(
      'vllm serve Qwen/Qwen3-235B-A22B-FP8 --data-parallel-size 2 --enable-expert-parallel\n',
    ).pool.plan;
    assert.deepEqual([expert.ep, expert.moeTensorParallel], [2, undefined]);
    // A dense model's DP ranks are independent replicas.
    const dense = resolve('vllm serve Qwen/Qwen3-32B --data-parallel-size 2\n').pool.plan;
    assert.deepEqual([dense.dp, dense.ep, dense.moeTensorParallel], [2, 1, undefined]);
  });

  it("checks such a file's memory over both GPUs: 235 GB of fp8 weights fit two H200s", () => {
    const block = readConfig('/x/serve.sh', 'vllm serve Qwen/Qwen3-235B-A22B-FP8 --data-parallel-size 2\n')
      .blocks[0];
    const messages = diagnoseBlock(block, { hardware: 'h200' }).map((d) => d.message);
    assert.ok(
      messages.every((m) => !/weights need/.test(m)),
      JSON.stringify(messages),
    );
  });

  it('holds a 1/(DP × TP) slice of every expert on each GPU, with every expert’s biases', () => {
    // Qwen3's experts have no biases: the same expert bytes a GPU as whole experts over EP 2.
    assert.equal(weightBytesPerGpu(qwen, moeTp2), weightBytesPerGpu(qwen, ep2));
    // gpt-oss's do: each GPU holds the down bias (hidden values, 16-bit) of all its experts, not half.
    const gptOss = getModel('gpt-oss-120b');
    const plan: Plan = { ...ep2, weightDtype: 'mxfp4', kvDtype: 'bf16' };
    const moe = moeLayers(gptOss);
    const extra = moe.length > 0 ? gptOss.numLayers * (moe[0].experts / 2) * gptOss.hiddenSize * 2 : 0;
    assert.ok(extra > 0);
    const sharded = weightBytesPerGpu(gptOss, { ...plan, moeTensorParallel: true });
    assert.equal(sharded - weightBytesPerGpu(gptOss, plan), extra);
  });

  it("runs the MoE at moe TP 2 over both ranks' tokens between an all-gather and a reduce-scatter", () => {
    const sharded = decodeStep(moeTp2, 4);
    const whole = decodeStep(ep2, 4);
    // vLLM 0.12's padded DeepGEMM experts: all 128 experts a GPU at half width, not 64 whole ones.
    assert.match(sharded.get('experts_gate_up')?.source ?? '', /16384 padded rows \(64 routed\)/);
    assert.match(whole.get('experts_gate_up')?.source ?? '', /8192 padded rows/);
    // The 16-bit hidden states of both ranks gathered (vLLM gathers before quantizing), no all-to-all.
    assert.equal(sharded.get('moe_all_gather')?.bytes, 4 * 2 * qwen.hiddenSize * 2);
    assert.equal(sharded.get('moe_reduce_scatter')?.bytes, 4 * 2 * qwen.hiddenSize * 2);
    assert.ok(!sharded.has('ep_dispatch') && whole.has('ep_dispatch'));
  });

  it('with TP per rank, gathers over the DP ranks and sums the TP slices with an all-reduce', () => {
    const steps = decodeStep({ ...moeTp2, tp: 2, ep: 4 }, 4);
    // Each rank's 4 tokens, held by both of its TP GPUs, gathered over the 2 DP ranks.
    assert.equal(steps.get('moe_all_gather')?.bytes, 4 * 2 * qwen.hiddenSize * 2);
    assert.equal(steps.get('tp_all_reduce_mlp')?.bytes, 4 * qwen.hiddenSize * 2);
  });

  it('emits --data-parallel-size without --enable-expert-parallel for such a plan', () => {
    const knobs = {
      maxNumSeqs: 64,
      maxNumBatchedTokens: 8192,
      chunkedPrefill: true,
      blockSize: 16,
      gpuMemoryUtilization: 0.9,
    };
    const argvOf = (plan: Plan) => {
      const candidate: Candidate = { kind: 'colocated', id: 'dp', pool: { plan, knobs } };
      const servers = engineSettingsFor('vllm', qwen, candidate, 8192, { hardware: h200 }).servers;
      assert.equal(servers.length, 1);
      return servers[0].argv;
    };
    const sharded = argvOf(moeTp2);
    assert.ok(sharded.join(' ').includes('--data-parallel-size 2'), sharded.join(' '));
    assert.ok(!sharded.includes('--enable-expert-parallel'), sharded.join(' '));
    // Read back, the command is the same plan.
    const back = resolve(`${sharded.join(' ')}\n`).pool.plan;
    assert.deepEqual([back.tp, back.dp, back.ep, back.moeTensorParallel], [1, 2, 2, true]);
    assert.ok(argvOf(ep2).includes('--enable-expert-parallel'));
  });

  it("searches only the expert-parallel sizes vLLM can run: EP off, or over the server's whole TP", () => {
    const input = (engine: SpaceInput['engine']): SpaceInput => ({
      model: qwen,
      hardware: h200,
      gpus: 8,
      engine,
      maxSequenceTokens: 8192,
      allowQuantization: false,
      disaggregation: false,
    });
    const shapesOf = (engine: SpaceInput['engine']) =>
      feasibleReplicaShapes(input(engine), 8)
        .shapes.filter((s) => s.pp === 1)
        .map((s) => `TP${s.tp}×EP${s.ep}`)
        .sort();
    // --enable-expert-parallel has no size: vLLM's EP is TP × DP, never TP8 × EP2.
    assert.deepEqual(shapesOf('vllm'), ['TP2×EP1', 'TP2×EP2', 'TP4×EP1', 'TP4×EP4', 'TP8×EP1', 'TP8×EP8']);
    // SGLang's --ep-size may split a TP group.
    assert.ok(shapesOf('sglang').includes('TP8×EP2'));
  });
});
