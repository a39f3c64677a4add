import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { loadSearchSample, searchServing } from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';
import {
  MIN_ARRIVAL_SPAN_SECONDS,
  simulationConfigFor,
} from '../../../../src/engine/search/simulation-evaluator.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import { summarySloVerdict } from '../../../../src/engine/sim/slo-check.js';
import { repeatToSpan, scaleToRate } from '../../../../src/engine/workload/transform.js';

// The search and `simulate` judge a run by the one SLO evaluator: the configuration a search names best,
// at the rate it says the configuration sustains, meets the SLO when the whole deployment is simulated
// there (the search simulates one replica on its share of the traffic).

const CASES = [
  {
    name: 'Llama-3.1-8B on 2× L40S, 90% attainment, p90 token gap',
    model: 'llama-3.1-8b',
    hardware: 'l40s',
    gpus: 2,
    workload: 'poisson:rate=4,prompt=uniform(256,1024),output=uniform(32,192),n=200',
    slo: Slo.parse({ ttft: 1.5, tbt: 0.06 }),
  },
  {
    name: 'Qwen2.5-7B on 4× A100, 99% attainment of TTFT, largest gap and E2E',
    model: 'qwen2.5-7b',
    hardware: 'a100-80gb-sxm',
    gpus: 4,
    workload: 'poisson:rate=8,prompt=uniform(128,768),output=uniform(32,128),n=200',
    slo: Slo.parse({ ttft: 1, tbt: 0.08, e2e: 8, attainment: 0.99, gap: 'max' }),
  },
  {
    name: 'Mistral-7B on 2× H100, p99 of each metric over all requests',
    model: 'mistral-7b',
    hardware: 'h100-sxm',
    gpus: 2,
    workload: 'poisson:rate=8,prompt=uniform(256,1024),output=uniform(32,128),n=200',
    slo: Slo.parse({ ttft: 0.8, tbt: 0.04, form: 'percentile', percentile: 'p99' }),
  },
];

describe('one SLO for search and simulate', () => {
  for (const c of CASES) {
    it(`${c.name}: the best configuration meets the SLO when simulated at its claimed rate`, async () => {
      const input = { ...c, sampleRequests: 200, threads: 0, seed: 0 };
      const result = await searchServing(input);
      const best = result.configurations.find((x) => x.best);
      assert.ok(best?.maxRateUnderSlo && best.metricsAtMaxRate, `${c.name}: a best configuration`);
      const rate = best.maxRateUnderSlo;
      const model = getModel(c.model);
      const { workload, maxModelLen } = loadSearchSample(input, model);
      const setup = { model, hardware: getHardware(c.hardware), engine: 'vllm' as const, slo: c.slo };
      const config = simulationConfigFor({ ...setup, workload, maxModelLen, seed: 0 }, best.candidate);
      const requests = repeatToSpan(scaleToRate(workload, rate), MIN_ARRIVAL_SPAN_SECONDS);
      const summary = simulate(config, requests);
      const verdict = summarySloVerdict(summary);
      assert.ok(verdict, 'simulate judged the SLO');
      assert.ok(verdict.meets, `${c.name}: ${best.id} at ${rate.toFixed(2)} req/s: simulate says not met`);
      if (c.slo.form === 'attainment') {
        const claimed = best.metricsAtMaxRate.attainment;
        assert.ok(claimed >= c.slo.attainment, `search claims ${claimed}`);
        // One replica's share against the whole deployment: the same traffic, routed round-robin.
        assert.ok(
          summary.goodput!.fraction >= c.slo.attainment,
          `${best.id}: simulate ${summary.goodput!.fraction} < ${c.slo.attainment} (search ${claimed})`,
        );
      }
    });
  }
});
