import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kvDtypeOf } from '../../../../src/engine/config/diagnostics.js';
import {
  engineSupportsKvDtype,
  kvCacheSettingsFor,
  kvDtypesOf,
} from '../../../../src/engine/config/engines/kv-cache.js';
import { engineFlags, readEngineFlags } from '../../../../src/engine/config/index.js';
import { kvBytesPerElement } from '../../../../src/engine/model/dtypes.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';

describe('KV cache formats per engine', () => {
  it('fp4 holds 4 bits and one 8-bit scale per 16 values; int8 one byte', () => {
    assert.equal(kvBytesPerElement('fp4'), 0.5625);
    assert.equal(kvBytesPerElement('int8'), 1);
    // SGLang's documented ratio: fp4 KV holds about 3.56× the tokens of bf16.
    assert.equal((kvBytesPerElement('bf16') / kvBytesPerElement('fp4')).toFixed(2), '3.56');
  });

  it('each engine takes the formats its flag accepts', () => {
    assert.deepEqual(kvDtypesOf('vllm'), ['fp16', 'bf16', 'fp8']);
    assert.deepEqual(kvDtypesOf('tgi'), ['fp16', 'bf16', 'fp8']);
    assert.deepEqual(kvDtypesOf('sglang'), ['fp16', 'bf16', 'fp8', 'fp4']);
    assert.deepEqual(kvDtypesOf('trtllm'), ['fp16', 'bf16', 'fp8', 'fp4']);
    assert.equal(engineSupportsKvDtype('trtllm', 'int8'), false);
  });

  it('writes fp4 as SGLang fp4_e2m1 and TensorRT-LLM nvfp4, and reads them back', () => {
    const sglang = engineFlags('sglang', { model: 'x/y', ...kvCacheSettingsFor('sglang', 'fp4') });
    assert.deepEqual(sglang.argv.slice(-2), ['--kv-cache-dtype', 'fp4_e2m1']);
    assert.equal(kvDtypeOf(readEngineFlags(sglang)), 'fp4');
    const trtllm = engineFlags('trtllm', { model: 'x/y', ...kvCacheSettingsFor('trtllm', 'fp4') });
    assert.match(trtllm.configYaml ?? '', /kv_cache_config:\n {2}dtype: nvfp4/);
    assert.equal(kvDtypeOf(readEngineFlags(trtllm)), 'fp4');
  });

  it('writes fp8 in each engine’s own word: SGLang has no plain fp8', () => {
    const words = (['vllm', 'sglang', 'tgi'] as const).map((engine) => {
      const flags = engineFlags(engine, { model: 'x/y', ...kvCacheSettingsFor(engine, 'fp8') });
      assert.deepEqual(flags.dropped, [], engine);
      return flags.argv[flags.argv.indexOf('--kv-cache-dtype') + 1];
    });
    assert.deepEqual(words, ['fp8', 'fp8_e4m3', 'fp8']);
  });

  it('16-bit KV is the default and needs no flag', () => {
    assert.deepEqual(kvCacheSettingsFor('vllm', 'bf16'), {});
  });

  it('refuses a format the engine cannot store, naming what it takes', () => {
    assert.throws(
      () => kvCacheSettingsFor('vllm', 'fp4'),
      (e: unknown) =>
        e instanceof ServeTuneError &&
        /vLLM cannot store the KV cache as fp4; it takes fp16, bf16, fp8/.test(e.message),
    );
    for (const engine of ['vllm', 'sglang', 'tgi', 'trtllm'] as const) {
      assert.throws(() => kvCacheSettingsFor(engine, 'int8'), ServeTuneError);
    }
  });
});
