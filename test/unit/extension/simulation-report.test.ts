import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulate } from '../../../src/engine/sim/simulate.js';
import { loadWorkload } from '../../../src/engine/workload/load.js';
import { simulationMarkdown } from '../../../src/extension/simulation-report.js';

const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16' as const, kvDtype: 'bf16' as const };

describe('simulation report', () => {
  it('has a row per request class, with a class’s own targets beside its share', () => {
    const spec = 'poisson:rate=2,n=20,class=chat + poisson:rate=2,n=20,class=batch,slo=(e2e=600)';
    const summary = simulate(
      {
        model: 'llama-3.1-8b',
        hardware: 'h100-sxm',
        deployment: {
          kind: 'colocated',
          pool: { plan, scheduler: { policy: 'vllm-v1', maxModelLen: 8192 } },
        },
        slo: { ttft: 1 },
      },
      loadWorkload(spec),
    );
    const md = simulationMarkdown(summary, spec);
    assert.match(md, /## Request classes/);
    assert.match(md, /\| chat \| 20 of 20 \|.*\| 100\.0% \|/);
    assert.match(md, /\| batch \| 20 of 20 \|.*\| 100\.0% \(E2E ≤ 600\.00 s\) \|/);
    const plain = simulate(summary.config!, loadWorkload('poisson:rate=2,n=5'));
    assert.doesNotMatch(simulationMarkdown(plain, 'x'), /Request classes/);
    assert.doesNotMatch(simulationMarkdown(plain, 'x'), /Engine:/);
  });

  it('names the engine that timed the steps with its behaviours away from the defaults', () => {
    const summary = simulate(
      {
        model: 'llama-3.1-8b',
        hardware: 'h100-sxm',
        engine: { id: 'sglang', cudaGraphs: false, customAllReduce: false },
        deployment: { kind: 'colocated', pool: { plan, scheduler: { policy: 'sglang' } } },
      },
      loadWorkload('poisson:rate=2,n=5'),
    );
    assert.match(simulationMarkdown(summary, 'x'), /^- Engine: sglang \(NCCL all-reduce, eager\)$/m);
  });
});
