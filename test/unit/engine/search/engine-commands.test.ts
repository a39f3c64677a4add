import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookupModel } from '../../../../src/engine/model/resolve.js';
import type { ModelSpec } from '../../../../src/engine/model/spec.js';
import { quantizationOf } from '../../../../src/engine/search/engine-commands.js';
import type { Pool } from '../../../../src/engine/search/schema.js';

const pool = (weightDtype: string) => ({ plan: { weightDtype } }) as unknown as Pool;

describe('quantized plans name a checkpoint that is quantized that way', () => {
  const bf16 = lookupModel('meta-llama/Llama-3.1-8B-Instruct') as ModelSpec;

  test('int4 and int8 of a 16-bit checkpoint: no --quantization flag, a note that such a checkpoint is needed', () => {
    for (const dtype of ['int4', 'int8']) {
      const result = quantizationOf(bf16, pool(dtype));
      assert.equal(result.quantization, undefined, 'never --quantization awq on a bf16 checkpoint');
      assert.match(result.needsCheckpoint ?? '', /need a checkpoint quantized that way; .* stores bf16/);
    }
  });

  test('fp8 of a 16-bit checkpoint is quantized at load time; the checkpoint’s own format needs no flag', () => {
    assert.deepEqual(quantizationOf(bf16, pool('fp8')), { quantization: 'fp8' });
    assert.deepEqual(quantizationOf(bf16, pool('bf16')), {});
    const fp8Checkpoint = {
      ...bf16,
      checkpointFormat: { dtype: 'fp8', quantMethod: 'fp8', quantized: ['attention'] },
    };
    assert.deepEqual(quantizationOf(fp8Checkpoint as unknown as ModelSpec, pool('fp8')), {});
  });
});

describe('TensorRT-LLM gets its memory budget as a share of free memory', () => {
  test('kv_cache_config.free_gpu_memory_fraction is emitted (not dropped) and reads back to the same budget', async () => {
    const { engineSettingsFor } = await import('../../../../src/engine/search/engine-commands.js');
    const { getHardware } = await import('../../../../src/engine/hardware/catalog.js');
    const { memoryReport } = await import('../../../../src/engine/memory/model.js');
    const model = lookupModel('meta-llama/Llama-3.1-8B-Instruct') as ModelSpec;
    const hardware = getHardware('h100-sxm');
    const knobs = {
      maxNumSeqs: 128,
      maxNumBatchedTokens: 8192,
      chunkedPrefill: true,
      blockSize: 32,
      gpuMemoryUtilization: 0.9,
    };
    const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' } as const;
    const candidate = { kind: 'colocated', id: 'c', pool: { plan, knobs } } as const;
    const [server] = engineSettingsFor('trtllm', model, candidate, 8192, hardware).servers;
    assert.ok(
      !server.dropped.some((d) => d.setting === 'gpuMemoryUtilization'),
      JSON.stringify(server.dropped),
    );
    const fraction = server.expressed.kvCacheFreeMemoryFraction as number;
    assert.ok(fraction > 0 && fraction < 1, String(fraction));
    assert.ok(server.argv.includes('--kv_cache_free_gpu_memory_fraction'), server.commandLine);
    // What the diagnostics make of it: used + fraction × free, as a share of the GPU ≈ 0.9 (rounded down).
    const g = memoryReport(model, hardware, plan, {
      ...knobs,
      gpuMemoryUtilization: 1,
      contextLength: 8192,
    }).perGpu;
    const used = g.weightBytes + g.activationPeakBytes + g.runtimeReserveBytes;
    const share = (used + fraction * (g.totalBytes - used)) / g.totalBytes;
    assert.ok(share <= 0.9 && share > 0.89, String(share));
    // Without the GPU the share cannot be converted: it is dropped with its reason, as before.
    const [blind] = engineSettingsFor('trtllm', model, candidate, 8192).servers;
    assert.ok(blind.dropped.some((d) => d.setting === 'gpuMemoryUtilization'));
  });
});
