import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyEdits,
  blockSettings,
  type Diagnostic,
  diagnoseFile,
  planEdits,
  readConfig,
} from '../../../../src/engine/config/index.js';

/** The unknown-flag warnings of one file, as `written → suggested`, and the settings read. */
function check(path: string, text: string): { slips: string[]; settings: Record<string, unknown> } {
  const report = readConfig(path, text);
  const slips = diagnoseFile(report, { hardware: 'h100-sxm' })
    .filter((d: Diagnostic) => d.code === 'unknown-flag')
    .map((d) => {
      const written = text.slice(d.range.start.offset, d.range.end.offset);
      return `${written} → ${/did you mean (\S+)\?/.exec(d.message)?.[1] ?? d.message}`;
    });
  return { slips, settings: blockSettings(report.blocks[0]) };
}

describe("a flag's words as the launcher's parser takes them", () => {
  test('vLLM takes `_` for `-` (FlexibleArgumentParser): read, no warning', () => {
    const { slips, settings } = check('serve.sh', 'vllm serve m --max_num_seqs 64 --max-model-len 4096\n');
    assert.deepEqual(slips, []);
    assert.equal(settings.maxNumSeqs, 64);
    assert.equal(settings.maxModelLen, 4096);
  });

  test('SGLang declares `-` only: `--max_running_requests` is refused, with the spelling it takes', () => {
    const bad = check(
      'sglang.sh',
      'python3 -m sglang.launch_server --model-path m --max_running_requests 64\n',
    );
    assert.deepEqual(bad.slips, ['--max_running_requests → --max-running-requests']);
    assert.equal(bad.settings.maxNumSeqs, undefined);
    const good = check(
      'sglang.sh',
      'python3 -m sglang.launch_server --model-path m --max-running-requests 64\n',
    );
    assert.deepEqual(good.slips, []);
    assert.equal(good.settings.maxNumSeqs, 64);
  });

  test('trtllm-serve declares click options with `_`: `--max-batch-size` is refused', () => {
    const bad = check('serve.sh', 'trtllm-serve m --max-batch-size 64 --tensor-parallel-size 2\n');
    assert.deepEqual(bad.slips, [
      '--max-batch-size → --max_batch_size',
      '--tensor-parallel-size → --tp_size',
    ]);
    assert.equal(bad.settings.maxNumSeqs, undefined);
    // Its own long name for --tp_size, spelt with `_`, is taken.
    const good = check('serve.sh', 'trtllm-serve m --max_batch_size 64 --tensor_parallel_size 2\n');
    assert.deepEqual(good.slips, []);
    assert.equal(good.settings.maxNumSeqs, 64);
    assert.equal(good.settings.tp, 2);
  });

  test("Dynamo's TensorRT-LLM worker declares argparse flags with `-`: the reverse holds", () => {
    const good = check('worker.sh', 'python3 -m dynamo.trtllm --model-path m --max-batch-size 64\n');
    assert.deepEqual(good.slips, []);
    assert.equal(good.settings.maxNumSeqs, 64);
    const bad = check(
      'worker.sh',
      'python3 -m dynamo.trtllm --model-path m --max_batch_size 64 --tp_size 2\n',
    );
    assert.deepEqual(bad.slips, [
      '--max_batch_size → --max-batch-size',
      '--tp_size → --tensor-parallel-size',
    ]);
  });

  test('TGI (clap, kebab-case long names) refuses `--max_batch_prefill_tokens`', () => {
    const { slips, settings } = check(
      'tgi.sh',
      'text-generation-launcher --model-id m --max_batch_prefill_tokens 8192 --max-total-tokens 4096\n',
    );
    assert.deepEqual(slips, ['--max_batch_prefill_tokens → --max-batch-prefill-tokens']);
    assert.equal(settings.maxNumBatchedTokens, undefined);
  });

  test("a container that gives a TensorRT-LLM image only arguments runs trtllm-serve's parser", () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: trt}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: trt',
      '          image: nvcr.io/nvidia/tensorrt-llm/release:1.0.0',
      '          args: ["m", "--max-num-tokens", "8192"]',
      '',
    ].join('\n');
    assert.deepEqual(check('deploy.yaml', manifest).slips, ['"--max-num-tokens" → --max_num_tokens']);
  });
});

