import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import { singleNodeShapes } from '../../../../src/engine/search/expert-parallel-space.js';
import { type Candidate, type EvaluationMetrics, Slo } from '../../../../src/engine/search/schema.js';
import { type EvaluationTask, type Evaluator, runSearch } from '../../../../src/engine/search/search.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

const llama70b = getModel('llama-3.1-70b');
const sixteenGpus: Candidate = {
  kind: 'colocated',
  id: 'tp16',
  pool: {
    plan: { tp: 8, pp: 2, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
    knobs: {
      maxNumSeqs: 256,
      maxNumBatchedTokens: 8192,
      chunkedPrefill: true,
      blockSize: 16,
      gpuMemoryUtilization: 0.9,
    },
  },
};

/** Records every candidate it is asked about; every one serves its rate within the targets. */
class Recording implements Evaluator {
  readonly seen: Candidate[] = [];
  async evaluate(tasks: readonly EvaluationTask[]): Promise<EvaluationMetrics[]> {
    return tasks.map((task) => {
      this.seen.push(task.candidate);
      const rate = 'rate' in task ? task.rate : 1;
      const d = { mean: 0.02, p50: 0.02, p90: 0.02, p99: 0.02 };
      return {
        rate,
        ttft: d,
        tbt: d,
        tpot: d,
        e2e: d,
        throughputPerGpu: rate,
        speedPerUser: 50,
        requestThroughput: rate,
        goodput: rate,
        attainment: 1,
        preemptions: 0,
        stable: true,
      };
    });
  }
}

describe('engines that serve from one node (TGI)', () => {
  it('a plan whose server spans nodes is an error naming the engine, not a command that cannot run', () => {
    assert.throws(
      () => engineSettingsFor('tgi', llama70b, sixteenGpus, 8192, { gpusPerNode: 8 }),
      (e: unknown) =>
        e instanceof ServeTuneError && /Text Generation Inference has no multi-node serving/.test(e.message),
    );
    // The same plan on one 16-GPU node is fine.
    assert.doesNotThrow(() => engineSettingsFor('tgi', llama70b, sixteenGpus, 8192, { gpusPerNode: 16 }));
  });

  it('shapes larger than a node are pruned for TGI with the reason, kept for the engines that span nodes', () => {
    const shapes = [
      { tp: 8, pp: 2, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const },
      { tp: 8, pp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const },
    ];
    const hardware = getHardware('h100-sxm');
    const tgi = singleNodeShapes({ engine: 'tgi', hardware }, shapes);
    assert.deepEqual(
      tgi.shapes.map((s) => s.pp),
      [1],
    );
    assert.equal(tgi.pruned[0].reason, 'engine');
    assert.equal(singleNodeShapes({ engine: 'trtllm', hardware }, shapes).shapes.length, 2);
  });

  it('the search never proposes TGI a server over more than one node', async () => {
    const evaluator = new Recording();
    const outcome = await runSearch(
      {
        model: llama70b,
        hardware: getHardware('h100-sxm'),
        gpus: 16,
        engine: 'tgi',
        rate: 1,
        slo: Slo.parse({ ttft: 2, tbt: 0.1, form: 'percentile', percentile: 'p90' }),
        maxSequenceTokens: 4096,
        allowQuantization: false,
        disaggregation: false,
        refineRounds: 0,
      },
      evaluator,
    );
    assert.ok(evaluator.seen.length > 0);
    for (const c of evaluator.seen) {
      if (c.kind !== 'colocated') continue;
      assert.ok(c.pool.plan.tp * c.pool.plan.pp <= 8, c.id);
    }
    assert.ok(outcome.pruned.some((p) => p.reason === 'engine'));
  });
});
