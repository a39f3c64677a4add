import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Diagnostic, diagnoseFile, readConfig } from '../../../../src/engine/config/index.js';
import { editDistance, nearKnownNames } from '../../../../src/engine/config/knobs/near-miss.js';

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

  test('SGLang takes no prefix note: only vLLM is known to accept prefixes', () => {
    const text = 'python3 -m sglang.launch_server --model-path m --mem-fraction-statc 0.8\n';
    assert.deepEqual(slips('sglang.sh', text), [
      '1:48 --mem-fraction-statc | unknown SGLang flag --mem-fraction-statc: did you mean --mem-fraction-static?',
    ]);
  });
});
