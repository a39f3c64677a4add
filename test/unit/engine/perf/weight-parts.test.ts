import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import type { WeightDtype } from '../../../../src/engine/model/dtypes.js';
import type { ModelSpec } from '../../../../src/engine/model/spec.js';
import { loadShippedOpTables } from '../../../../src/engine/opdb/shipped.js';
import type { ServingEngineInput } from '../../../../src/engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { type BreakdownEntry, compileStepModel } from '../../../../src/engine/perf/step-model.js';

const vllm: ServingEngineInput = { id: 'vllm' };
const plan = (weightDtype: WeightDtype): Plan => ({
  tp: 1,
  pp: 1,
  dp: 1,
  ep: 1,
  weightDtype,
  kvDtype: 'fp8',
});

function decodes(model: ModelSpec, batch: number) {
  const shape = createBatchShape(model.slidingWindow);
  addUniformDecodes(shape, batch, 2048);
  return shape;
}

/** The step's linear ops by layer kind and name (`step|lm_head` for the LM head). */
function linears(entries: BreakdownEntry[]): Map<string, BreakdownEntry> {
  return new Map(entries.filter((e) => e.kind === 'linear').map((e) => [`${e.group}|${e.name}`, e]));
}

const perCall = (e: BreakdownEntry) => e.seconds / e.calls;

describe('the step model times each linear op in the format of the part it belongs to', () => {
  it('gpt-oss-120b mxfp4 on H200: qkv_proj reads the 16-bit GEMM table at 16-bit bytes, experts the mxfp4 MoE table', () => {
    const gptOss = getModel('gpt-oss-120b');
    const step = compileStepModel(gptOss, getHardware('h200'), plan('mxfp4'), { engine: vllm });
    const entries = step.breakdown(decodes(gptOss, 8));
    const qkv = entries.find((e) => e.name === 'qkv_proj')!;
    const n = (gptOss.numHeads + 2 * gptOss.numKvHeads) * gptOss.headDim;
    const k = gptOss.hiddenSize;
    assert.equal(qkv.bytes, n * k * 2 + 8 * (n + k) * 2);
    const bf16 = loadShippedOpTables('h200_sxm', 'vllm').gemm({ m: 8, n, k, dtype: 'bfloat16' });
    assert.ok(bf16);
    assert.ok(Math.abs(perCall(qkv) - bf16.seconds) < 1e-12, `${perCall(qkv)} vs ${bf16.seconds}`);
    const experts = entries.find((e) => e.name === 'experts_gate_up')!;
    assert.match(experts.source ?? '', /h200_sxm vllm .* moe \[.*mxfp4/);
  });

  it("gpt-oss's 16-bit attention is timed as in a bf16 plan, measured, or on the roofline without B200's fp4 tensor rate", () => {
    const gptOss = getModel('gpt-oss-120b');
    const prefill = createBatchShape(gptOss.slidingWindow);
    addPrefillChunk(prefill, 4096, 0, true);
    for (const [hardware, engine, shape] of [
      ['h200', vllm, decodes(gptOss, 8)],
      ['b200', undefined, prefill],
    ] as const) {
      const options = engine ? { engine } : {};
      const at = (dtype: WeightDtype) =>
        linears(compileStepModel(gptOss, getHardware(hardware), plan(dtype), options).breakdown(shape));
      const mxfp4 = at('mxfp4');
      const bf16 = at('bf16');
      for (const [name, entry] of mxfp4) {
        if (!/qkv_proj|o_proj|router|lm_head/.test(name)) continue;
        assert.equal(perCall(entry), perCall(bf16.get(name)!), `${hardware} ${name}`);
        assert.equal(entry.bound, bf16.get(name)!.bound, `${hardware} ${name}`);
      }
      const experts = [...mxfp4.keys()].find((name) => name.endsWith('experts_gate_up'))!;
      assert.ok(perCall(mxfp4.get(experts)!) < perCall(bf16.get(experts)!), hardware);
    }
  });

  it('Kimi-K2.5 int4 (experts-only checkpoint): attention, dense FFN and shared experts timed as in a bf16 plan', () => {
    const kimi = getModel('kimi-k2.5');
    const at = (dtype: WeightDtype) =>
      linears(
        compileStepModel(kimi, getHardware('h200'), plan(dtype), { engine: vllm }).breakdown(
          decodes(kimi, 8),
        ),
      );
    const int4 = at('int4');
    const bf16 = at('bf16');
    let compared = 0;
    for (const [name, entry] of int4) {
      if (/experts_gate_up|experts_down/.test(name)) continue;
      assert.equal(perCall(entry), perCall(bf16.get(name)!), name);
      assert.equal(entry.bytes, bf16.get(name)!.bytes, name);
      compared++;
    }
    // qkv_a_proj, q_b_proj, the two absorbs, o_proj in both kinds; dense gate_up/down; router, shared experts; LM head.
    assert.ok(compared >= 14, `${compared}`);
    const experts = [...int4.keys()].find((name) => name.endsWith('experts_gate_up'))!;
    assert.ok(int4.get(experts)!.bytes < bf16.get(experts)!.bytes / 3);
  });

  it('a re-quantizing plan keeps its dtype everywhere: Kimi-K2 (fp8 checkpoint) as int4, Llama as fp8', () => {
    const kimiK2 = getModel('kimi-k2');
    const at = (dtype: WeightDtype) =>
      linears(
        compileStepModel(kimiK2, getHardware('h200'), plan(dtype), { engine: vllm }).breakdown(
          decodes(kimiK2, 8),
        ),
      );
    const int4 = at('int4');
    const bf16 = at('bf16');
    const qkvA = [...int4.keys()].find((name) => name.endsWith('qkv_a_proj'))!;
    assert.ok(int4.get(qkvA)!.bytes < bf16.get(qkvA)!.bytes / 3);
    assert.match(int4.get(qkvA)!.source ?? '', /^int4 not measured/);

    const llama = getModel('llama-3.1-8b');
    const step = compileStepModel(llama, getHardware('h200'), plan('fp8'), { engine: vllm });
    const qkv = step.breakdown(decodes(llama, 8)).find((e) => e.name === 'qkv_proj')!;
    const fp8 = loadShippedOpTables('h200_sxm', 'vllm').gemm({ m: 8, n: 6144, k: 4096, dtype: 'fp8' });
    assert.ok(fp8);
    assert.ok(Math.abs(perCall(qkv) - fp8.seconds) < 1e-12);
    assert.equal(qkv.bytes, 6144 * 4096 + 8 * (6144 + 4096) * 2);
  });
});
