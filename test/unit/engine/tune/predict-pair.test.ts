import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulationFromConfig } from '../../../../src/engine/tune/config-simulation.js';
import { predictBlock } from '../../../../src/engine/tune/index.js';
import { configPairOf } from '../../../../src/engine/tune/predict-pair.js';
import { DISAGG_SGLANG } from './disagg-sglang-fixture.js';

const INPUT = DISAGG_SGLANG;

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
      configPairOf({ path: DISAGG_SGLANG.path, text: DISAGG_SGLANG.text, ...options }, 'decode'),
      simulationFromConfig(DISAGG_SGLANG.path, { ...options, side: 'decode' }),
    );
  });

  it('reads the unsaved buffer, not the file on disk', () => {
    const edited = DISAGG_SGLANG.text.replace('- "512"', '- "256"');
    assert.notEqual(edited, DISAGG_SGLANG.text);
    const input = { path: DISAGG_SGLANG.path, text: edited, block: 0, hardwareFallback: 'h100-sxm' };
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
