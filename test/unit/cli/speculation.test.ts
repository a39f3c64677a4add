import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { StepReport } from '../../../src/engine/perf/report.js';
import { RunSummary } from '../../../src/engine/sim/summary.js';

const cli = 'dist/cli.mjs';
const base = ['--model', 'llama-3.1-70b', '--hardware', 'h100-sxm', '--tp', '4'];

describe('servetune step / simulate --speculative', {
  skip: !existsSync(cli) && 'dist/cli.mjs not built',
}, () => {
  it('step: the decodes verify k drafted tokens and the draft passes add up to the step time', () => {
    const out = execFileSync('node', [
      cli,
      'step',
      ...base,
      '--decode-batch',
      '8',
      '--decode-context',
      '1000',
      '--speculative',
      'eagle3:k=3',
      '--json',
    ]);
    const report = StepReport.parse(JSON.parse(out.toString()));
    assert.equal(report.speculation?.k, 3);
    const draft = report.breakdown.find((e) => e.name === 'spec_draft');
    assert.ok(draft && draft.seconds > 0);
    const sum = report.breakdown.reduce((s, e) => s + e.seconds, 0);
    assert.ok(Math.abs(sum - report.totalSeconds) / report.totalSeconds < 5e-3);
    assert.ok(report.speculation!.tokensPerSecond > 2 * report.speculation!.tokensPerSecondWithout);
  });

  it('simulate: --spec-acceptance overrides the method default and the summary counts the draws', () => {
    const out = execFileSync('node', [
      cli,
      'simulate',
      ...base,
      '--workload',
      'poisson:rate=0.5,prompt=lognormal(1000,0.5),output=lognormal(300,0.5),n=30',
      '--speculative',
      'draft-model:k=4',
      '--spec-acceptance',
      '0.8',
      '--json',
    ]);
    const summary = RunSummary.parse(JSON.parse(out.toString()));
    assert.equal(summary.speculation?.setting, 'draft-model:k=4,acceptance=0.8');
    assert.ok(Math.abs(summary.speculation!.expectedTokensPerVerification - (1 - 0.8 ** 5) / 0.2) < 1e-9);
  });

  it('simulate: a draft tree and the per-request policy from the CLI form', () => {
    const run = (setting: string) =>
      RunSummary.parse(
        JSON.parse(
          execFileSync('node', [
            cli,
            'simulate',
            ...base,
            '--workload',
            'poisson:rate=0.5,prompt=fixed(500),output=fixed(200),n=20',
            '--speculative',
            setting,
            '--json',
          ]).toString(),
        ),
      );
    const tree = run('eagle3:k=3,topk=4,tokens=12');
    assert.equal(tree.speculation?.setting, 'eagle3:k=3,topk=4,tokens=12');
    assert.equal(tree.speculation!.draftedTokens / tree.speculation!.verifications, 11);
    assert.ok(
      tree.speculation!.expectedTokensPerVerification >
        run('eagle3:k=3').speculation!.expectedTokensPerVerification,
    );
    assert.equal(run('eagle3:k=3,policy=per-request').speculation?.setting, 'eagle3:k=3,policy=per-request');
    const step = execFileSync('node', [
      cli,
      'step',
      ...base,
      '--decode-batch',
      '8',
      '--decode-context',
      '1000',
      '--speculative',
      'eagle3:k=3,topk=4,tokens=12',
    ]).toString();
    assert.match(step, /8 decodes verify 11 drafted tokens each/);
  });

  it('rejects an unknown method and --spec-acceptance alone, naming the option', () => {
    const bad = spawnSync('node', [
      cli,
      'simulate',
      ...base,
      '--workload',
      'poisson:rate=1,n=5',
      '--speculative',
      'medusa:k=2',
    ]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr.toString(), /--speculative.*unknown speculation method 'medusa'/);
    const alone = spawnSync('node', [
      cli,
      'simulate',
      ...base,
      '--workload',
      'poisson:rate=1,n=5',
      '--spec-acceptance',
      '0.7',
    ]);
    assert.notEqual(alone.status, 0);
    assert.match(alone.stderr.toString(), /--spec-acceptance needs --speculative/);
  });
});
