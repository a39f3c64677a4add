import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EvaluationMetrics, Slo } from '../../../src/engine/search/schema.js';
import type { BlockPrediction } from '../../../src/engine/tune/schema.js';
import {
  predictionText,
  predictionTooltip,
  sideTuneLens,
  type TuneLens,
  type TuningOutcome,
  tuneLenses,
  tuneLensLine,
} from '../../../src/extension/configs/lens-text.js';

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
      predictionText(PAIR, SLO, 4, [], 'prefill'),
      'ServeTune (prefill + decode pair): p90 TTFT 250 ms · TBT 12.0 ms · 512 tok/s at 4.00 req/s (meets the SLO)',
    );
  });

  it('shows TPOT where the SLO targets it, so a TPOT target is not judged beside TBT alone', () => {
    const tpotSlo = Slo.parse({ ttft: 1, tpot: 0.05, percentile: 'p99' });
    assert.equal(
      predictionText({ ...PAIR, metrics: { ...METRICS, tpot: at(0.009) } }, tpotSlo, 4),
      'ServeTune: p99 TTFT 250 ms · TBT 12.0 ms · TPOT 9.00 ms · 512 tok/s at 4.00 req/s (meets the SLO)',
    );
  });

  it('names the workload in its tooltip, not on the lens line the editor cuts at its width', () => {
    assert.equal(predictionTooltip('poisson:rate=4'), 'Predicted for poisson:rate=4');
    assert.equal(
      predictionTooltip('/w/traces/azure-conv.csv', 'prefill TP1 + decode TP2'),
      'prefill TP1 + decode TP2. Predicted for azure-conv.csv',
    );
  });

  it('reads as before for a whole server', () => {
    assert.match(predictionText(PAIR, SLO, 4), /^ServeTune: p90 TTFT 250 ms/);
  });

  it('names the pair where it cannot run', () => {
    const refused = { ...PAIR, metrics: null, problems: ['weights do not fit'] };
    assert.equal(
      predictionText(refused, SLO, 4, [], 'decode'),
      'ServeTune (prefill + decode pair): cannot run as written: weights do not fit',
    );
  });

  it("a side block's Tune lens tunes that side within its pair, naming the CLI's tune --side", () => {
    const lens = sideTuneLens('decode');
    assert.equal(lens.title, 'Tune this side');
    assert.match(
      lens.tooltip,
      /decode pool within its prefill \+ decode pair, the prefill side as the file writes it/,
    );
    assert.match(lens.tooltip, /servetune tune <file> --side decode/);
    assert.match(lens.tooltip, /Apply edits this block only/);
  });
});

describe('the tune lenses', () => {
  const edit = (line: number, file = '/w/disagg.yaml') => ({
    range: { file, start: { offset: 0, line, column: 4 }, end: { offset: 3, line, column: 7 } },
    newText: '16',
  });
  const done = (suggested: boolean, edits = [edit(12)]): TuningOutcome => ({
    kind: 'done',
    value: {
      current: { ...PAIR, maxRateUnderSlo: 4.5 },
      suggested: suggested ? { ...PAIR, maxRateUnderSlo: 9.1 } : null,
      changeList: [{ setting: 'blockSize', label: 'page size', from: 1, to: 16 }],
      edits,
      summary: 'Tuned for w @ 4 req/s, the SLO: page size 1→16 — max 9.10 req/s under SLO (was 4.50)',
      reason: 'nothing better',
    },
  });
  const titles = (lenses: readonly TuneLens[]) => lenses.map((l) => `${l.title}=${l.action}`);

  it('offer a whole server "Tune for this workload…" and a side block "Tune this side", both tuning', () => {
    assert.deepEqual(titles(tuneLenses(undefined)), ['Tune for this workload…=tune']);
    const [side] = tuneLenses(undefined, 'prefill');
    assert.equal(`${side?.title}=${side?.action}`, 'Tune this side=tune');
    assert.match(side?.tooltip ?? '', /--side prefill/);
  });

  it("show a side's tuning result with an Apply, first (still in view), that edits that block only", () => {
    assert.deepEqual(titles(tuneLenses(done(true), 'decode')), [
      'Apply=apply',
      'Tuned: page size 1→16 — max 9.10 req/s under SLO (was 4.50)=tradeOffs',
      'Show trade-offs=tradeOffs',
    ]);
    assert.equal(tuneLenses(done(true), 'decode')[0]?.tooltip, 'Edits the decode block only');
    assert.equal(tuneLenses(done(true))[0]?.tooltip, undefined);
  });

  it('name the change and its gain, the workload and SLO it was tuned for in the tooltip', () => {
    const [, changes] = tuneLenses(done(true));
    assert.ok((changes?.title.length ?? 0) < 80, 'short enough for a lens row');
    assert.equal(
      changes?.tooltip,
      'Tuned for w @ 4 req/s, the SLO: page size 1→16 — max 9.10 req/s under SLO (was 4.50)',
    );
  });

  it('put a suggestion over the first line it edits in the file, else on the block', () => {
    const path = '/w/disagg.yaml';
    assert.equal(tuneLensLine(3, done(true, [edit(14), edit(12)]), path), 12);
    assert.equal(tuneLensLine(3, done(true, [edit(1, '/w/.env')]), path), 3, 'an edit in another file');
    assert.equal(tuneLensLine(3, done(true, [edit(3)]), path), 3, 'an edit on the block line');
    assert.equal(tuneLensLine(3, done(false), path), 3, 'nothing suggested');
    assert.equal(tuneLensLine(3, { kind: 'pending' }, path), 3);
    assert.equal(tuneLensLine(3, undefined, path), 3);
  });

  it('say while a side tunes, why nothing changes, and offer to tune again after a failure', () => {
    assert.deepEqual(titles(tuneLenses({ kind: 'pending' }, 'prefill')), [
      'ServeTune: tuning the prefill side…=none',
    ]);
    assert.deepEqual(titles(tuneLenses({ kind: 'pending' })), ['ServeTune: tuning…=none']);
    assert.deepEqual(titles(tuneLenses(done(false), 'prefill')), [
      'ServeTune: nothing better=tradeOffs',
      'Show trade-offs=tradeOffs',
    ]);
    assert.deepEqual(titles(tuneLenses({ kind: 'failed', message: 'no GPU' }, 'decode')), [
      'ServeTune: tuning failed: no GPU=tune',
    ]);
  });
});
