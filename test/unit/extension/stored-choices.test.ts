import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storedChoices } from '../../../src/extension/state.js';

test('a stored choice that no longer parses drops alone, the others stay', () => {
  const stored = {
    model: 'llama-3.1-8b',
    hardware: 'h100-sxm',
    gpus: 8,
    // A think time past the day MAX_THINK_SECONDS allows, as an older build could store it.
    load: { concurrency: 4, thinkSeconds: 1e9 },
  };
  assert.deepEqual(storedChoices(stored), { model: 'llama-3.1-8b', hardware: 'h100-sxm', gpus: 8 });
});

test('stored choices keep every field that parses, and nothing else', () => {
  assert.deepEqual(storedChoices({ gpus: 0, model: 'm', unknown: 1 }), { model: 'm' });
  assert.deepEqual(storedChoices(null), {});
  assert.deepEqual(storedChoices('text'), {});
  assert.deepEqual(storedChoices([{ model: 'm' }]), {});
});

test('a search space stored before speculation was searchable reads as without it', () => {
  assert.deepEqual(storedChoices({ searchSpace: { quantization: true, disaggregation: false } }), {
    searchSpace: { quantization: true, disaggregation: false, speculation: false },
  });
});

test('the deployment platform and folder last written are kept; an unknown platform drops', () => {
  assert.deepEqual(storedChoices({ deployFormat: 'llm-d', deployFolder: 'k8s' }), {
    deployFormat: 'llm-d',
    deployFolder: 'k8s',
  });
  assert.deepEqual(storedChoices({ deployFormat: 'nomad', deployFolder: 'k8s' }), { deployFolder: 'k8s' });
});
