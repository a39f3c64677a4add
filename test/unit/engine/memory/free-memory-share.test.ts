// A free-memory KV fraction (TensorRT-LLM) as the whole-GPU share the memory model takes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findHardware } from '../../../../src/engine/hardware/catalog.js';
import {
  freeFractionOfWholeGpuShare,
  wholeGpuShareOfFreeFraction,
  wholeGpuShareOfStaticFraction,
} from '../../../../src/engine/memory/free-memory-share.js';
import { memoryReport } from '../../../../src/engine/memory/model.js';
import { lookupModel } from '../../../../src/engine/model/resolve.js';

describe('wholeGpuShareOfFreeFraction', () => {
  const model = lookupModel('deepseek-v3');
  const hardware = findHardware('b200');
  const plan = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' } as const;

  it('gives the KV cache the fraction of what weights, activations and the reserve leave free', () => {
    assert.ok(model && hardware);
    const settings = { contextLength: 9216, maxNumBatchedTokens: 9216 };
    const share = wholeGpuShareOfFreeFraction(model, hardware, plan, 0.9, settings);
    const whole = memoryReport(model, hardware, plan, { ...settings, gpuMemoryUtilization: 1 }).perGpu;
    const free = whole.totalBytes - whole.weightBytes - whole.activationPeakBytes - whole.runtimeReserveBytes;
    const kv = memoryReport(model, hardware, plan, { ...settings, gpuMemoryUtilization: share }).perGpu
      .kvCacheBytes;
    assert.ok(Math.abs(kv - 0.9 * free) < 1e6, `${kv} vs ${0.9 * free}`);
    // Weights of 671B parameters in FP8 over 4 GPUs fill most of each: the share is far above 0.9.
    assert.ok(share > 0.95 && share <= 1);
  });

  it('is never more than the whole GPU', () => {
    assert.ok(model && hardware);
    assert.equal(wholeGpuShareOfFreeFraction(model, hardware, plan, 1), 1);
  });

  it('is undone by freeFractionOfWholeGpuShare, rounded down to hundredths', () => {
    assert.ok(model && hardware);
    const settings = { contextLength: 9216, maxNumBatchedTokens: 9216 };
    const share = wholeGpuShareOfFreeFraction(model, hardware, plan, 0.857, settings);
    assert.equal(freeFractionOfWholeGpuShare(model, hardware, plan, share, settings), 0.85);
  });

  it('has no free-memory fraction for a share the weights already exceed', () => {
    assert.ok(model && hardware);
    assert.equal(freeFractionOfWholeGpuShare(model, hardware, plan, 0.5), undefined);
  });
});

describe('wholeGpuShareOfStaticFraction', () => {
  const model = lookupModel('deepseek-v3');
  const hardware = findHardware('h200');
  const plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'bf16' } as const;

  it("leaves the KV cache SGLang's static share of the GPU less the weights and the runtime reserve", () => {
    assert.ok(model && hardware);
    const settings = { contextLength: 2048, maxNumBatchedTokens: 32768 };
    const share = wholeGpuShareOfStaticFraction(model, hardware, plan, 0.82, settings);
    const whole = memoryReport(model, hardware, plan, { ...settings, gpuMemoryUtilization: 1 }).perGpu;
    const kv = memoryReport(model, hardware, plan, { ...settings, gpuMemoryUtilization: share }).perGpu
      .kvCacheBytes;
    const expected = 0.82 * whole.totalBytes - whole.weightBytes - whole.runtimeReserveBytes;
    assert.ok(Math.abs(kv - expected) < 1e6, `${kv} vs ${expected}`);
    assert.ok(share > 0.82 && share < 1);
  });

  it('is never more than the whole GPU', () => {
    assert.ok(model && hardware);
    assert.equal(wholeGpuShareOfStaticFraction(model, hardware, plan, 1), 1);
  });
});
