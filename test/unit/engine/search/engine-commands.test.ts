import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import type { KvDtype } from '../../../../src/engine/model/dtypes.js';
import { lookupModel } from '../../../../src/engine/model/resolve.js';
import type { ModelSpec } from '../../../../src/engine/model/spec.js';
import { engineSettingsFor, quantizationOf } from '../../../../src/engine/search/engine-commands.js';
import type { Candidate, Pool } from '../../../../src/engine/search/schema.js';
import { feasibleReplicaShapes } from '../../../../src/engine/search/space.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

const candidate = (kvDtype: KvDtype): Candidate => ({
  kind: 'colocated',
  id: 'c',
  pool: {
    plan: { tp: 2, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype },
    knobs: {
      maxNumSeqs: 64,
      maxNumBatchedTokens: 8192,
      chunkedPrefill: true,
      blockSize: 16,
      gpuMemoryUtilization: 0.9,
    },
  },
});

describe('engine commands for a candidate: KV format', () => {
  const model = getModel('llama-3.1-8b');

  it('SGLang fp8 KV is written as fp8_e4m3, not left out', () => {
    const [server] = engineSettingsFor('sglang', model, candidate('fp8'), 8192).servers;
    assert.match(server.commandLine, /--kv-cache-dtype fp8_e4m3/);
    assert.deepEqual(server.dropped, []);
  });

  it('fp4 KV on SGLang is fp4_e2m1; on vLLM it is refused', () => {
    const [server] = engineSettingsFor('sglang', model, candidate('fp4'), 8192).servers;
    assert.match(server.commandLine, /--kv-cache-dtype fp4_e2m1/);
    assert.throws(() => engineSettingsFor('vllm', model, candidate('fp4'), 8192), ServeTuneError);
  });
});

describe('the search space: KV formats per engine and GPU', () => {
  const space = (engine: 'vllm' | 'sglang', hardware: string) =>
    feasibleReplicaShapes(
      {
        model: getModel('llama-3.1-8b'),
        hardware: getHardware(hardware),
        gpus: 1,
        engine,
        maxSequenceTokens: 4096,
        allowQuantization: true,
        disaggregation: false,
      },
      1,
    ).shapes.map((s) => s.kvDtype);

  it('tries fp4 KV only where the engine stores it and the GPU is Blackwell', () => {
    assert.ok(space('sglang', 'b200').includes('fp4'));
    assert.ok(!space('vllm', 'b200').includes('fp4'));
    assert.ok(!space('sglang', 'h100-sxm').includes('fp4'));
    assert.ok(space('sglang', 'h100-sxm').includes('fp8'));
  });
});

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
    const [server] = engineSettingsFor('trtllm', model, candidate, 8192, { hardware }).servers;
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

describe('SGLang gets its memory budget as --mem-fraction-static (weights and KV cache)', () => {
  it('writes the share the search simulated without the activations', () => {
    const model = getModel('llama-3.1-8b');
    const hardware = getHardware('h100-sxm');
    const [server] = engineSettingsFor('sglang', model, candidate('bf16'), 8192, { hardware }).servers;
    const fraction = server.expressed.gpuMemoryUtilization as number;
    assert.ok(fraction > 0.85 && fraction < 0.9, String(fraction));
    assert.match(server.commandLine, new RegExp(`--mem-fraction-static ${fraction}`));
    // Without the GPU the share is written as it is, as before.
    const [blind] = engineSettingsFor('sglang', model, candidate('bf16'), 8192).servers;
    assert.equal(blind.expressed.gpuMemoryUtilization, 0.9);
  });
});
