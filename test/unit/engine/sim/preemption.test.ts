import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyName, SchedulerConfig } from '../../../../src/engine/sched/config.js';
import type { SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';
import { generateWorkload, parseWorkloadSpec } from '../../../../src/engine/workload/spec.js';

const config = (policy: PolicyName, scheduler: Partial<SchedulerConfig> = {}): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      scheduler: { policy, maxModelLen: 8192, ...scheduler },
    },
  },
});
const workload = (spec: string) => generateWorkload(parseWorkloadSpec(spec), 1, spec);

describe('swap preemption', () => {
  for (const policy of ['vllm-v1', 'sglang', 'lightllm'] as const) {
    it(`${policy}: refused, its engine has no swap`, () => {
      const small = workload('poisson:rate=5,prompt=fixed(100),output=fixed(10),n=5');
      assert.throws(
        () => simulate(config(policy, { preemption: 'swap' }), small),
        (e: unknown) => e instanceof ServeTuneError && /no swap/.test(e.message) && e.where === 'preemption',
      );
    });
  }

  it('sarathi: every swapped request comes back and finishes', () => {
    // 60 GiB of GPU memory at 0.3 utilization leaves little KV; long outputs force preemptions.
    const run = workload('poisson:rate=40,prompt=fixed(2000),output=fixed(1500),n=300');
    const summary = simulate(config('sarathi', { preemption: 'swap', gpuMemoryUtilization: 0.25 }), run);
    assert.ok(summary.preemptions > 0, 'the run preempts');
    assert.equal(summary.requests.completed, 300);
  });
});

describe('output reservation at admission', () => {
  // Every request asks for nothing in particular (no max_tokens), so an engine can only plan for the
  // model's limit: the longer max-model-len, the fewer requests Orca and static batching admit at once.
  const run = workload('poisson:rate=200,prompt=fixed(1000),output=fixed(50),n=600');
  for (const policy of ['orca', 'static'] as const) {
    it(`${policy}: reserves max-model-len, not the output the request will produce`, () => {
      const peak = (maxModelLen: number) =>
        simulate(config(policy, { maxModelLen, maxNumSeqs: 1024, maxNumBatchedTokens: 65536 }), run).batchSize
          ?.peak ?? 0;
      const short = peak(2048);
      const long = peak(32768);
      assert.ok(long < short / 4, `peak batch ${long} at 32k against ${short} at 2k`);
    });
  }

  it('orca: reserves the max_tokens requests ask for, where the run gives one', () => {
    const scheduler = { maxModelLen: 32768, maxNumSeqs: 1024, maxNumBatchedTokens: 65536 };
    const peak = (maxTokens?: number) =>
      simulate(config('orca', scheduler), run, { maxTokens }).batchSize?.peak ?? 0;
    const limit = peak();
    const asked = peak(200);
    assert.ok(asked > 4 * limit, `peak batch ${asked} with max_tokens 200 against ${limit} without`);
  });

  it("orca: with max_tokens 'output' each request reserves the output it will produce", () => {
    // A benchmark client sends each request's drawn output length as max_tokens (ignore_eos): a prompt
    // drawn short does not leave the rest of max-model-len to be reserved.
    const drawn = workload('poisson:rate=200,prompt=uniform(200,1000),output=uniform(10,50),n=600');
    const scheduler = {
      maxModelLen: 1050,
      maxNumSeqs: 1024,
      maxNumBatchedTokens: 65536,
      gpuMemoryUtilization: 0.35,
    };
    const peak = (maxTokens?: number | 'output') =>
      simulate(config('orca', scheduler), drawn, { maxTokens }).batchSize?.peak ?? 0;
    const limit = peak();
    const own = peak('output');
    assert.ok(own > 1.5 * limit, `peak batch ${own} with each request's own output against ${limit} without`);
  });

  it("refuses a max_tokens that is neither a positive whole number nor 'output'", () => {
    assert.throws(
      () => simulate(config('orca'), run, { maxTokens: 0 }),
      (e: unknown) => e instanceof ServeTuneError && e.where === 'maxTokens',
    );
  });
});

describe('recompute with prefix caching', () => {
  it('vllm-v1: preempted long prompts find their own cached blocks again', () => {
    const long = workload('poisson:rate=0.5,prompt=fixed(32768),output=fixed(4000),n=30');
    const run = (policy: PolicyName) => simulate(config(policy, { maxModelLen: 131072 }), long);
    const v0 = run('vllm-v0');
    const v1 = run('vllm-v1');
    assert.equal(v1.requests.completed, 30);
    // Recomputing from scratch, v1 thrashed: 2,386 preemptions and a mean TTFT of 384 s against 107 s.
    assert.ok(v1.preemptions < 100, `${v1.preemptions} preemptions`);
    assert.ok(
      (v1.ttft?.mean ?? 0) < 1.5 * (v0.ttft?.mean ?? 0),
      `TTFT ${v1.ttft?.mean} against ${v0.ttft?.mean}`,
    );
  });
});
