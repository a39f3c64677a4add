import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  EngineId,
  engineFlags,
  knobsFor,
  type PartialServingSettings,
  readEngineFlags,
} from '../../../../src/engine/config/index.js';

const settingsArbitrary: fc.Arbitrary<PartialServingSettings> = fc.record(
  {
    model: fc.constantFrom(
      'meta-llama/Llama-3.1-8B-Instruct',
      'Qwen/Qwen2.5-72B-Instruct',
      '/models/my model',
    ),
    tp: fc.constantFrom(1, 2, 4, 8),
    pp: fc.constantFrom(1, 2, 4),
    dp: fc.constantFrom(1, 2),
    ep: fc.constantFrom(1, 2, 8),
    expertParallel: fc.boolean(),
    gpuMemoryUtilization: fc.integer({ min: 50, max: 99 }).map((n) => n / 100),
    kvCacheFreeMemoryFraction: fc.integer({ min: 50, max: 99 }).map((n) => n / 100),
    maxNumSeqs: fc.integer({ min: 1, max: 2048 }),
    maxNumBatchedTokens: fc.integer({ min: 1, max: 65536 }),
    enableChunkedPrefill: fc.boolean(),
    blockSize: fc.constantFrom(1, 16, 32, 64),
    maxModelLen: fc.integer({ min: 256, max: 131072 }),
    dtype: fc.constantFrom('auto', 'bf16', 'fp16', 'fp32'),
    quantization: fc.constantFrom('fp8', 'awq', 'gptq'),
    kvCacheDtype: fc.constantFrom('auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'fp4'),
    enablePrefixCaching: fc.boolean(),
    enforceEager: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 8 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<PartialServingSettings>;

describe('engineFlags', () => {
  test('vLLM: the exact command line', () => {
    const flags = engineFlags('vllm', {
      model: 'meta-llama/Llama-3.1-70B-Instruct',
      tp: 4,
      maxNumBatchedTokens: 8192,
      enablePrefixCaching: false,
      replicas: 2,
    });
    assert.deepEqual(flags.argv, [
      'vllm',
      'serve',
      'meta-llama/Llama-3.1-70B-Instruct',
      '--tensor-parallel-size',
      '4',
      '--max-num-batched-tokens',
      '8192',
      '--no-enable-prefix-caching',
    ]);
    assert.deepEqual(flags.deployment, { replicas: 2 });
    assert.deepEqual(flags.dropped, []);
    assert.match(flags.configYaml ?? '', /^tensor-parallel-size: 4$/m);
  });

  test('TensorRT-LLM: YAML-only settings go to the extra options file that argv names', () => {
    const flags = engineFlags('trtllm', {
      model: 'x/y',
      tp: 2,
      enableChunkedPrefill: true,
      kvCacheDtype: 'fp8',
    });
    assert.deepEqual(flags.argv.slice(-2), ['--extra_llm_api_options', 'extra_llm_api_options.yaml']);
    assert.equal(flags.configYaml, 'enable_chunked_prefill: true\nkv_cache_config:\n  dtype: fp8\n');
  });

  test('settings an engine cannot take are listed as dropped, with the reason', () => {
    const flags = engineFlags('tgi', { model: 'x/y', pp: 2, tp: 2 });
    assert.deepEqual(
      flags.dropped.map((d) => d.setting),
      ['pp'],
    );
    assert.match(flags.dropped[0].reason, /no setting/);
  });

  for (const engine of EngineId.options) {
    test(`${engine}: emitted flags read back to exactly what they express (property)`, () => {
      fc.assert(
        fc.property(settingsArbitrary, (settings) => {
          const flags = engineFlags(engine, settings);
          assert.deepEqual(readEngineFlags(flags), flags.expressed);
          // Nothing silently lost: every input setting is expressed, dropped, a deployment setting, or a
          // switch without a `--no-` form left out because absent already means that value.
          for (const key of Object.keys(settings) as (keyof PartialServingSettings)[]) {
            if (key in flags.expressed || key === 'replicas' || key === 'gpus') continue;
            if (flags.dropped.some((d) => d.setting === key)) continue;
            const knobs = knobsFor(engine, key);
            assert.ok(
              knobs.some((k) => k.kind === 'switch' && k.write(settings) === false),
              `${key} unaccounted for on ${engine}`,
            );
          }
        }),
        { numRuns: 150, seed: 7 },
      );
    });
  }
});
