import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { epGroupBatches, expertImbalanceOf } from '../../../../src/engine/perf/expert-parallel.js';
import { addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel, createStepTiming } from '../../../../src/engine/perf/step-model.js';

const plan = (tp: number, dp: number, ep: number): Plan => ({
  tp,
  pp: 1,
  dp,
  ep,
  weightDtype: 'fp8',
  kvDtype: 'bf16',
});
const deepseek = getModel('deepseek-v3');

function entries(
  hardware: string,
  p: Plan,
  batch: number,
  expertImbalance = 1,
  engine?: 'sglang' | 'trtllm',
) {
  const model = compileStepModel(deepseek, getHardware(hardware), p, {
    expertImbalance,
    ...(engine ? { engine: { id: engine } } : {}),
  });
  const shape = createBatchShape();
  addUniformDecodes(shape, batch, 2000);
  const byName = new Map(model.breakdown(shape).map((e) => [e.name, e]));
  return { byName, seconds: model.stepSeconds(shape) };
}

describe('expert parallelism', () => {
  it('balanced routing waits for no one; a skew makes the busiest rank heavier, more so over more ranks', () => {
    assert.equal(expertImbalanceOf(256, 16, { skew: 0, redundantExperts: 0 }), 1);
    const at = (ep: number) => expertImbalanceOf(256, ep, { skew: 0.5, redundantExperts: 0 });
    assert.ok(at(8) > 1 && at(16) > at(8) && at(64) > at(16));
  });

  it("EPLB's redundant experts bring the busiest rank back toward the mean", () => {
    const skewed = expertImbalanceOf(256, 32, { skew: 0.5, redundantExperts: 0 });
    const eplb = expertImbalanceOf(256, 32, { skew: 0.5, redundantExperts: 32 });
    assert.ok(eplb < skewed);
    assert.ok(eplb >= 1 && eplb < 1.2, `EPLB ${eplb}`);
  });

  it('attention DP: every rank of the EP group routes its batch to every rank, so each GPU runs the group share', () => {
    assert.equal(epGroupBatches(plan(1, 16, 16)), 16);
    assert.equal(epGroupBatches(plan(8, 2, 8)), 1);
    // TP16 × EP16: 64 sequences shared by 16 GPUs; DP16 attention × EP16: 64 sequences on each GPU.
    const tpGroup = entries('h200', plan(16, 1, 16), 64).byName.get('experts_gate_up')!;
    const dpGroup = entries('h200', plan(1, 16, 16), 64).byName.get('experts_gate_up')!;
    assert.ok(Math.abs(dpGroup.flops / tpGroup.flops - 16) < 1e-9);
  });

  it('the busiest rank sets the expert time and the all-to-all volume', () => {
    const even = entries('h200', plan(1, 16, 16), 64, 1).byName;
    const skewed = entries('h200', plan(1, 16, 16), 64, 1.5).byName;
    assert.ok(
      Math.abs(skewed.get('experts_gate_up')!.flops / even.get('experts_gate_up')!.flops - 1.5) < 1e-9,
    );
    assert.ok(Math.abs(skewed.get('ep_dispatch')!.bytes / even.get('ep_dispatch')!.bytes - 1.5) < 1e-9);
  });

  it('EP64 inside a GB200 NVL72 rack all-to-alls over NVLink, far faster than over H200 nodes', () => {
    const rack = entries('gb200', plan(1, 64, 64), 64).byName.get('ep_dispatch')!;
    const nodes = entries('h200', plan(1, 64, 64), 64).byName.get('ep_dispatch')!;
    assert.equal(rack.bytes, nodes.bytes);
    assert.ok(nodes.seconds > 3 * rack.seconds, `${nodes.seconds} vs ${rack.seconds}`);
  });

  it("times the all-to-all from the engine's measured NCCL table within the GPU counts it covers", () => {
    const measured = entries('h200', plan(1, 8, 8), 64, 1, 'sglang').byName.get('ep_dispatch')!;
    const linkModel = entries('h200', plan(1, 8, 8), 64).byName.get('ep_dispatch')!;
    assert.match(measured.source ?? '', /h200_sxm nccl .*NCCL all-to-all/);
    assert.match(linkModel.source ?? '', /link model/);
    assert.equal(measured.bytes, linkModel.bytes);
    assert.notEqual(measured.seconds, linkModel.seconds);
    // A GB200 NVL72 rack: the tables measured 2 and 4 GPUs (one tray). EP72 takes the link model, but
    // never less than the all-to-all over the 4 GPUs measured at the same bytes per GPU.
    const rackPlan = { ...plan(1, 72, 72), redundantExperts: 32 };
    const rack = entries('gb200', rackPlan, 64, 1, 'sglang').byName.get('ep_dispatch')!;
    const rackLink = entries('gb200', rackPlan, 64).byName.get('ep_dispatch')!;
    assert.match(rackLink.source ?? '', /link model/);
    assert.match(rack.source ?? '', /all-to-all over 4 GPUs, the most measured: the floor for 72/);
    assert.ok(rack.seconds > rackLink.seconds, `${rack.seconds} vs ${rackLink.seconds}`);
  });

  it("the engine's measured MoE kernel runs the whole EP group's tokens, as one TP group holding them all", () => {
    // DP8 attention × EP8 with 64 sequences a rank: each GPU's experts see 512 tokens, as under TP8 × EP8.
    const dp = entries('h200', plan(1, 8, 8), 64, 1, 'trtllm').byName.get('experts_gate_up')!;
    const tp = entries('h200', plan(8, 1, 8), 512, 1, 'trtllm').byName.get('experts_gate_up')!;
    assert.match(dp.source ?? '', /moe/i);
    assert.ok(Math.abs(dp.seconds / tp.seconds - 1) < 1e-9, `${dp.seconds} vs ${tp.seconds}`);
  });

  it("a lockstep group step: each rank its own part, the routed experts once over every rank's tokens", () => {
    for (const engine of [undefined, 'trtllm'] as const) {
      const model = compileStepModel(deepseek, getHardware('h200'), plan(1, 8, 8), {
        ...(engine ? { engine: { id: engine } } : {}),
      });
      assert.equal(model.lockstepGroup, true);
      const shape = createBatchShape();
      addUniformDecodes(shape, 8, 2000);
      const timing = createStepTiming();
      // Eight ranks alike: the rank's part plus the experts over 8 × 8 tokens is the symmetric step.
      const split = model.timeRankStep(shape, timing) + model.groupExpertSeconds(64);
      const whole = model.stepSeconds(shape);
      assert.ok(Math.abs(split / whole - 1) < 1e-9, `${engine}: ${split} vs ${whole}`);
      // The experts grow with the group's tokens, the rank's part does not see them.
      assert.ok(model.groupExpertSeconds(16384) > 2 * model.groupExpertSeconds(64));
    }
    // EP inside one TP group: nothing to step together.
    assert.equal(compileStepModel(deepseek, getHardware('h200'), plan(8, 1, 8)).lockstepGroup, false);
  });
});
