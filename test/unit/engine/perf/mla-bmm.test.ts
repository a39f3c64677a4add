import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import type { EngineBackend } from '../../../../src/engine/opdb/systems.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { type BreakdownEntry, compileStepModel } from '../../../../src/engine/perf/step-model.js';

const deepseek = getModel('deepseek-v3');

/** One MoE layer's op `name` of a DeepSeek-V3 TP8 decode step of `sequences` sequences. */
function layerOp(
  hardware: string,
  engine: EngineBackend | undefined,
  name: string,
  sequences = 4,
): BreakdownEntry {
  const plan: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' };
  const options = engine ? { engine: { id: engine } } : {};
  const model = compileStepModel(deepseek, getHardware(hardware), plan, options);
  const shape = createBatchShape(deepseek.slidingWindow);
  addUniformDecodes(shape, sequences, 1500);
  const found = model.breakdown(shape).find((e) => e.name === name && e.group.includes('MoE'));
  assert.ok(found, `no ${name}`);
  return found;
}

describe("MLA's absorbed projections from the measured MLA BMM tables", () => {
  it('read every engine’s own table where it has one, for both projections', () => {
    for (const engine of ['trtllm', 'vllm', 'sglang'] as const) {
      for (const name of ['mla_q_absorb', 'mla_v_absorb']) {
        const op = layerOp('b200', engine, name);
        assert.match(op.source ?? '', new RegExp(`b200_sxm ${engine} .*mlaBmm`), `${engine} ${name}`);
      }
    }
    assert.match(layerOp('h200', 'trtllm', 'mla_q_absorb').source ?? '', /h200_sxm trtllm .*mlaBmm/);
  });

  it('at a few decodes, the measured launch-bound floor (over 4 µs a layer), above the roofline default', () => {
    // aiconfigurator's b200_sxm trtllm table: 16 heads, 4 tokens, bfloat16: 4.29 µs (pre), 4.52 µs (post).
    const pre = layerOp('b200', 'trtllm', 'mla_q_absorb');
    const post = layerOp('b200', 'trtllm', 'mla_v_absorb');
    assert.ok(Math.abs(pre.seconds / pre.calls - 4.29e-6) < 0.1e-6, `${pre.seconds / pre.calls}`);
    assert.ok(Math.abs(post.seconds / post.calls - 4.52e-6) < 0.1e-6, `${post.seconds / post.calls}`);
    const roofline = layerOp('b200', undefined, 'mla_q_absorb');
    assert.match(roofline.source ?? '', /roofline/);
    assert.ok(pre.seconds > 1.3 * roofline.seconds, `${pre.seconds} vs ${roofline.seconds}`);
  });

  it('a GPU no table measured takes the nearest measured one’s efficiency', () => {
    const op = layerOp('h20', 'trtllm', 'mla_q_absorb');
    assert.match(op.source ?? '', /^transferred from h\d00.*mlaBmm/);
  });
});
