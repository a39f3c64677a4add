import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  engineBehaviourOf,
  engineBehaviourSettings,
  mergeEngineBehaviour,
} from '../../../../src/engine/config/engines/engine-behaviour.js';
import {
  blockSettings,
  engineFlags,
  readConfig,
  readEngineFlags,
} from '../../../../src/engine/config/index.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { servingEngineFor } from '../../../../src/engine/perf/serving-engine.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import type { Candidate } from '../../../../src/engine/search/schema.js';

const TRTLLM = 'trtllm-serve Qwen/Qwen3-30B-A3B-FP8 --tp_size 1 --extra_llm_api_options /c/extra.yaml\n';

function settingsOf(text: string, files: Record<string, string> = {}) {
  const block = readConfig('/c/serve.sh', text, { readFile: (p) => files[p] }).blocks[0];
  assert.ok(block);
  assert.deepEqual(
    block.occurrences.filter((o) => o.error).map((o) => o.error),
    [],
  );
  return blockSettings(block);
}

describe('the MoE backend in config files', () => {
  it("TensorRT-LLM's moe_config.backend: DEEPGEMM and TRTLLM are read; its other kernels as the default", () => {
    const read = (backend: string) =>
      engineBehaviourOf(settingsOf(TRTLLM, { '/c/extra.yaml': `moe_config:\n  backend: ${backend}\n` }));
    assert.deepEqual(read('DEEPGEMM'), { moeBackend: 'deepgemm' });
    assert.deepEqual(read('TRTLLM'), { moeBackend: 'trtllm-gen' });
    assert.deepEqual(read('CUTLASS'), {});
    const block = readConfig('/c/serve.sh', TRTLLM, {
      readFile: () => 'moe_config:\n  backend: FASTEST\n',
    }).blocks[0];
    assert.match(
      block?.occurrences.find((o) => o.error)?.error ?? '',
      /expected one of DEEPGEMM, TRTLLM, .*got 'FASTEST'/,
    );
  });

  it("vLLM's environment variables", () => {
    const launch = 'vllm serve openai/gpt-oss-120b --tensor-parallel-size 2\n';
    assert.deepEqual(engineBehaviourOf(settingsOf(`VLLM_MXFP4_USE_MARLIN=1 ${launch}`)), {
      moeBackend: 'marlin',
    });
    assert.deepEqual(engineBehaviourOf(settingsOf(`VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1 ${launch}`)), {
      moeBackend: 'trtllm-gen-mxfp8',
    });
    assert.deepEqual(engineBehaviourOf(settingsOf(`VLLM_MXFP4_USE_MARLIN=0 ${launch}`)), {});
  });

  it("SGLang's --moe-runner-backend: the kernels priced apart are read; the others as the default", () => {
    const launch = (word: string) =>
      engineBehaviourOf(
        settingsOf(
          `python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-R1 --tp 8 --moe-runner-backend ${word}\n`,
        ),
      );
    assert.deepEqual(launch('flashinfer_trtllm'), { moeBackend: 'trtllm-gen' });
    assert.deepEqual(launch('flashinfer_cutlass'), { moeBackend: 'cutlass' });
    assert.deepEqual(launch('triton'), { moeBackend: 'triton' });
    assert.deepEqual(launch('flashinfer_cutedsl'), {});
    assert.deepEqual(launch('deep_gemm'), {});
    const block = readConfig(
      '/c/serve.sh',
      'python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-R1 --moe-runner-backend fastest\n',
    ).blocks[0];
    assert.match(
      block?.occurrences.find((o) => o.error)?.error ?? '',
      /expected one of flashinfer_trtllm, .*got 'fastest'/,
    );
    const emitted = engineFlags('sglang', { model: 'deepseek-ai/DeepSeek-R1', moeBackend: 'triton' });
    assert.match(emitted.commandLine, /--moe-runner-backend triton/);
    assert.equal(readEngineFlags(emitted).moeBackend, 'triton');
  });

  it('is written as each engine spells it and read back the same', () => {
    const trtllm = engineFlags('trtllm', { model: 'Qwen/Qwen3-30B-A3B-FP8', moeBackend: 'trtllm-gen' });
    assert.match(trtllm.configYaml ?? '', /moe_config:\n {2}backend: TRTLLM/);
    assert.equal(readEngineFlags(trtllm).moeBackend, 'trtllm-gen');
    const vllm = engineFlags('vllm', { model: 'openai/gpt-oss-120b', moeBackend: 'marlin' });
    assert.deepEqual(vllm.env, { VLLM_MXFP4_USE_MARLIN: '1' });
    assert.equal(readEngineFlags(vllm).moeBackend, 'marlin');
    // vLLM chooses its FlashInfer TRT-LLM kernels itself: no spelling, so it is reported as dropped.
    const unspelt = engineFlags('vllm', { model: 'openai/gpt-oss-120b', moeBackend: 'trtllm-gen' });
    assert.deepEqual(
      unspelt.dropped.map((d) => d.setting),
      ['moeBackend'],
    );
  });

  it('the command line wins over the file', () => {
    assert.deepEqual(mergeEngineBehaviour({ moeBackend: 'deepgemm' }, { moeBackend: 'trtllm-gen' }), {
      moeBackend: 'trtllm-gen',
    });
    assert.deepEqual(mergeEngineBehaviour({ moeBackend: 'deepgemm' }, {}), { moeBackend: 'deepgemm' });
  });
});

describe('the MoE backend in searched configurations', () => {
  const candidate: Candidate = {
    kind: 'colocated',
    id: 'c',
    pool: {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'bf16' },
      knobs: {
        maxNumSeqs: 256,
        maxNumBatchedTokens: 8192,
        chunkedPrefill: true,
        blockSize: 32,
        gpuMemoryUtilization: 0.9,
      },
    },
  };
  const model = getModel('qwen3-30b-a3b-fp8');

  it('is written only when the engine that timed them was given one (away from the default)', () => {
    const chosen = servingEngineFor({ id: 'trtllm' }, { moeBackend: 'deepgemm' });
    assert.deepEqual(engineBehaviourSettings(chosen), { moeBackend: 'deepgemm' });
    const timed = engineSettingsFor('trtllm', model, candidate, 8192, { servingEngine: chosen });
    assert.match(timed.servers[0]!.configYaml ?? '', /backend: DEEPGEMM/);
    const plain = engineSettingsFor('trtllm', model, candidate, 8192, {
      servingEngine: servingEngineFor({ id: 'trtllm' }),
    });
    assert.doesNotMatch(plain.servers[0]!.configYaml ?? '', /moe_config/);
  });
});
