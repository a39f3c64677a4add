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
