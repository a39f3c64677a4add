import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { StepReport } from '../../../src/engine/perf/report.js';
import { RunSummary } from '../../../src/engine/sim/summary.js';

const cli = 'dist/cli.mjs';

describe('servetune step / simulate', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('step --json prints a StepReport whose breakdown adds up to the step time', () => {
    const out = execFileSync('node', [
      cli,
      'step',
      '--model',
      'llama-3.1-70b',
      '--hardware',
      'h100-sxm',
      '--tp',
      '8',
      '--prefill-tokens',
      '512',
      '--decode-batch',
      '32',
      '--decode-context',
      '1000',
      '--json',
    ]);
    const report = StepReport.parse(JSON.parse(out.toString()));
    const sum = report.breakdown.reduce((s, e) => s + e.seconds, 0);
    assert.ok(Math.abs(sum - report.totalSeconds) / report.totalSeconds < 5e-3);
    assert.ok(report.breakdown.some((e) => e.kind === 'communication'));
  });

  it('simulate --json prints a RunSummary; the disaggregated form reports KV transfers', () => {
    const out = execFileSync('node', [
      cli,
      'simulate',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'h100-sxm',
      '--max-model-len',
      '8192',
      '--prefill-tp',
      '1',
      '--decode-tp',
      '1',
      '--decode-dp',
      '2',
      '--scheduler',
      'sarathi',
      '--workload',
      'poisson:rate=5,prompt=fixed(1000),output=fixed(50),n=50',
      '--slo',
      'ttft=1,tpot=50ms',
      '--json',
    ]);
    const summary = RunSummary.parse(JSON.parse(out.toString()));
    assert.equal(summary.requests.completed, 50);
    assert.equal(summary.gpus, 3);
    assert.ok(summary.kvTransfer && summary.kvTransfer.mean > 0);
    assert.deepEqual(summary.goodput?.slo, { ttft: 1, tpot: 0.05 });
  });

  it('reports an infeasible plan with exit code 3', () => {
    const run = spawnSync('node', [
      cli,
      'simulate',
      '--model',
      'llama-3.1-70b',
      '--hardware',
      'l4',
      '--workload',
      'poisson:rate=1,n=5',
    ]);
    assert.equal(run.status, 3);
    assert.match(run.stdout.toString(), /Infeasible, not simulated/);
  });
});
