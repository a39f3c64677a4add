import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { GOODPUT_SLO_RULES, RANKING_SLO_RULES } from '../../../../src/engine/workload/slo.js';
import {
  parseSlo,
  type RequestLatencies,
  type RunLatencies,
  requestMeetsSlo,
  SloDefinition,
  sloInWords,
  sloVerdict,
} from '../../../../src/engine/workload/slo-verdict.js';

const request = (over: Partial<RequestLatencies> = {}): RequestLatencies => ({
  ttft: 0.5,
  tpot: 0.03,
  e2e: 4,
  maxGap: 0.2,
  gaps: 100,
  gapsOverTbt: 0,
  ...over,
});

const pct = (v: number) => ({ p50: v / 2, p90: v, p99: v * 2 });
const run = (over: Partial<RunLatencies> = {}): RunLatencies => ({
  stable: true,
  attainment: 0.95,
  ttft: pct(1),
  tbt: pct(0.05),
  tpot: pct(0.04),
  e2e: pct(5),
  ...over,
});

describe('the SLO definition', () => {
  it('defaults to 90% attainment of per-request targets, the tbt target bounding the p90 gap', () => {
    const slo = parseSlo('ttft=2,tbt=100ms', RANKING_SLO_RULES);
    assert.deepEqual(slo, {
      ttft: 2,
      tbt: 0.1,
      form: 'attainment',
      attainment: 0.9,
      percentile: 'p90',
      gap: 'p90',
    });
    assert.equal(sloInWords(slo), '90% of requests within TTFT 2 s and p90 token gap 100 ms');
  });

  it('reads the attainment, the percentile form and the gap statistic from --slo', () => {
    assert.equal(parseSlo('ttft=1,attainment=99%', GOODPUT_SLO_RULES).attainment, 0.99);
    assert.equal(parseSlo('ttft=1,attainment=0.95', GOODPUT_SLO_RULES).attainment, 0.95);
    const p = parseSlo('ttft=2,tbt=0.1,percentile=p99', RANKING_SLO_RULES);
    assert.equal(p.form, 'percentile');
    assert.equal(p.percentile, 'p99');
    assert.equal(sloInWords(p), 'p99 over all requests: TTFT 2 s, TBT 100 ms');
    assert.equal(parseSlo('ttft=2,tbt=0.1,gap=max', RANKING_SLO_RULES).gap, 'max');
    for (const [text, reason] of [
      ['ttft=2,tbt=0.1,attainment=120%', /attainment is a share/],
      ['ttft=2,tbt=0.1,attainment=0', /attainment is a share/],
      ['ttft=2,tbt=0.1,percentile=p95', /percentile is p50, p90 or p99/],
      ['ttft=2,tbt=0.1,gap=p95', /gap is max/],
      ['ttft=2,tbt=0.1,attainment=0.9,percentile=p90', /not both/],
      ['ttft=2,tbt=0.1,gap=max,gap=p90', /gap is given twice/],
      ['attainment=0.9', /no target/],
    ] as const) {
      assert.throws(
        () => parseSlo(text, RANKING_SLO_RULES),
        (e: unknown) => isServeTuneError(e) && e.where === '--slo' && reason.test(e.message),
        text,
      );
    }
  });

  it('judges a request by every target, its tbt by the gap statistic', () => {
    const slo = SloDefinition.parse({ ttft: 1, tpot: 0.05, tbt: 0.1, e2e: 10 });
    assert.ok(requestMeetsSlo(slo, request()));
    assert.ok(!requestMeetsSlo(slo, request({ ttft: 1.01 })));
    assert.ok(!requestMeetsSlo(slo, request({ tpot: 0.06 })));
    assert.ok(!requestMeetsSlo(slo, request({ e2e: 11 })));
    // p90 of 100 gaps is the 90th smallest: within the target while at most 10 gaps exceed it.
    assert.ok(requestMeetsSlo(slo, request({ gapsOverTbt: 10 })));
    assert.ok(!requestMeetsSlo(slo, request({ gapsOverTbt: 11 })));
    const max = { ...slo, gap: 'max' as const };
    assert.ok(!requestMeetsSlo(max, request({ maxGap: 0.2 })), 'its largest gap is over');
    assert.ok(requestMeetsSlo(max, request({ maxGap: 0.1 })));
    assert.ok(requestMeetsSlo(max, request({ maxGap: 5, gaps: 0 })), 'a one-token request has no gaps');
  });

  it('judges a run by its attainment, or by the percentile of each metric', () => {
    const attain = SloDefinition.parse({ ttft: 1, tbt: 0.1 });
    assert.deepEqual(sloVerdict(attain, run({ attainment: 0.95 })).meets, true);
    assert.ok(Math.abs(sloVerdict(attain, run({ attainment: 0.95 })).margin - 0.05) < 1e-12);
    assert.equal(sloVerdict(attain, run({ attainment: 0.85 })).meets, false);
    assert.equal(sloVerdict(attain, run({ stable: false, attainment: 1 })).meets, false);
    const pctForm = SloDefinition.parse({ ttft: 2, tbt: 0.1, form: 'percentile', percentile: 'p90' });
    assert.equal(sloVerdict(pctForm, run({ attainment: 0 })).meets, true, 'attainment not read');
    assert.ok(Math.abs(sloVerdict(pctForm, run()).margin - 0.5) < 1e-12, 'ttft 1 of 2, tbt 0.05 of 0.1');
    assert.equal(sloVerdict({ ...pctForm, percentile: 'p99' }, run()).meets, true);
    assert.equal(sloVerdict({ ...pctForm, percentile: 'p99', ttft: 1.5 }, run()).meets, false);
  });
});
