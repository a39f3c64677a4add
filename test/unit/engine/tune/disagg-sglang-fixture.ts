// The editor's disaggregated fixture: a prefill Deployment (block 0: TP1, 2 replicas) and a decode
// Deployment (block 1: TP2), with a small workload to predict or tune it under.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const PATH = resolve('test/fixtures/e2e-workspace/configs/disagg-sglang.yaml');

export const DISAGG_SGLANG = {
  path: PATH,
  text: readFileSync(PATH, 'utf8'),
  workload: 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(64),n=100',
  slo: { ttft: 2, tbt: 0.1, percentile: 'p90' as const },
  hardwareFallback: 'h100-sxm',
  sampleRequests: 100,
};
