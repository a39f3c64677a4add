import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkspaceConfig } from '../../../../src/engine/config/workspace.js';
import { sloFromWorkspace } from '../../../../src/engine/tune/inputs.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import {
  GOODPUT_SLO_RULES,
  parseSloTargets,
  RANKING_SLO_RULES,
  type SloTargetRules,
  sloTargetForm,
} from '../../../../src/engine/workload/slo.js';

/** Asserts `text` is refused by `--slo` with a located error: the flag, the form and `reason`. */
function refused(text: string, reason: RegExp, rules: SloTargetRules = GOODPUT_SLO_RULES) {
  assert.throws(
    () => parseSloTargets(text, rules),
    (error: unknown) => {
      assert.ok(isServeTuneError(error), `'${text}' threw ${String(error)}`);
      assert.equal(error.code, 'invalid-argument');
      assert.equal(error.where, '--slo');
      assert.match(error.message, /^--slo: /);
      assert.ok(error.message.includes(sloTargetForm(rules)), `${error.message} names the form`);
      assert.match(error.message, reason);
      return true;
    },
    `'${text}' is refused`,
  );
}

describe('--slo grammar', () => {
  it('reads seconds, milliseconds, exponents, spaces and the itl alias', () => {
    assert.deepEqual(parseSloTargets('ttft=2,tbt=0.1', RANKING_SLO_RULES), { ttft: 2, tbt: 0.1 });
    assert.deepEqual(parseSloTargets(' ttft = 2s , tbt = 100ms , tpot=.05 ', RANKING_SLO_RULES), {
      ttft: 2,
      tbt: 0.1,
      tpot: 0.05,
    });
    assert.deepEqual(parseSloTargets('ttft=1,tpot=50ms', GOODPUT_SLO_RULES), { ttft: 1, tpot: 0.05 });
    assert.deepEqual(parseSloTargets('e2e=5e1,itl=2e-2', GOODPUT_SLO_RULES), { tbt: 0.02, e2e: 50 });
    assert.deepEqual(parseSloTargets('TTFT=500MS,', GOODPUT_SLO_RULES), { ttft: 0.5 });
    assert.deepEqual(parseSloTargets('tbt=0.1,ttft=2', RANKING_SLO_RULES), { ttft: 2, tbt: 0.1 });
  });

  it('states each form: one or more of the targets it takes', () => {
    assert.equal(sloTargetForm(RANKING_SLO_RULES), 'one or more of ttft=<s>,tbt=<s>,tpot=<s>');
    assert.equal(sloTargetForm(GOODPUT_SLO_RULES), 'one or more of ttft=<s>,tpot=<s>,tbt=<s>,e2e=<s>');
  });

  it('refuses every malformed form, naming the flag, the part and the form', () => {
    refused('ttft=0', /a target must be more than 0 seconds; expected .*, got 'ttft=0'/);
    refused('ttft=1e-999', /a target must be more than 0 seconds; .*got 'ttft=1e-999'/);
    refused('ttft=1.2.3', /'1\.2\.3' is not a number of seconds; .*got 'ttft=1\.2\.3'/);
    refused('ttft=-1', /'-1' is not a number of seconds/);
    refused('ttft=', /'' is not a number of seconds/);
    refused('ttft=1h', /'1h' is not a number of seconds/);
    refused('ttft=1e999', /1e999 is too large; .*got 'ttft=1e999'/);
    refused('.', /not <target>=<seconds>; .*got '\.'/);
    refused('ttft', /not <target>=<seconds>; .*got 'ttft'/);
    refused('ttfb=1', /'ttfb' is not a target here \(ttft, tpot, tbt, e2e\); .*got 'ttfb=1'/);
    refused('=1', /'' is not a target here/);
    refused('ttft=1,ttft=2', /ttft is given twice \('ttft=1', 'ttft=2'\)/);
    refused('itl=1,tbt=2', /tbt is given twice \('itl=1', 'tbt=2'\)/);
    refused('', /no target \(give at least one of ttft, tpot, tbt, e2e\); .*got ''/);
    refused(' , ', /no target/);
  });

  it('the search and the tuner take any one of their targets alone: an absent one is unconstrained', () => {
    assert.deepEqual(parseSloTargets('ttft=2', RANKING_SLO_RULES), { ttft: 2 });
    assert.deepEqual(parseSloTargets('tbt=50ms', RANKING_SLO_RULES), { tbt: 0.05 });
    assert.deepEqual(parseSloTargets('itl=50ms', RANKING_SLO_RULES), { tbt: 0.05 });
    assert.deepEqual(parseSloTargets('tpot=40ms', RANKING_SLO_RULES), { tpot: 0.04 });
    refused('', /no target \(give at least one of ttft, tbt, tpot\)/, RANKING_SLO_RULES);
  });

  it('holds each caller to its own targets', () => {
    refused('e2e=9', /'e2e' is not a target here \(ttft, tbt, tpot\)/, RANKING_SLO_RULES);
    refused('ttft=2,tbt=0.1,e2e=9', /'e2e' is not a target here \(ttft, tbt, tpot\)/, RANKING_SLO_RULES);
    refused('ttft=2,tbt=0.1,tbt=0.2', /tbt is given twice/, RANKING_SLO_RULES);
  });

  it('servetune.json is held to the same rules, its errors naming the file and the field', () => {
    const workspace = (slo: object) => parseWorkspaceConfig(JSON.stringify({ slo }), 'ws/servetune.json');
    assert.deepEqual(
      sloFromWorkspace(workspace({ ttft: 2, tbt: 0.1, percentile: 90 }), 'ws/servetune.json'),
      { ttft: 2, tbt: 0.1, form: 'percentile', percentile: 'p90', attainment: 0.9, gap: 'p90' },
    );
    assert.deepEqual(
      sloFromWorkspace(workspace({ ttft: 2, tbt: 0.1, attainment: 99, gap: 'max' }), 'ws/servetune.json'),
      { ttft: 2, tbt: 0.1, form: 'attainment', percentile: 'p90', attainment: 0.99, gap: 'max' },
    );
    assert.throws(
      () =>
        sloFromWorkspace(
          workspace({ ttft: 2, tbt: 0.1, attainment: 99, percentile: 90 }),
          'ws/servetune.json',
        ),
      /attainment or percentile, not both/,
    );
    assert.deepEqual(sloFromWorkspace(workspace({ ttft: 2 }), 'ws/servetune.json'), {
      ttft: 2,
      form: 'attainment',
      percentile: 'p90',
      attainment: 0.9,
      gap: 'p90',
    });
    assert.deepEqual(sloFromWorkspace(workspace({ tbt: 0.05, percentile: 99 }), 'ws/servetune.json'), {
      tbt: 0.05,
      form: 'percentile',
      percentile: 'p99',
      attainment: 0.9,
      gap: 'p90',
    });
    assert.throws(
      () => sloFromWorkspace(workspace({ attainment: 99 }), 'ws/servetune.json'),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.where === 'ws/servetune.json:slo' &&
        /^ws\/servetune\.json: slo: no latency target; give at least one of ttft, tbt, tpot/.test(
          error.message,
        ),
    );
  });
});
