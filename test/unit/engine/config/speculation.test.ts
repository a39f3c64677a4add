import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  blockSettings,
  engineFlags,
  type PartialServingSettings,
  readConfig,
  readEngineFlags,
} from '../../../../src/engine/config/index.js';
import { speculationFromSettings } from '../../../../src/engine/search/speculation-space.js';

const base: PartialServingSettings = { model: 'meta-llama/Llama-3.1-70B-Instruct', tp: 4 };
const eagle3: PartialServingSettings = {
  ...base,
  speculativeMethod: 'eagle3',
  speculativeTokens: 3,
  speculativeDraftModel: 'yuhuili/EAGLE3-LLaMA3.3-Instruct-70B',
};

/** The flags each engine documents for speculative decoding (vLLM 0.10 serve, SGLang 0.5 server arguments). */
const DOCUMENTED_SPECULATION_FLAGS = {
  vllm: ['--speculative-config'],
  sglang: [
    '--speculative-algorithm',
    '--speculative-num-steps',
    '--speculative-eagle-topk',
    '--speculative-num-draft-tokens',
    '--speculative-draft-model-path',
  ],
} as const;

describe('speculative decoding settings', () => {
  test('vLLM: one --speculative-config JSON that reads back', () => {
    const flags = engineFlags('vllm', eagle3);
    const at = flags.argv.indexOf('--speculative-config');
    assert.deepEqual(JSON.parse(flags.argv[at + 1]), {
      method: 'eagle3',
      num_speculative_tokens: 3,
      model: 'yuhuili/EAGLE3-LLaMA3.3-Instruct-70B',
    });
    assert.deepEqual(readEngineFlags(flags), flags.expressed);
    assert.deepEqual(flags.dropped, []);
  });

  test('SGLang: a chain of k as algorithm, steps, top-k 1 and k + 1 draft tokens', () => {
    const flags = engineFlags('sglang', eagle3);
    const words = flags.argv.join(' ');
    assert.match(
      words,
      /--speculative-algorithm EAGLE3 --speculative-num-steps 3 --speculative-eagle-topk 1 --speculative-num-draft-tokens 4 --speculative-draft-model-path yuhuili\/EAGLE3-LLaMA3.3-Instruct-70B/,
    );
    assert.deepEqual(readEngineFlags(flags), flags.expressed);
  });

  test('TensorRT-LLM: speculative_config in the extra options YAML; MTP takes num_nextn_predict_layers', () => {
    const flags = engineFlags('trtllm', {
      model: 'deepseek-ai/DeepSeek-V3',
      speculativeMethod: 'mtp',
      speculativeTokens: 2,
    });
    assert.match(
      flags.configYaml ?? '',
      /speculative_config:\n\s+decoding_type: MTP\n\s+num_nextn_predict_layers: 2/,
    );
    assert.deepEqual(readEngineFlags(flags), flags.expressed);
  });

  test('every method round-trips through every engine that takes it; TGI drops it', () => {
    for (const engine of ['vllm', 'sglang', 'trtllm'] as const) {
      for (const method of ['eagle', 'eagle3', 'mtp', 'ngram', 'draft-model'] as const) {
        const settings: PartialServingSettings = {
          ...base,
          speculativeMethod: method,
          speculativeTokens: 4,
          ...(method === 'draft-model' ? { speculativeDraftModel: 'meta-llama/Llama-3.2-1B-Instruct' } : {}),
        };
        const flags = engineFlags(engine, settings);
        assert.deepEqual(flags.dropped, [], `${engine} ${method}`);
        assert.deepEqual(readEngineFlags(flags), flags.expressed, `${engine} ${method}`);
        assert.equal(flags.expressed.speculativeMethod, method);
      }
    }
    const tgi = engineFlags('tgi', eagle3);
    assert.ok(tgi.dropped.some((d) => d.setting === 'speculativeMethod'));
  });

  test('the emitted speculation flags are the ones each engine documents', () => {
    for (const engine of ['vllm', 'sglang'] as const) {
      const flags = engineFlags(engine, eagle3).argv.filter((w) => w.startsWith('--speculative'));
      assert.deepEqual(flags, [...DOCUMENTED_SPECULATION_FLAGS[engine]], engine);
    }
  });

  test('a serving script that speculates is read and becomes the simulator setting', () => {
    const script = `vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size 4 \\\n  --speculative-config '{"model": "meta-llama/Llama-3.2-1B-Instruct", "num_speculative_tokens": 5}'\n`;
    const report = readConfig('/x/serve.sh', script);
    const settings = blockSettings(report.blocks[0]);
    assert.equal(settings.speculativeMethod, 'draft-model');
    assert.deepEqual(speculationFromSettings(settings), {
      method: 'draft-model',
      k: 5,
      policy: 'fixed',
      draftModel: 'llama-3.2-1b',
    });
    const sglang = readConfig(
      '/x/serve.sh',
      'python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --speculative-algorithm NEXTN --speculative-num-steps 2 --speculative-eagle-topk 1 --speculative-num-draft-tokens 3\n',
    );
    assert.deepEqual(speculationFromSettings(blockSettings(sglang.blocks[0])), {
      method: 'mtp',
      k: 2,
      policy: 'fixed',
    });
  });

  test('a method the simulator does not model is an error on the flag, not a silent pass-through', () => {
    const report = readConfig(
      '/x/serve.sh',
      `vllm serve m --speculative-config '{"method": "medusa", "num_speculative_tokens": 3}'\n`,
    );
    const errors = report.blocks[0].occurrences.filter((o) => o.error);
    assert.equal(errors.length, 1);
    assert.match(errors[0].error ?? '', /medusa/);
  });

  test('a draft tree in each engine: SGLang top-k and tokens, vLLM node paths, TensorRT-LLM dynamic tree', () => {
    const tree: PartialServingSettings = { ...eagle3, speculativeTopK: 4, speculativeDraftTokens: 16 };
    const sglang = engineFlags('sglang', tree);
    assert.match(
      sglang.argv.join(' '),
      /--speculative-num-steps 3 --speculative-eagle-topk 4 --speculative-num-draft-tokens 16/,
    );
    const vllm = engineFlags('vllm', tree);
    const json = JSON.parse(vllm.argv[vllm.argv.indexOf('--speculative-config') + 1]);
    assert.equal(json.num_speculative_tokens, 15);
    assert.match(json.speculative_token_tree, /^\[\(0,\), \(1,\), .*\(0, 0, 0\).*\]$/);
    const trtllm = engineFlags('trtllm', tree);
    assert.match(
      trtllm.configYaml ?? '',
      /use_dynamic_tree: true\n\s+dynamic_tree_max_topK: 4\n\s+max_total_draft_tokens: 15/,
    );
    for (const flags of [sglang, vllm, trtllm]) {
      assert.deepEqual(flags.dropped, [], flags.engine);
      assert.deepEqual(readEngineFlags(flags), flags.expressed, flags.engine);
      assert.deepEqual(
        speculationFromSettings({ ...base, ...flags.expressed }),
        { method: 'eagle3', k: 3, policy: 'fixed', topk: 4, draftTokens: 16 },
        flags.engine,
      );
    }
  });

  test("a config file's draft tree is read and simulated as one", () => {
    const sglang = readConfig(
      '/x/serve.sh',
      'python3 -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --speculative-algorithm EAGLE --speculative-draft-model-path yuhuili/EAGLE-LLaMA3.1-Instruct-8B --speculative-num-steps 5 --speculative-eagle-topk 8 --speculative-num-draft-tokens 64\n',
    );
    assert.deepEqual(speculationFromSettings(blockSettings(sglang.blocks[0])), {
      method: 'eagle',
      k: 5,
      policy: 'fixed',
      topk: 8,
      draftTokens: 64,
    });
    const vllm = readConfig(
      '/x/serve.sh',
      `vllm serve m --speculative-config '{"method": "eagle3", "model": "x", "num_speculative_tokens": 3, "speculative_token_tree": "[(0,), (1,), (0, 0)]"}'\n`,
    );
    assert.deepEqual(speculationFromSettings(blockSettings(vllm.blocks[0])), {
      method: 'eagle3',
      k: 2,
      policy: 'fixed',
      topk: 2,
      draftTokens: 4,
    });
    const bad = readConfig(
      '/x/serve.sh',
      `vllm serve m --speculative-config '{"method": "eagle3", "num_speculative_tokens": 2, "speculative_token_tree": "[(0,), (1,), (0, 0)]"}'\n`,
    );
    assert.match(bad.blocks[0].occurrences.find((o) => o.error)?.error ?? '', /number of nodes/);
  });
});
