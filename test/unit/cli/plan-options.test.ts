import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { planOfFlags } from '../../../src/cli/plan-options.js';
import { getModel } from '../../../src/engine/model/catalog.js';
import { everyCommand } from '../helpers/every-command.js';

const PLAN_FLAGS = ['--model', '--hardware', '--tp', '--pp', '--dp', '--ep', '--weight-dtype', '--kv-dtype'];

/** The long flags of a command's options that are plan flags, in the order its help lists them. */
function planFlagsOf(name: string): string[] {
  const command = everyCommand().commands.find((c: Command) => c.name() === name);
  assert.ok(command, name);
  return command.options.map((o) => o.long ?? '').filter((flag) => PLAN_FLAGS.includes(flag));
}

describe('plan options: one declaration for step, simulate, memory and plans', () => {
  it('lists the plan flags in the same order in every command that takes them', () => {
    for (const name of ['step', 'simulate', 'memory']) assert.deepEqual(planFlagsOf(name), PLAN_FLAGS, name);
    assert.deepEqual(planFlagsOf('plans'), ['--model', '--hardware', '--weight-dtype', '--kv-dtype']);
  });

  it("step lists its MoE options right after --ep; simulate's --dp counts replicas", () => {
    const step = everyCommand().commands.find((c) => c.name() === 'step');
    const longs = step?.options.map((o) => o.long) ?? [];
    assert.deepEqual(longs.slice(longs.indexOf('--ep') + 1, longs.indexOf('--ep') + 4), [
      '--expert-skew',
      '--eplb-redundant',
      '--all-to-all',
    ]);
    const simulate = everyCommand().commands.find((c) => c.name() === 'simulate');
    const dp = simulate?.options.find((o) => o.long === '--dp');
    assert.equal(dp?.description, 'data parallel replicas');
    assert.equal(simulate?.options.find((o) => o.long === '--model')?.mandatory, false);
  });
});

describe('planOfFlags', () => {
  const model = getModel('deepseek-v3');
  const flags = {
    model: 'deepseek-v3',
    hardware: 'h200',
    tp: 8,
    pp: 1,
    dp: 2,
    ep: 16,
    kvDtype: 'bf16' as const,
  };

  it("takes the flags' degrees and the checkpoint's weight format where none is given", () => {
    assert.deepEqual(planOfFlags(flags, model), {
      tp: 8,
      pp: 1,
      dp: 2,
      ep: 16,
      weightDtype: 'fp8',
      kvDtype: 'bf16',
    });
  });

  it("takes a pool's own degrees and keeps EP's redundant slots and kernels", () => {
    const plan = planOfFlags({ ...flags, eplbRedundant: 32, allToAll: 'deepep-normal' }, model, {
      tp: 4,
      pp: 2,
      dp: 1,
    });
    assert.deepEqual(plan, {
      tp: 4,
      pp: 2,
      dp: 1,
      ep: 16,
      redundantExperts: 32,
      allToAll: 'deepep-normal',
      weightDtype: 'fp8',
      kvDtype: 'bf16',
    });
  });
});
