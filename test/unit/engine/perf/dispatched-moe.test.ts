import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { type BreakdownEntry, compileStepModel } from '../../../../src/engine/perf/step-model.js';

const deepseek = getModel('deepseek-v3');

/** The routed experts' op of one MoE layer of a SGLang DeepSeek-V3 decode step on GB300, per GPU. */
function expertsOp(plan: Pick<Plan, 'tp' | 'ep' | 'allToAll'>, sequencesPerRank: number): BreakdownEntry {
  const full: Plan = { pp: 1, dp: plan.ep, kvDtype: 'fp8', weightDtype: 'fp8', ...plan };
  const model = compileStepModel(deepseek, getHardware('gb300'), full, { engine: { id: 'sglang' } });
  const shape = createBatchShape(deepseek.slidingWindow);
  addUniformDecodes(shape, sequencesPerRank, 1500);
  const found = model.breakdown(shape).find((e) => e.name === 'experts_gate_up' && e.group.includes('MoE'));
  assert.ok(found, 'no experts_gate_up');
  return found;
}

describe('MoE experts under EP with a DeepEP dispatch (each rank runs only its tokens)', () => {
  it('a rank of EP 8 takes 1/8 of the EP-1 kernel over the group’s tokens, not the gathered-batch kernel', () => {
    const perRank = 960;
    const dispatched = expertsOp({ tp: 1, ep: 8, allToAll: 'deepep-low-latency' }, perRank);
    const whole = expertsOp({ tp: 1, ep: 1 }, perRank * 8);
    assert.ok(
      Math.abs(dispatched.seconds - whole.seconds / 8) <= 1e-3 * dispatched.seconds,
      `${dispatched.seconds} vs ${whole.seconds / 8}`,
    );
    assert.match(dispatched.source ?? '', /ep 8, tokens dispatched: 1\/8 of the ep-1 kernel/);
    // The NCCL path keeps the measured EP kernel over the gathered batch: the slower one here.
    const gathered = expertsOp({ tp: 1, ep: 8, allToAll: 'nccl' }, perRank);
    assert.doesNotMatch(gathered.source ?? '', /tokens dispatched/);
    assert.ok(gathered.seconds > 2 * dispatched.seconds, `${gathered.seconds} vs ${dispatched.seconds}`);
  });

  it('a few tokens a rank: never faster than the roofline of the rank’s own experts', () => {
    // 4 a rank over EP 32: 1/32 of the EP-1 kernel's 128-token time would stream the rank's experts'
    // weights faster than the GPU's HBM; the roofline of its experts at the calibration's efficiency holds.
    const few = expertsOp({ tp: 1, ep: 32, allToAll: 'deepep-low-latency' }, 4);
    const whole = expertsOp({ tp: 1, ep: 1 }, 128);
    assert.match(few.source ?? '', /roofline floor of the rank's experts/);
    assert.ok(few.seconds > whole.seconds / 32, `${few.seconds} vs ${whole.seconds / 32}`);
    const bytesPerSecond = getHardware('gb300').memoryBandwidth;
    assert.ok(few.bytes / few.seconds <= bytesPerSecond, `${few.bytes / few.seconds} B/s`);
  });
});
