import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  formatLatency,
  formatRelativeError,
  validationChartModel,
  validationHeadline,
} from '../../../../src/engine/chart/validation-chart.js';
import { HostToWebview } from '../../../../src/engine/protocol/webview.js';
import { ValidationReport } from '../../../../src/engine/validate/report.js';
import { validationProgress } from '../../../../src/worker/methods/validate.js';

// A real report: the validation recorded on lavapipe.
const RECORDED = ValidationReport.parse(
  JSON.parse(readFileSync('bench/results/validate-lavapipe.json', 'utf8')),
);

test('the chart has one row per metric and statistic, equal to the report', () => {
  const model = validationChartModel(RECORDED);
  assert.deepEqual(
    model.rows.map((r) => `${r.metric}:${r.stat}`),
    ['ttft:mean', 'ttft:p90', 'tpot:mean', 'tpot:p90', 'itl:mean', 'itl:p90', 'e2e:mean', 'e2e:p90'],
  );
  for (const row of model.rows) {
    const metric = row.metric as 'ttft' | 'tpot' | 'itl' | 'e2e';
    assert.equal(row.predictedSeconds, RECORDED.predicted[metric]![row.stat]);
    assert.equal(row.measuredSeconds, RECORDED.measured[metric]![row.stat]);
    const recorded = RECORDED.errors.find((e) => e.metric === row.metric && e.stat === row.stat)!;
    assert.equal(row.relativeError, recorded.relativeError);
    assert.equal(row.withinTarget, Math.abs(recorded.relativeError) <= RECORDED.target.maxRelativeError);
    assert.equal(row.predictedText, formatLatency(row.predictedSeconds));
    assert.equal(row.errorText, formatRelativeError(row.relativeError));
  }
  assert.deepEqual(
    model.rows.filter((r) => r.targeted).map((r) => r.label),
    ['TTFT mean', 'TPOT mean'],
  );
  assert.equal(model.target.met, RECORDED.target.met);
  assert.equal(model.createdAt, RECORDED.createdAt);
  assert.match(model.title, /^Validation: servetune-tiny on llvmpipe/);
  const capacityFrom = RECORDED.servedStepFit
    ? /predicted after the warm-up's fit/
    : /predicted from the profile/;
  assert.ok(model.notes.some((n) => capacityFrom.test(n)));
  // It crosses the webview boundary as a message the page accepts.
  assert.ok(HostToWebview.safeParse({ type: 'validation', model }).success);
});

