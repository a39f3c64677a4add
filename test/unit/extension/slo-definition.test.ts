import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { EvaluationMetrics } from '../../../src/engine/search/schema.js';
import { meetsSlo } from '../../../src/engine/search/slo.js';
import { sloInWords } from '../../../src/engine/workload/slo-verdict.js';
import {
  configFileSlo,
  DEFAULT_SLO_DEFINITION,
  SloSettings,
  sloOfSettings,
  sloTargetsChoiceText,
  sloTargetsOfChoice,
  targetSeconds,
  tbtInputProblem,
} from '../../../src/extension/slo-definition.js';

const targets = { percentile: 'p90' as const, ttftSeconds: 2, tbtSeconds: 0.05 };
const at = (p90: number) => ({ mean: p90 / 2, p50: p90 / 2, p90, p99: p90 * 2 });
/** Every percentile within the targets, but only 80% of requests meet all of them. */
const metrics: EvaluationMetrics = {
  rate: 4,
  ttft: at(1),
  tbt: at(0.04),
  tpot: at(0.03),
  e2e: at(8),
  throughputPerGpu: 500,
  speedPerUser: 30,
  requestThroughput: 4,
  goodput: 3.2,
  attainment: 0.8,
  preemptions: 0,
  stable: true,
};

describe('the editor SLO settings', () => {
  it('default to the attainment form: 90% of requests, each judged at its p90 gap', () => {
    const slo = sloOfSettings(targets);
    assert.equal(slo.form, 'attainment');
    assert.equal(sloInWords(slo), '90% of requests within TTFT 2 s and p90 token gap 50 ms');
    assert.equal(meetsSlo(metrics, slo), false, '80% of requests < 90%');
  });

  it('take the percentile form and the gap statistic through to the SLO the engine judges', () => {
    const percentile = sloOfSettings(targets, { ...DEFAULT_SLO_DEFINITION, form: 'percentile' });
    assert.equal(percentile.form, 'percentile');
    assert.match(sloInWords(percentile), /p90/);
    assert.equal(meetsSlo(metrics, percentile), true, 'each p90 is within its target');
    const worst = sloOfSettings(targets, { form: 'attainment', attainment: 0.99, gap: 'max' });
    assert.equal(sloInWords(worst), '99% of requests within TTFT 2 s and max token gap 50 ms');
  });

  it('the manifest offers the forms and gaps the settings read', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    const props = manifest.contributes.configuration.properties ?? {};
    assert.deepEqual(props['servetune.slo.form'].enum, ['attainment', 'percentile']);
    assert.equal(props['servetune.slo.form'].default, 'attainment');
    assert.deepEqual(props['servetune.slo.gap'].enum, ['p50', 'p90', 'p99', 'max']);
  });

  it('leave a target out when it is null: the SLO judges the other alone', () => {
    const ttftOnly = sloOfSettings({ percentile: 'p90', ttftSeconds: 2, tbtSeconds: null });
    assert.equal(ttftOnly.tbt, undefined);
    assert.equal(sloInWords(ttftOnly), '90% of requests within TTFT 2 s');
    const tbtOnly = sloOfSettings(
      { percentile: 'p99', ttftSeconds: null, tbtSeconds: 0.05 },
      {
        ...DEFAULT_SLO_DEFINITION,
        form: 'percentile',
      },
    );
    assert.equal(tbtOnly.ttft, undefined);
    assert.equal(meetsSlo({ ...metrics, ttft: at(60) }, tbtOnly), false, 'p99 gap 80 ms > 50 ms');
    assert.equal(meetsSlo({ ...metrics, ttft: at(60), tbt: at(0.02) }, tbtOnly), true, 'TTFT unconstrained');
    assert.deepEqual(sloTargetsOfChoice({ percentile: 'p90', ttftSeconds: null, tbtSeconds: 0.05 }), {
      tbt: 0.05,
    });
    assert.equal(
      sloTargetsChoiceText({ percentile: 'p90', ttftSeconds: null, tbtSeconds: 0.05 }),
      'TBT p90 ≤ 50 ms',
    );
    assert.equal(sloTargetsChoiceText(targets), 'TTFT p90 ≤ 2 s, TBT p90 ≤ 50 ms');
  });

  it('read a null target from the settings as left out, and both left out as the defaults', () => {
    assert.equal(SloSettings.parse({ ttftSeconds: null, tbtSeconds: 0.03 }).ttftSeconds, null);
    assert.equal(SloSettings.parse({ ttftSeconds: 1, tbtSeconds: null }).tbtSeconds, null);
    const neither = SloSettings.parse({ percentile: 'p99', ttftSeconds: null, tbtSeconds: null });
    assert.deepEqual([neither.ttftSeconds, neither.tbtSeconds], [2, 0.05]);
    assert.deepEqual(SloSettings.parse(undefined), SloSettings.parse({}));
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    const props = manifest.contributes.configuration.properties ?? {};
    for (const key of ['servetune.slo.ttftSeconds', 'servetune.slo.tbtSeconds'])
      assert.deepEqual(props[key].type, ['number', 'null'], key);
  });

  it('the latency-target boxes take a blank as no target, but not both blank', () => {
    assert.equal(targetSeconds('', 1), null);
    assert.equal(targetSeconds(' 50 ', 1000), 0.05);
    assert.equal(targetSeconds('0', 1), undefined);
    assert.equal(targetSeconds('fast', 1), undefined);
    assert.equal(tbtInputProblem('', 2), undefined, 'TTFT alone');
    assert.equal(tbtInputProblem('50', null), undefined, 'TBT alone');
    assert.match(tbtInputProblem('', null) ?? '', /TTFT target was left blank/);
    assert.match(tbtInputProblem('-1', 2) ?? '', /positive number of milliseconds, or blank/);
  });
});

describe('the SLO a config file is judged against', () => {
  const settings = { ...targets, form: 'percentile' as const, attainment: 0.95, gap: 'max' as const };

  it("takes the settings' whole definition, not only their targets", () => {
    const slo = configFileSlo(undefined, settings);
    assert.equal(slo.form, 'percentile');
    assert.equal(slo.attainment, 0.95);
    assert.equal(slo.gap, 'max');
    assert.deepEqual(slo, sloOfSettings(targets, settings));
  });

  it("takes the workspace file's SLO where it has one", () => {
    const fromFile = sloOfSettings({ percentile: 'p99', ttftSeconds: 1, tbtSeconds: null });
    assert.equal(configFileSlo(fromFile, settings), fromFile);
  });
});
