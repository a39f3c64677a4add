import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CapacityInput } from '../../../src/engine/search/capacity.js';
import { searchSettingsInput } from '../../../src/extension/search-settings.js';

const settings = {
  engineFlavour: 'sglang' as const,
  engineVersion: '0.5.6',
  moeBackend: undefined,
  nvfp4Dispatch: false,
  prices: { 'h100-sxm': 2.5 },
  searchSampleRequests: 300,
  perfDb: '',
  calibration: '',
};

test('a capacity plan takes servetune.perfDb and servetune.calibration as --perf-db and --calibration, with the engine, prices and sample', () => {
  const input = CapacityInput.parse({
    model: 'llama-3.1-8b',
    hardware: ['h100-sxm', 'h200'],
    maxGpus: 8,
    workload: 'poisson:rate=4,n=300',
    slo: { ttft: 2, tbt: 0.1 },
    ...searchSettingsInput({
      ...settings,
      perfDb: '  /data/my-aic-db ',
      calibration: ' fitted/calibration.json',
    }),
  });
  assert.equal(input.perfDb, '/data/my-aic-db');
  assert.equal(input.calibration, 'fitted/calibration.json');
  assert.equal(input.engine, 'sglang');
  assert.equal(input.engineVersion, '0.5.6');
  assert.deepEqual(input.prices, { 'h100-sxm': 2.5 });
  assert.equal(input.pricesGivenIn, 'the servetune.prices setting');
  assert.equal(input.sampleRequests, 300);
});

test('an empty servetune.perfDb or servetune.calibration leaves the shipped tables and defaults', () => {
  const input = searchSettingsInput({ ...settings, perfDb: ' ', calibration: '' });
  assert.equal('perfDb' in input, false);
  assert.equal('calibration' in input, false);
});
