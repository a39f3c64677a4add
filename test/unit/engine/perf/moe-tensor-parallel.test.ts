import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConfig } from '../../../../src/engine/config/index.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { describePlan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { moeTensorParallelMessages } from '../../../../src/engine/perf/moe-tensor-parallel.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';

const deepseek = getModel('deepseek-r1');
const b300 = getHardware('b300');
const trtllm = { id: 'trtllm', version: '0.8.1.post1', moeBackend: 'trtllm-gen' } as const;
const base: Plan = { tp: 1, pp: 1, dp: 8, ep: 8, weightDtype: 'fp8', kvDtype: 'fp8' };

function decodeStep(plan: Plan, decodes: number) {
  const model = compileStepModel(deepseek, b300, plan, { engine: trtllm });
  const batch = createBatchShape();
  addUniformDecodes(batch, decodes, 2048);
  return { seconds: model.stepSeconds(batch), ops: new Map(model.breakdown(batch).map((e) => [e.name, e])) };
}

describe('MoE tensor parallelism over attention-DP ranks (TensorRT-LLM moe_expert_parallel_size 1)', () => {
  it('all-gathers the fp8-quantized tokens and reduce-scatters 16-bit outputs (TensorRT-LLM)', () => {
    const m = moeTensorParallelMessages({
      rankTokens: 128,
      hidden: 7168,
      groupRanks: 8,
      weightDtype: 'fp8',
      quantizesBeforeGather: true,
    });
    assert.equal(m.allGather, 128 * 8 * 7168 * (1 + 4 / 128));
    assert.equal(m.reduceScatter, 128 * 8 * 7168 * 2);
    const other = moeTensorParallelMessages({
      rankTokens: 128,
      hidden: 7168,
      groupRanks: 8,
      weightDtype: 'fp8',
      quantizesBeforeGather: false,
    });
    assert.equal(other.allGather, 128 * 8 * 7168 * 2);
  });

  it("runs each rank's 1/8 slice of every expert over the group's tokens, as TP8 does over all of them", () => {
    const sharded = decodeStep({ ...base, moeTensorParallel: true }, 128);
    const tp8 = decodeStep({ ...base, tp: 8, dp: 1, ep: 1 }, 8 * 128);
    const kernel = sharded.ops.get('experts_gate_up');
    assert.ok(kernel);
    // The same fused kernel query: 1,024 tokens at moe_tp 8, read from a measured trtllm-gen table.
    assert.equal(kernel.seconds, tp8.ops.get('experts_gate_up')?.seconds);
    assert.match(kernel.source ?? '', /moe \[.*trtllm/);
    // The collectives of MoE TP, not the all-to-all.
    assert.ok(sharded.ops.has('moe_all_gather') && sharded.ops.has('moe_reduce_scatter'));
    assert.ok(!sharded.ops.has('ep_dispatch') && !sharded.ops.has('ep_combine'));
    assert.equal(sharded.ops.get('moe_all_gather')?.bytes, 128 * 8 * 7168 * (1 + 4 / 128));
  });

  it('prices a large attention-DP decode step above whole experts on the same GPUs', () => {
    // B300 DP8, 1,024 decodes a rank: the trtllm-gen kernel at moe_tp 8 over 8,192 tokens is slower than
    // a rank's 32 whole experts over its dispatched tokens.
    const sharded = decodeStep({ ...base, moeTensorParallel: true }, 1024);
    const whole = decodeStep(base, 1024);
    assert.ok(sharded.seconds > 1.2 * whole.seconds, `${sharded.seconds} against ${whole.seconds}`);
  });

  it('names the plan as MoE TP', () => {
    assert.equal(describePlan({ ...base, moeTensorParallel: true }), 'TP1 × DP8 × MoE TP8');
    assert.equal(describePlan(base), 'TP1 × DP8 × EP8');
  });

  it("reads a TensorRT-LLM attention-DP server's moe_expert_parallel_size 1 (or none) as MoE TP", () => {
    const planOf = (yaml: string) => {
      const script =
        'trtllm-serve deepseek-ai/DeepSeek-R1 --tp_size 8 --extra_llm_api_options /c/extra.yaml\n';
      const block = readConfig('/c/serve.sh', script, { readFile: () => yaml }).blocks[0];
      return resolveBlock(block, 0, { hardware: 'b300' }).pool.plan;
    };
    const sharded = planOf('enable_attention_dp: true\nmoe_expert_parallel_size: 1\n');
    assert.deepEqual([sharded.tp, sharded.dp, sharded.ep, sharded.moeTensorParallel], [1, 8, 8, true]);
    assert.equal(planOf('enable_attention_dp: true\n').moeTensorParallel, true);
    const dep = planOf('enable_attention_dp: true\nmoe_expert_parallel_size: 8\n');
    assert.deepEqual([dep.ep, dep.moeTensorParallel], [8, undefined]);
    // Without attention DP the experts are TP-sharded with the rest, as before.
    assert.equal(planOf('moe_expert_parallel_size: 1\n').moeTensorParallel, undefined);
  });
});