test('a prediction fitted to a twin served in blocks says so, with the errors of the profile alone beside it', () => {
  const report: ValidationReport = {
    ...RECORDED,
    servedStepFit: {
      requests: 40,
      seed: 1,
      rate: 30,
      blockRequests: 5,
      blocks: 8,
      computeFactor: 0.9,
      fixedFactor: 1.4,
      steps: 300,
      meanAbsoluteRelativeError: 0.2,
      wallSeconds: 2,
    },
    profileOnly: {
      predicted: RECORDED.predicted,
      errors: RECORDED.errors.map((e) => ({ ...e, relativeError: e.relativeError - 0.25 })),
      steps: RECORDED.steps,
    },
  };
  const notes = validationChartModel(report).notes;
  assert.ok(
    notes.some((n) =>
      /300 steps the engine ran serving a twin of the validated run \(40 other requests, seed 1, in 8 blocks of 5 alternating/.test(
        n,
      ),
    ),
    notes.join('\n'),
  );
  const ttft = RECORDED.errors.find((e) => e.metric === 'ttft' && e.stat === 'mean')!;
  const only = notes.find((n) => n.startsWith('From the profile alone:'));
  assert.ok(only?.includes(`TTFT ${formatRelativeError(ttft.relativeError - 0.25)}`), only);
  assert.ok(
    !notes.some((n) => /engine steps measured by the profile/.test(n)),
    'the profile fit is not the one used',
  );
});

test('the headline names the errors of mean TTFT and mean TPOT', () => {
  const ttft = RECORDED.errors.find((e) => e.metric === 'ttft' && e.stat === 'mean')!;
  const tpot = RECORDED.errors.find((e) => e.metric === 'tpot' && e.stat === 'mean')!;
  assert.equal(
    validationHeadline(RECORDED),
    `TTFT ${formatRelativeError(ttft.relativeError)}, TPOT ${formatRelativeError(tpot.relativeError)}`,
  );
  assert.match(validationHeadline(RECORDED), /^TTFT [+-]\d+\.\d%, TPOT [+-]\d+\.\d%$/);
});

test('a metric missing from either run has no row, and the target flags follow the errors', () => {
  const measured = { ...RECORDED.measured, itl: null };
  const errors = RECORDED.errors
    .filter((e) => e.metric !== 'itl')
    .map((e) =>
      e.metric === 'tpot'
        ? { ...e, relativeError: 0.04 }
        : e.metric === 'ttft' && e.stat === 'mean'
          ? { ...e, relativeError: -0.2 }
          : e,
    );
  const model = validationChartModel({ ...RECORDED, measured, errors });
  assert.ok(!model.rows.some((r) => r.metric === 'itl'));
  assert.equal(model.rows.length, 6);
  const tpot = model.rows.find((r) => r.metric === 'tpot' && r.stat === 'mean')!;
  assert.equal(tpot.withinTarget, true);
  assert.equal(tpot.errorText, '+4.0%');
  const ttft = model.rows.find((r) => r.metric === 'ttft' && r.stat === 'mean')!;
  assert.equal(ttft.withinTarget, false);
  assert.equal(ttft.errorText, '-20.0%');
});

test('relative errors and latencies are formatted as the CLI prints them', () => {
  assert.equal(formatRelativeError(-0.0804), '-8.0%');
  assert.equal(formatRelativeError(0.1), '+10.0%');
  assert.equal(formatRelativeError(0), '+0.0%');
  assert.equal(formatRelativeError(-0.0004), '+0.0%');
  assert.equal(formatLatency(0.0027149), '2.71 ms');
});

test('validation progress lines map onto one bar that only moves forward', () => {
  const percent = validationProgress();
  assert.equal(percent('starting the local engine…'), 0);
  assert.equal(percent('  profile [5/20] tiled GEMM: 28 GFLOP/s'), 12.5);
  assert.equal(percent('  profile [20/20] engine steps'), 50);
  assert.equal(percent('serving 24 requests (poisson:…)…'), 50);
  assert.equal(percent('  12/24 requests done'), 75);
  assert.equal(percent('something else'), 75);
  assert.equal(percent('  24/24 requests done'), 100);

  // A warm-up first (a fifth of what remains), then the twin and the validated run in alternating
  // blocks, each an equal share of the rest.
  const afterWarmUp = () => {
    const progress = validationProgress();
    progress('  profile [20/20] engine steps');
    assert.equal(progress('serving 40 warm-up requests to warm the runtime and set the rate…'), 50);
    assert.ok(Math.abs(progress('  40/40 requests done') - 60) < 1e-9);
    return progress;
  };
  const withWarmUp = afterWarmUp();
  assert.equal(
    withWarmUp(
      'serving a twin of the validated run (100 other requests) and the validated run (100 requests, poisson:…) in 4 alternating blocks of 25 each…',
    ),
    60,
  );
  assert.equal(withWarmUp('serving block 1/8 (twin, requests 1–25)…'), 60);
  assert.ok(Math.abs(withWarmUp('serving block 2/8 (validated, requests 1–25)…') - 65) < 1e-9);
  assert.ok(Math.abs(withWarmUp('serving block 8/8 (validated, requests 76–100)…') - 95) < 1e-9);
  assert.ok(Math.abs(withWarmUp('  done') - 95) < 1e-9);

  // One block each: the twin's requests fill the first half of the rest, the validated run's the second.
  const whole = afterWarmUp();
  assert.equal(
    whole(
      'serving a twin of the validated run (100 other requests), then the validated run (100 requests, poisson:…)…',
    ),
    60,
  );
  assert.equal(whole('serving block 1/2 (twin, requests 1–100)…'), 60);
  assert.ok(Math.abs(whole('  50/100 requests done') - 70) < 1e-9);
  assert.ok(Math.abs(whole('serving block 2/2 (validated, requests 1–100)…') - 80) < 1e-9);
  assert.ok(Math.abs(whole('  50/100 requests done') - 90) < 1e-9);
  assert.equal(whole('  100/100 requests done'), 100);
});