describe('a flag given twice on one command line', () => {
  /** The set-twice diagnostics of a script, as `severity message`. */
  const repeats = (path: string, text: string) =>
    diagnoseFile(readConfig(path, text), { hardware: 'h100-sxm' })
      .filter((d) => d.code === 'set-twice')
      .map((d) => `${d.severity} ${d.message}`);

  test('TGI (clap 4) refuses it: an error; argparse and click take the last, a warning', () => {
    assert.deepEqual(
      repeats(
        'tgi.sh',
        'text-generation-launcher --model-id m --max-total-tokens 4096 --max-total-tokens 8192\n',
      ),
      [
        'error --max-total-tokens is given again as --max-total-tokens 8192 (line 1): Text Generation Inference refuses a flag given more than once and does not start',
      ],
    );
    assert.deepEqual(repeats('serve.sh', 'trtllm-serve m --max_batch_size 8 --max_batch_size 16\n'), [
      'warning --max_batch_size 8 is overridden by --max_batch_size 16 (line 1); the last one wins silently',
    ]);
  });

  test('TGI: a flag and the variable of the same name are not a repeat; the flag wins', () => {
    const text = 'MAX_TOTAL_TOKENS=4096 text-generation-launcher --model-id m --max-total-tokens 8192\n';
    assert.deepEqual(repeats('tgi.sh', text), [
      'warning MAX_TOTAL_TOKENS 4096 is overridden by --max-total-tokens 8192 (line 1); the last one wins silently',
    ]);
    assert.equal(blockSettings(readConfig('tgi.sh', text).blocks[0]).maxModelLen, 8192);
  });
});

describe("the keys of an engine's own config file, as the engine reads them", () => {
  /** The unknown-flag warnings of a script's config file, as `key → suggested`, and the settings read. */
  function keys(script: string, file: string, text: string) {
    const report = readConfig('serve.sh', script, { readFile: (path) => (path === file ? text : undefined) });
    const slips = diagnoseFile(report, { hardware: 'h100-sxm' })
      .filter((d) => d.code === 'unknown-flag')
      .map(
        (d) =>
          `${text.slice(d.range.start.offset, d.range.end.offset)} → ${/did you mean (\S+)\?/.exec(d.message)?.[1]}`,
      );
    return { slips, settings: blockSettings(report.blocks[0]) };
  }

  test('vLLM turns each key into --key and takes `_` there too; `tp` is no long flag', () => {
    const { slips, settings } = keys('vllm serve m --config c.yaml\n', 'c.yaml', 'max_num_seqs: 64\ntp: 2\n');
    assert.deepEqual(slips, ['tp → tensor-parallel-size']);
    assert.equal(settings.maxNumSeqs, 64);
    assert.equal(settings.tp, undefined);
  });

  test('SGLang turns each key into --key as written: `max_running_requests` is refused', () => {
    const script = 'python3 -m sglang.launch_server --model-path m --config c.yaml\n';
    const { slips, settings } = keys(script, 'c.yaml', 'max_running_requests: 64\ntp-size: 2\n');
    assert.deepEqual(slips, ['max_running_requests → max-running-requests']);
    assert.equal(settings.maxNumSeqs, undefined);
    assert.equal(settings.tp, 2);
  });

  test("TensorRT-LLM's LlmArgs take each field by its snake_case name, nested ones too", () => {
    const text =
      'max_batch_size: 64\nkv_cache_config:\n  free-gpu-memory-fraction: 0.8\nmaxNumTokens: 4096\n';
    const { slips, settings } = keys('trtllm-serve m --extra_llm_api_options o.yaml\n', 'o.yaml', text);
    assert.deepEqual(slips, [
      'free-gpu-memory-fraction → kv_cache_config.free_gpu_memory_fraction',
      'maxNumTokens → max_num_tokens',
    ]);
    assert.equal(settings.maxNumSeqs, 64);
    assert.equal(settings.maxNumBatchedTokens, undefined);
  });
});

describe('a flag ServeTune adds is spelt as the command takes it', () => {
  /** The script after adding `changes`, and the unknown-flag warnings of the result. */
  function added(script: string, changes: Parameters<typeof planEdits>[1]) {
    const block = readConfig('serve.sh', script).blocks[0];
    const planned = planEdits(block, changes);
    assert.deepEqual(planned.problems, []);
    const after = applyEdits(script, planned.edits, 'serve.sh');
    const slips = diagnoseFile(readConfig('serve.sh', after), { hardware: 'h100-sxm' }).filter(
      (d) => d.code === 'unknown-flag',
    );
    return { after, slips };
  }

  test("trtllm-serve's `_` and Dynamo's `-`, with the name each declares", () => {
    const serve = added('trtllm-serve m --max_batch_size 8\n', { maxNumBatchedTokens: 4096, tp: 2 });
    assert.match(serve.after, /--max_num_tokens 4096/);
    assert.match(serve.after, /--tp_size 2/);
    assert.deepEqual(serve.slips, []);
    const dynamo = added('python3 -m dynamo.trtllm --model-path m --max-batch-size 8\n', {
      maxNumBatchedTokens: 4096,
      tp: 2,
    });
    assert.match(dynamo.after, /--max-num-tokens 4096/);
    assert.match(dynamo.after, /--tensor-parallel-size 2/);
    assert.deepEqual(dynamo.slips, []);
  });
});
