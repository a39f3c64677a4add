import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sglangDefaultMemFractionStatic } from '../../../../src/engine/config/knobs/sglang.js';
import {
  engineMemorySettingsOf,
  engineMemoryUtilizationOf,
  wholeGpuShareOf,
} from '../../../../src/engine/config/memory-share.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { memoryReport } from '../../../../src/engine/memory/model.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';

const model = getModel('llama-3.1-8b');
const hardware = getHardware('h100-sxm');
const plan: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' };
const limits = { maxNumBatchedTokens: 8192, maxNumSeqs: 256, blockSize: 1, contextLength: 8192 };
const kvBytes = (share: number) =>
  memoryReport(model, hardware, plan, { ...limits, gpuMemoryUtilization: share }).perGpu.kvCacheBytes;

describe('wholeGpuShareOf', () => {
  it("gives SGLang's --mem-fraction-static to weights and KV cache alone", () => {
    const share = wholeGpuShareOf(
      { engine: 'sglang', model, hardware, plan },
      { gpuMemoryUtilization: 0.8 },
      limits,
      {
        startupDefault: true,
      },
    );
    assert.ok(share !== undefined && share > 0.8, 'the activations are outside the static share');
    const { weightBytes, runtimeReserveBytes } = memoryReport(model, hardware, plan, limits).perGpu;
    assert.ok(
      Math.abs(kvBytes(share) - (0.8 * hardware.memoryBytes - weightBytes - runtimeReserveBytes)) < 1,
    );
  });

  it("reads vLLM's gpu-memory-utilization as the share itself", () => {
    const target = { engine: 'vllm' as const, model, hardware, plan };
    assert.equal(
      wholeGpuShareOf(target, { gpuMemoryUtilization: 0.8 }, limits, { startupDefault: true }),
      0.8,
    );
    assert.equal(wholeGpuShareOf(target, {}, limits, { startupDefault: true }), 0.9);
  });

  it("takes SGLang's start-up default only where asked to", () => {
    const target = { engine: 'sglang' as const, model, hardware, plan };
    assert.equal(wholeGpuShareOf(target, {}, limits, { startupDefault: false }), undefined);
    const startup = sglangDefaultMemFractionStatic({
      gpuMemoryBytes: hardware.memoryBytes,
      tp: 1,
      pp: 1,
      chunkedPrefillSize: 8192,
    });
    const fromDefault = wholeGpuShareOf(target, {}, limits, { startupDefault: true });
    const written = wholeGpuShareOf(target, { gpuMemoryUtilization: startup }, limits, {
      startupDefault: true,
    });
    assert.equal(fromDefault, written);
  });

  it("writes a share back as SGLang's --mem-fraction-static", () => {
    const target = { engine: 'sglang' as const, model, hardware, plan };
    const share = wholeGpuShareOf(target, { gpuMemoryUtilization: 0.85 }, limits, { startupDefault: true })!;
    assert.equal(engineMemoryUtilizationOf(target, share, limits), 0.85);
    assert.equal(engineMemoryUtilizationOf({ ...target, engine: 'vllm' }, 0.85, limits), 0.85);
    assert.equal(engineMemoryUtilizationOf({ ...target, engine: 'trtllm' }, 0.85, limits), undefined);
  });

  it("writes a share back as TensorRT-LLM's free_gpu_memory_fraction, the other setting left out", () => {
    const target = { engine: 'trtllm' as const, model, hardware, plan };
    const share = wholeGpuShareOf(target, { kvCacheFreeMemoryFraction: 0.8 }, limits, {
      startupDefault: true,
    })!;
    assert.deepEqual(engineMemorySettingsOf(target, share, limits), { kvCacheFreeMemoryFraction: 0.8 });
    assert.deepEqual(engineMemorySettingsOf({ ...target, engine: 'vllm' }, 0.8, limits), {
      gpuMemoryUtilization: 0.8,
    });
  });
});
