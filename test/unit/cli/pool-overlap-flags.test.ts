import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { poolOverlapOfFlags } from '../../../src/cli/commands/simulate-deployment.js';
import { flagValuesOf } from '../../../src/cli/config-flags.js';
import { simulationFromConfig } from '../../../src/engine/tune/config-simulation.js';

// The disaggregated fixture with its prefill servers launched without the overlap scheduler (as
// TensorRT-LLM recipes run their context servers); its decode servers keep the engine's default.
const PATH = 'test/fixtures/configs/kubernetes/disaggregated-sglang.yaml';
const TEXT = readFileSync(PATH, 'utf8').replace(
  '- prefill\n',
  '- prefill\n            - --disable-overlap-schedule\n',
);
const readFile = (path: string) => (path === '/c/disagg.yaml' ? TEXT : undefined);
const flagsOf = (side: 'prefill' | 'decode') => ({
  side,
  ...flagValuesOf(simulationFromConfig('/c/disagg.yaml', { hardware: 'h100-sxm', side, readFile })),
});

describe('simulate --config --side: each pool its own overlap scheduler', () => {
  it('the picked side and its pair each keep their own block setting', () => {
    // Picked prefill: its own setting; the decode pair sets none (the engine default).
    assert.deepEqual(poolOverlapOfFlags(flagsOf('prefill')), { prefill: false, decode: undefined });
    // Picked decode: the prefill pair's setting travels as the paired flag.
    const decode = flagsOf('decode');
    assert.equal(decode.pairedOverlapScheduling, false);
    assert.deepEqual(poolOverlapOfFlags(decode), { prefill: false, decode: undefined });
  });

  it('--disable-overlap-scheduling turns it off on both pools; without --side there is no per-pool setting', () => {
    assert.deepEqual(poolOverlapOfFlags({ ...flagsOf('decode'), disableOverlapScheduling: true }), {
      prefill: false,
      decode: false,
    });
    assert.equal(poolOverlapOfFlags({ overlapScheduling: false }), undefined);
  });
});
