import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { EvaluationMetrics } from '../../../src/engine/search/schema.js';
import { meetsSlo } from '../../../src/engine/search/slo.js';
import { sloInWords } from '../../../src/engine/workload/slo-verdict.js';
import { DEFAULT_SLO_DEFINITION, sloOfSettings } from '../../../src/extension/slo-definition.js';

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
});
