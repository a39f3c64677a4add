import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { applyEdits, readConfig } from '../../../../src/engine/config/index.js';
import { configPairOf } from '../../../../src/engine/tune/predict-pair.js';
import { tuneBlock } from '../../../../src/engine/tune/tune.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { DISAGG_SGLANG } from './disagg-sglang-fixture.js';

const small = { ...DISAGG_SGLANG, threads: 0 };

const refusal = (pattern: RegExp) => (error: unknown) =>
  isServeTuneError(error) && pattern.test(error.message);

describe('tune --side: one side of a disaggregated deployment', () => {
  it("refuses a side block without --side, and a --side the file's block does not serve, as simulate does", async () => {
    const sides = /disagg-sglang\.yaml has these sides: prefill \(block 0\), decode \(block 1\)\)/;
    await assert.rejects(
      tuneBlock({ ...small, block: 0 }),
      refusal(
        /is the prefill side of a disaggregated deployment: pick the side to tune with --side prefill\|decode \(/,
      ),
    );
    await assert.rejects(tuneBlock({ ...small, block: 0 }), refusal(sides));
    await assert.rejects(
      tuneBlock({ ...small, block: 0, side: 'decode' }),
      refusal(/--side decode: block 0 of .*disagg-sglang\.yaml is the prefill side \(/),
    );
    const whole = resolve('test/fixtures/e2e-workspace/configs/sglang-eager.sh');
    await assert.rejects(
      tuneBlock({ ...small, path: whole, text: readFileSync(whole, 'utf8'), side: 'prefill' }),
      refusal(/--side prefill: .*sglang-eager\.sh has no prefill side \(.* has these sides: none\)/),
    );
  });

  it("tunes the side's block within its pair: the pair predicted and rated, edits only in that block", async () => {
    const result = await tuneBlock({ ...small, side: 'decode' });
    assert.equal(result.target.block, 1, 'the first decode block');
    assert.equal(result.current.label, 'prefill TP1×DP2 + decode TP2');
    assert.equal(result.current.gpus, 4);
    assert.ok(result.current.metrics && result.current.metrics.ttft.p90 > 0);
    assert.notEqual(result.current.maxRateUnderSlo, undefined);
    const decodeRange = readConfig(DISAGG_SGLANG.path, DISAGG_SGLANG.text).blocks[1]!.range;
    for (const edit of result.edits) {
      assert.ok(edit.range.start.line >= decodeRange.start.line, 'edits stay in the decode block');
    }
    if (result.suggested) {
      // The suggestion is the edited file's pair, its prefill side as written.
      const edited = applyEdits(DISAGG_SGLANG.text, result.edits, DISAGG_SGLANG.path);
      const pair = configPairOf(
        { path: DISAGG_SGLANG.path, text: edited, block: 1, hardwareFallback: 'h100-sxm' },
        'decode',
      );
      assert.equal(pair.disaggregated?.other?.plan.tp, 1);
      assert.match(result.suggested.label, /^prefill TP1×DP2 \+ decode /);
    } else assert.ok(result.reason);
  });
});

describe('servetune tune --side', () => {
  it('lists --side in --help and names the sides the file has when it lacks one', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['dist/cli.mjs', 'tune', ...args], { encoding: 'utf8' });
    const help = run('--help');
    assert.match(help.stdout, /--side <side>/);
    assert.match(help.stdout, /tune that side of a disaggregated deployment/);
    const wrong = run(
      DISAGG_SGLANG.path,
      '--side',
      'decode',
      '--block',
      '0',
      '--workload',
      small.workload,
      '--slo',
      'ttft=2,tbt=0.1',
      '--hardware',
      'h100-sxm',
    );
    assert.equal(wrong.status, 1);
    assert.match(
      wrong.stderr,
      /--side decode: block 0 of .*disagg-sglang\.yaml is the prefill side \(.*has these sides: prefill \(block 0\), decode \(block 1\)\)/,
    );
  });
});
