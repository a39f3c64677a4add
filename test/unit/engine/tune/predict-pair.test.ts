import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { simulationFromConfig } from '../../../../src/engine/tune/config-simulation.js';
import { predictBlock } from '../../../../src/engine/tune/index.js';
import { configPairOf } from '../../../../src/engine/tune/predict-pair.js';

// The editor's fixture: a prefill Deployment (TP1, 2 replicas) and a decode Deployment (TP2).
const PATH = resolve('test/fixtures/e2e-workspace/configs/disagg-sglang.yaml');
const TEXT = readFileSync(PATH, 'utf8');
const INPUT = {
  path: PATH,
  text: TEXT,
  workload: 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(64),n=100',
  slo: { ttft: 2, tbt: 0.1, percentile: 'p90' as const },
  hardwareFallback: 'h100-sxm',
  sampleRequests: 100,
};

describe('the prediction of one side of a disaggregated deployment', () => {
  it('predicts the prefill + decode pair from either side block', async () => {
    const prefill = await predictBlock({ ...INPUT, block: 0 });
    const decode = await predictBlock({ ...INPUT, block: 1 });
    for (const { current } of [prefill, decode]) {
      assert.equal(current.label, 'prefill TP1×DP2 + decode TP2');
      assert.equal(current.gpus, 4);
      assert.ok(current.metrics, 'the pair is simulated');
      assert.ok(current.metrics.ttft.p90 > 0 && current.metrics.tbt.p90 > 0);
    }
    // One deployment, one simulation: the two sides read the same numbers.
    assert.deepEqual(prefill.current.metrics, decode.current.metrics);
    assert.equal(prefill.target.label, 'Deployment llama-8b-prefill, container prefill');
  });

  it('takes the pair from the function behind simulate --config --side', () => {
    const options = { block: 1, hardwareFallback: 'h100-sxm' };
    assert.deepEqual(
      configPairOf({ path: PATH, text: TEXT, ...options }, 'decode'),
      simulationFromConfig(PATH, { ...options, side: 'decode' }),
    );
  });

  it('reads the unsaved buffer, not the file on disk', () => {
    const edited = TEXT.replace('- "512"', '- "256"');
    assert.notEqual(edited, TEXT);
    const input = { path: PATH, text: edited, block: 0, hardwareFallback: 'h100-sxm' };
    assert.equal(configPairOf(input, 'prefill').disaggregated?.other?.scheduler.maxNumSeqs, 256);
  });

  it('takes a whole-server block as simulate --config does, its referred files through readFile', () => {
    const files: Record<string, string> = {
      '/c/serve.sh': 'vllm serve meta-llama/Llama-3.1-8B-Instruct --config /c/vllm.yaml\n',
      '/c/vllm.yaml': 'max-num-seqs: 48\n',
    };
    const readFile = (path: string) => files[path];
    const input = { path: '/c/serve.sh', block: 0, hardwareFallback: 'h100-sxm', readFile };
    const config = configPairOf(input);
    assert.equal(config.disaggregated, undefined);
    assert.equal(config.scheduler.maxNumSeqs, 48);
    assert.deepEqual(config, simulationFromConfig('/c/serve.sh', { hardwareFallback: 'h100-sxm', readFile }));
  });
});
