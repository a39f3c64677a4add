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
