import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  blockSettings,
  type Diagnostic,
  diagnoseFile,
  readConfig,
} from '../../../../src/engine/config/index.js';
import {
  boundedEditDistance,
  editDistance,
  nearKnownNames,
} from '../../../../src/engine/config/knobs/near-miss.js';

/** The unknown-flag warnings of one file, as `line:column message`. */
function slips(path: string, text: string, files: Record<string, string> = {}): string[] {
  const report = readConfig(path, text, { readFile: (p) => files[p] });
  return diagnoseFile(report, { hardware: 'h100-sxm' })
    .filter((d: Diagnostic) => d.code === 'unknown-flag')
    .map((d) => {
      assert.equal(d.severity, 'warning');
      const { start, end } = d.range;
      const source = d.range.file === path ? text : (files[d.range.file] ?? '');
      return `${start.line + 1}:${start.column + 1} ${source.slice(start.offset, end.offset)} | ${d.message}`;
    });
}

describe('misspelt engine flags and keys', () => {
  test('edit distance counts a swapped pair as one edit', () => {
    assert.equal(editDistance('fraction', 'fractoin'), 1);
    assert.equal(editDistance('utilisation', 'utilization'), 1);
    assert.equal(editDistance('seq', 'seqs'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });

  test('a known flag written in another case or with other dashes is not read, and says so', () => {
    // argparse matches `--max-num-seqs` as written: `--MAX-NUM-SEQS` and `---max-num-seqs` are refused.
    const text =
      'vllm serve meta-llama/Llama-3.1-8B-Instruct --MAX-NUM-SEQS 64 ---max-model-len 8192 --maxNumBatchedTokens=4096 -tp 2\n';
    const report = readConfig('serve.sh', text);
    assert.deepEqual(blockSettings(report.blocks[0]), { model: 'meta-llama/Llama-3.1-8B-Instruct', tp: 2 });
    assert.deepEqual(slips('serve.sh', text), [
      '1:45 --MAX-NUM-SEQS | unknown vLLM flag --MAX-NUM-SEQS: did you mean --max-num-seqs? (flag names are matched as written: case and leading dashes count)',
      '1:63 ---max-model-len | unknown vLLM flag ---max-model-len: did you mean --max-model-len? (flag names are matched as written: case and leading dashes count)',
      '1:85 --maxNumBatchedTokens | unknown vLLM flag --maxNumBatchedTokens: did you mean --max-num-batched-tokens? (flag names are matched as written: case and leading dashes count)',
    ]);
  });

  test('a flag behind an em dash, en dash or minus sign (pasted from a web page) is named, value and all', () => {
    const text =
      'vllm serve meta-llama/Llama-3.1-8B-Instruct \u2014max-num-seqs 64 \u2013-max-model-len 8192 \u2212\u2212enforce-eager=true\n';
    const report = readConfig('serve.sh', text);
    assert.deepEqual(blockSettings(report.blocks[0]), { model: 'meta-llama/Llama-3.1-8B-Instruct' });
    assert.deepEqual(
      slips('serve.sh', text).map((slip) => slip.split(' | ')[1]),
      [
        '\u2014max-num-seqs starts with an em dash (U+2014), not -- : vLLM does not read it as the flag --max-num-seqs',
        '\u2013-max-model-len starts with an en dash (U+2013) and a hyphen, not -- : vLLM does not read it as the flag --max-model-len',
        '\u2212\u2212enforce-eager=true starts with a minus sign (U+2212), not -- : vLLM does not read it as the flag --enforce-eager',
      ],
    );
    // Their values are not stray arguments of their own.
    assert.deepEqual(
      report.blocks[0].problems.filter((p) => p.severity === 'info'),
      [],
    );
  });

  test('a bounded distance is exact within its bound and bound + 1 past it', () => {
    assert.equal(boundedEditDistance('max-num-seq', 'max-num-seqs', 2), 1);
    assert.equal(boundedEditDistance('fractoin', 'fraction', 1), 1);
    assert.equal(boundedEditDistance('tensor', 'pipeline', 2), 3);
    assert.equal(boundedEditDistance('a'.repeat(5000), 'max-num-seqs', 2), 3);
  });

  test('a flag of 200,000 characters and a script of 5,000 unknown flags are checked in moments', () => {
    // Each unknown name is compared with every known one: the cost must not grow with length squared.
    let started = performance.now();
    assert.deepEqual(nearKnownNames('vllm', `--${'x'.repeat(200_000)}`, 'flag'), []);
    assert.ok(performance.now() - started < 2000, `one long flag took ${performance.now() - started} ms`);
    const flags = Array.from({ length: 5000 }, (_, i) => `  --unknown-option-number-${i} ${i} \\`);
    started = performance.now();
    assert.deepEqual(
      slips('serve.sh', ['vllm serve m \\', ...flags, '  --max-num-seq 8', ''].join('\n')).length,
      1,
    );
    assert.ok(performance.now() - started < 10_000, `5,000 flags took ${performance.now() - started} ms`);
  });

  test('vLLM flags a slip away from a known one warn, on the flag itself', () => {
    const text =
      'vllm serve meta-llama/Llama-3.1-8B-Instruct --max-num-seq 64 \\\n' +
      '  --gpu-memory-utilisation 0.9 --tensor-paralel-size=2 --no-enable-prefix-cachng\n';
    assert.deepEqual(slips('serve.sh', text), [
      '1:45 --max-num-seq | unknown vLLM flag --max-num-seq: did you mean --max-num-seqs? (vLLM may take it as --max-num-seqs, a prefix its parser accepts when no other flag shares it; ServeTune reads whole names only)',
      '2:3 --gpu-memory-utilisation | unknown vLLM flag --gpu-memory-utilisation: did you mean --gpu-memory-utilization?',
      '2:32 --tensor-paralel-size | unknown vLLM flag --tensor-paralel-size: did you mean --tensor-parallel-size?',
      '2:56 --no-enable-prefix-cachng | unknown vLLM flag --no-enable-prefix-cachng: did you mean --no-enable-prefix-caching?',
    ]);
  });

  test('flags the table does not model, and short names one letter apart, are left alone', () => {
    const vllm =
      'vllm serve m --max-loras 4 --enable-lora --data-parallel-size-local 2 --max-logprobs 5 --port 8000\n';
    assert.deepEqual(slips('serve.sh', vllm), []);
    const sglang =
      'python3 -m sglang.launch_server --model-path m --pp-size 2 --max-total-tokens 4096 --enable-ep-moe\n';
    assert.deepEqual(slips('sglang.sh', sglang), []);
    assert.deepEqual(nearKnownNames('trtllm', 'moe_tensor_parallel_size', 'yaml'), []);
    assert.deepEqual(nearKnownNames('trtllm', 'batch_wait_timeout_ms', 'yaml'), []);
  });

  test('TensorRT-LLM: a command-line flag and a nested key of the extra options YAML', () => {
    assert.deepEqual(slips('serve.sh', 'trtllm-serve m --max_batch_sise 64 --tp_size 2\n'), [
      '1:16 --max_batch_sise | unknown TensorRT-LLM flag --max_batch_sise: did you mean --max_batch_size?',
    ]);
    const options = 'max_batch_size: 64\nkv_cache_config:\n  free_gpu_memory_fractoin: 0.8\n';
    assert.deepEqual(slips('options.yaml', options), [
      '3:3 free_gpu_memory_fractoin | unknown TensorRT-LLM key kv_cache_config.free_gpu_memory_fractoin: did you mean kv_cache_config.free_gpu_memory_fraction?',
    ]);
  });

  test('a key of a --config YAML warns in that file', () => {
    const files = { 'config.yaml': 'max-num-seq: 64\nmax-num-batched-token: 8192\n' };
    assert.deepEqual(slips('serve.sh', 'vllm serve m --config config.yaml\n', files), [
      '1:1 max-num-seq | unknown vLLM key max-num-seq: did you mean max-num-seqs? (vLLM may take it as max-num-seqs, a prefix its parser accepts when no other flag shares it; ServeTune reads whole names only)',
      '2:1 max-num-batched-token | unknown vLLM key max-num-batched-token: did you mean max-num-batched-tokens? (vLLM may take it as max-num-batched-tokens, a prefix its parser accepts when no other flag shares it; ServeTune reads whole names only)',
    ]);
  });

  test('a prefix note where the parser takes prefixes (argparse: vLLM, SGLang), not for click', () => {
    const text =
      'python3 -m sglang.launch_server --model-path m --mem-fraction-statc 0.8 --max-running-request 8\n';
    assert.deepEqual(slips('sglang.sh', text), [
      '1:48 --mem-fraction-statc | unknown SGLang flag --mem-fraction-statc: did you mean --mem-fraction-static?',
      '1:73 --max-running-request | unknown SGLang flag --max-running-request: did you mean --max-running-requests? (SGLang may take it as --max-running-requests, a prefix its parser accepts when no other flag shares it; ServeTune reads whole names only)',
    ]);
    // trtllm-serve's click options match whole names only.
    assert.deepEqual(slips('serve.sh', 'trtllm-serve m --max_batch_siz 8\n'), [
      '1:16 --max_batch_siz | unknown TensorRT-LLM flag --max_batch_siz: did you mean --max_batch_size?',
    ]);
  });

  test('TGI environment variables a slip away from one the launcher reads warn, on the name', () => {
    const shell =
      'MAX_BATCH_PREFIL_TOKENS=8192 HF_TOKEN=hf_x CUDA_VISIBLE_DEVICES=0,1 \\\n' +
      '  text-generation-launcher --model-id m --num-shard 2\n';
    assert.deepEqual(slips('tgi.sh', shell), [
      '1:1 MAX_BATCH_PREFIL_TOKENS=8192 | unknown Text Generation Inference variable MAX_BATCH_PREFIL_TOKENS: did you mean MAX_BATCH_PREFILL_TOKENS?',
    ]);
    const compose = [
      'services:',
      '  tgi:',
      '    image: ghcr.io/huggingface/text-generation-inference:3.3.4',
      '    command: --model-id m',
      '    environment:',
      '      MAX_TOTAL_TOKEN: 4096',
      '      max_input_tokens: 2048',
      '      HUGGING_FACE_HUB_TOKEN: x',
      '',
    ].join('\n');
    assert.deepEqual(slips('compose.yaml', compose), [
      '6:7 MAX_TOTAL_TOKEN | unknown Text Generation Inference variable MAX_TOTAL_TOKEN: did you mean MAX_TOTAL_TOKENS?',
      '7:7 max_input_tokens | unknown Text Generation Inference variable max_input_tokens: did you mean MAX_INPUT_TOKENS?',
    ]);
  });

  test('a Kubernetes env list: only names near a known variable, for vLLM as for TGI', () => {
    const manifest = (image: string, env: string[]) =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: d}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `        - image: ${image}`,
        '          args: [m]',
        '          env:',
        ...env.map((name) => `            - {name: ${name}, value: "1"}`),
        '',
      ].join('\n');
    const tgi = manifest('ghcr.io/huggingface/text-generation-inference:3.3.4', [
      'NUM_SHARDS',
      'CUDA_GRAPH',
      'MASTER_ADDR',
      'USE_PREFIX_CACHING',
      'NVIDIA_VISIBLE_DEVICES',
    ]);
    assert.deepEqual(slips('tgi.yaml', tgi), [
      '11:22 NUM_SHARDS | unknown Text Generation Inference variable NUM_SHARDS: did you mean NUM_SHARD?',
      '12:22 CUDA_GRAPH | unknown Text Generation Inference variable CUDA_GRAPH: did you mean CUDA_GRAPHS?',
    ]);
    // vLLM reads hundreds of VLLM_* variables; only the few its table lists can be misspelt here.
    const vllm = manifest('vllm/vllm-openai:v0.11.0', [
      'VLLM_ALL2ALL_BACKND',
      'VLLM_USE_FLASHINFER_MOE_MXFP4_BF16',
      'VLLM_LOGGING_LEVEL',
      'HF_TOKEN',
    ]);
    assert.deepEqual(slips('vllm.yaml', vllm), [
      '11:22 VLLM_ALL2ALL_BACKND | unknown vLLM variable VLLM_ALL2ALL_BACKND: did you mean VLLM_ALL2ALL_BACKEND?',
    ]);
  });
});
