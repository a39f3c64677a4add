import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EvaluationMetrics, Slo } from '../../../src/engine/search/schema.js';
import type { BlockPrediction } from '../../../src/engine/tune/schema.js';
import { predictionText, sideTuneLens } from '../../../src/extension/configs/lens-text.js';

const SLO = Slo.parse({ ttft: 2, tbt: 0.1, percentile: 'p90' });
const at = (p90: number) => ({ mean: p90, p50: p90, p90, p99: p90 });
const METRICS: EvaluationMetrics = {
  rate: 4,
  ttft: at(0.25),
  tbt: at(0.012),
  tpot: at(0.012),
  e2e: at(1.8),
  throughputPerGpu: 128,
  totalThroughputPerGpu: 1152,
  speedPerUser: 80,
  requestThroughput: 4,
  goodput: 4,
  attainment: 1,
  preemptions: 0,
  stable: true,
};
const PAIR: BlockPrediction = {
  label: 'prefill TP1×DP2 + decode TP2',
  settings: {},
  gpus: 4,
  problems: [],
  metrics: METRICS,
  meetsSlo: true,
  maxRateUnderSlo: null,
};

describe('the prediction lens', () => {
  it('says a side block shows the prefill + decode pair', () => {
    assert.equal(
      predictionText(PAIR, SLO, 4, 'poisson:rate=4', [], 'prefill'),
      'ServeTune (prefill + decode pair): p90 TTFT 250 ms · TBT 12 ms · 512 tok/s at 4.00 req/s of poisson:rate=4 (meets the SLO)',
    );
  });

  it('reads as before for a whole server', () => {
    assert.match(predictionText(PAIR, SLO, 4, 'poisson:rate=4'), /^ServeTune: p90 TTFT 250 ms/);
  });

  it('names the pair where it cannot run', () => {
    const refused = { ...PAIR, metrics: null, problems: ['weights do not fit'] };
    assert.equal(
      predictionText(refused, SLO, 4, 'w', [], 'decode'),
      'ServeTune (prefill + decode pair): cannot run as written: weights do not fit',
    );
  });

  it('says why a side block is not tuned', () => {
    const lens = sideTuneLens('decode');
    assert.equal(lens.title, 'Tune: whole servers only');
    assert.match(lens.tooltip, /decode side of a disaggregated deployment.*search --disaggregation/);
    assert.match(lens.tooltip, /servetune tune <file> --side decode/, 'the CLI command that tunes the side');
  });
});
