import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolOverlap, type SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };
const config = (overlap: boolean): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  engine: { id: 'sglang', overlapScheduling: overlap },
  deployment: {
    kind: 'colocated',
    pool: { plan, scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
  },
});
const workload = (spec: string) => generateWorkload(parseWorkloadSpec(spec), 1, spec);

describe('overlap scheduling', () => {
  // Two requests 100 ms apart: the second arrives while the first decodes, one step at a time.
  const w = workload('constant:rate=10,prompt=fixed(512),output=fixed(400),n=2');
  const sync = simulate(config(false), w);
  const overlap = simulate(config(true), w);

  it('a request arriving mid-step joins one step later; one arriving at an idle engine does not wait', () => {
    const syncTtft = sync.ttft!;
    const overlapTtft = overlap.ttft!;
    // The first request found the engine idle: same TTFT.
    assert.ok(Math.abs(overlapTtft.min - syncTtft.min) < 1e-9, `${overlapTtft.min} vs ${syncTtft.min}`);
    // The second waits for the step scheduled before it arrived: one decode step (a few ms) more.
    const extra = overlapTtft.max - syncTtft.max;
    const step = sync.tpot!.mean;
    assert.ok(extra > 0.5 * step && extra < 1.5 * step, `extra ${extra} s, step ${step} s`);
  });

  it('token pacing is unchanged', () => {
    assert.ok(Math.abs(overlap.tpot!.mean - sync.tpot!.mean) / sync.tpot!.mean < 0.01);
    assert.equal(overlap.requests.completed, 2);
  });

  it('at a closed loop every new request pays about one step more', () => {
    const loop = workload('constant:rate=1000,prompt=fixed(512),output=fixed(64),n=160');
    const at = (overlapOn: boolean) =>
      simulate(config(overlapOn), loop, { closedLoop: { concurrency: 4, frontendSeconds: 0 } });
    const off = at(false);
    const on = at(true);
    const extra = on.ttft!.mean - off.ttft!.mean;
    assert.ok(extra > 0.5 * off.tpot!.mean, `extra ${extra} s, step ${off.tpot!.mean} s`);
  });

  it('an EP group (attention DP ranks in lockstep) holds a mid-step arrival on its rank for a step', () => {
    const ep = (overlap: boolean): SimulationConfigInput => ({
      model: 'qwen3-30b-a3b',
      hardware: 'h100-sxm',
      engine: { id: 'trtllm', overlapScheduling: overlap },
      deployment: {
        kind: 'colocated',
        pool: {
          plan: { tp: 1, pp: 1, dp: 2, ep: 2, weightDtype: 'fp8', kvDtype: 'fp8' },
          scheduler: { policy: 'vllm-v1', maxModelLen: 32768 },
        },
      },
      router: 'round-robin',
    });
    // One request decoding on the first rank; a second arriving on the second rank while the group steps.
    const two = {
      source: 'two ranks',
      hashBlockTokens: 512,
      requests: [
        { arrival: 0, promptTokens: 64, outputTokens: 200 },
        { arrival: 0.0201, promptTokens: 64, outputTokens: 2 },
      ],
    };
    const off = simulate(ep(false), two);
    const on = simulate(ep(true), two);
    const extra = on.ttft!.max - off.ttft!.max;
    assert.ok(
      extra > 0.5 * off.tpot!.mean && extra < 1.5 * off.tpot!.mean,
      `extra ${extra}, step ${off.tpot!.mean}`,
    );
    assert.ok(Math.abs(on.ttft!.min - off.ttft!.min) < 1e-9);
  });

  it("a disaggregated pool's own setting wins over the engine's, each pool on its own", () => {
    const scheduler = { policy: 'vllm-v1' as const, maxModelLen: 16384 };
    const disagg = (
      engineOverlap: boolean | undefined,
      prefill: boolean | undefined,
      decode: boolean | undefined,
    ): SimulationConfigInput => ({
      model: 'llama-3.1-8b',
      hardware: 'h100-sxm',
      engine: { id: 'trtllm', ...(engineOverlap !== undefined ? { overlapScheduling: engineOverlap } : {}) },
      deployment: {
        kind: 'disaggregated',
        prefill: { plan, scheduler, ...(prefill !== undefined ? { overlapScheduling: prefill } : {}) },
        decode: { plan, scheduler, ...(decode !== undefined ? { overlapScheduling: decode } : {}) },
      },
    });
    // Prompts queue at the prefill server (one 8192-token step each) while the last arrives mid-step.
    const queued = {
      source: 'queued prompts',
      hashBlockTokens: 512,
      requests: [
        { arrival: 0, promptTokens: 8192, outputTokens: 4 },
        { arrival: 0, promptTokens: 8192, outputTokens: 4 },
        { arrival: 0, promptTokens: 4096, outputTokens: 4 },
        { arrival: 0.3, promptTokens: 512, outputTokens: 4 },
      ],
    };
    const ttfts = (c: SimulationConfigInput) => {
      const t = simulate(c, queued).ttft!;
      return [t.min, t.mean, t.max];
    };
    // TensorRT-LLM's recipes: context servers without the overlap scheduler, generation servers with it
    // (the engine's default), written either way round.
    const recipe = ttfts(disagg(undefined, false, undefined));
    assert.deepEqual(recipe, ttfts(disagg(false, undefined, true)));
    // And not the engine's one setting for both pools.
    assert.notDeepEqual(recipe, ttfts(disagg(undefined, undefined, undefined)));
    assert.notDeepEqual(recipe, ttfts(disagg(false, undefined, undefined)));
  });
});

describe('poolOverlap', () => {
  it("leaves the field out where the pool has no setting of its own, so the engine's applies", () => {
    assert.deepEqual(poolOverlap(undefined), {});
    assert.equal('overlapScheduling' in poolOverlap(undefined), false);
    assert.deepEqual(poolOverlap(false), { overlapScheduling: false });
    assert.deepEqual(poolOverlap(true), { overlapScheduling: true });
  });
});
