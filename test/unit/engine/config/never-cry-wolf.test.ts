import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Diagnostic, diagnoseFile, versionOfImage } from '../../../../src/engine/config/index.js';
import { readFixture } from './helpers.js';

/** The diagnostics of one fixture at or above `info`, as `severity code line`. */
function diagnostics(name: string): Diagnostic[] {
  return diagnoseFile(readFixture(name).report, { hardware: 'h100-sxm' });
}
const onLine = (all: Diagnostic[], line: number) => all.filter((d) => d.range.start.line + 1 === line);
const codes = (all: Diagnostic[]) => all.map((d) => `${d.severity} ${d.code}`);

describe('engine versions from image tags', () => {
  test('tags with v, suffixes and registries; none for latest, nightly or digests', () => {
    assert.equal(versionOfImage('vllm/vllm-openai:v0.10.1')?.minor, 10);
    assert.equal(versionOfImage('lmsysorg/sglang:v0.4.9-cu126')?.patch, 9);
    assert.equal(versionOfImage('registry:5000/vllm/vllm-openai:0.12.0')?.minor, 12);
    assert.equal(versionOfImage('registry:5000/vllm/vllm-openai'), undefined);
    assert.equal(versionOfImage('vllm/vllm-openai:latest'), undefined);
    assert.equal(versionOfImage('vllm/vllm-openai@sha256:abc'), undefined);
  });

  test('the block carries the version of its own engine image only', () => {
    const { report } = readFixture('wolf/vllm-chunking-off.sh');
    assert.deepEqual(
      report.blocks.map((b) => b.engineVersion?.text),
      ['v0.10.1', 'v0.12.0', 'v0.12.0'],
    );
  });
});

describe('chunked prefill switched off in vLLM', () => {
  const all = diagnostics('wolf/vllm-chunking-off.sh');

  test('0.10: V1 chunks anyway, so no error, and the info says so and why', () => {
    const first = all.filter((d) => d.range.start.line < 10);
    assert.deepEqual(codes(first), ['info chunked-prefill-forced-on']);
    assert.match(first[0].message, /v0\.10\.1.*always chunks prefills/);
  });

  test('0.12 with an explicit budget below max-model-len: the engine refuses to start; the fix raises it', () => {
    const second = all.filter((d) => d.range.start.line >= 10 && d.range.start.line < 17);
    assert.deepEqual(codes(second), ['error prompt-longer-than-step']);
    assert.deepEqual(second[0].fix?.changes, { maxNumBatchedTokens: 32768 });
  });

  test('0.12 without a budget: vLLM raises its default, nothing to say', () => {
    assert.deepEqual(
      all.filter((d) => d.range.start.line >= 17),
      [],
    );
  });
});

describe('decode-only servers of a disaggregated pair', () => {
  test('TensorRT-LLM: the context server cannot take long prompts; the generation server runs none', () => {
    const all = diagnostics('wolf/trtllm-decode-only.sh');
    assert.deepEqual(codes(onLine(all, 6)), ['error prompt-longer-than-step']);
    assert.deepEqual(onLine(all, 6)[0].fix?.changes, { enableChunkedPrefill: true });
    assert.deepEqual(
      all.filter((d) => d.range.start.line >= 7),
      [],
      'a generation server receives the KV cache of the prompt',
    );
  });

  test('vLLM: the start-up check holds on a decode-only server too (it checks limits whatever the side)', () => {
    const all = diagnostics('wolf/vllm-decode-only.sh');
    assert.deepEqual(codes(all), ['error prompt-longer-than-step', 'info disaggregation-unpaired']);
    assert.match(all[0].message, /v0\.12\.0.*refuses to start/);
  });
});

describe('GPUs against the plan, as the engine places ranks', () => {
  test('PP across Ray workers: the pod holds one node of the plan (info); the same plan on one node is an error', () => {
    const all = diagnostics('wolf/multi-node-ray.yaml');
    const ray = all.filter((d) => d.range.start.line < 30 && d.code !== 'unknown-model');
    assert.deepEqual(codes(ray), ['info multi-node-plan']);
    assert.match(ray[0].message, /2 nodes of 8 \(--distributed-executor-backend ray\)/);
    assert.equal(ray[0].fix, undefined, 'no fix that would ask one pod for 16 GPUs');
    const single = all.filter((d) => d.range.start.line >= 30 && d.code !== 'unknown-model');
    assert.deepEqual(codes(single), ['error not-enough-gpus']);
  });

  test('SGLang DP attention runs inside the TP group; plain DP multiplies', () => {
    const all = diagnostics('wolf/sglang-dp-attention.sh');
    assert.deepEqual(onLine(all, 3), []);
    assert.deepEqual(codes(onLine(all, 8)), ['error not-enough-gpus']);
    assert.match(onLine(all, 8)[0].message, /TP 4 × PP 1 × DP 2 needs 8 GPUs/);
  });

  test('vLLM --data-parallel-size-local: this node needs TP × local DP, not the whole DP', () => {
    const all = diagnostics('wolf/vllm-data-parallel-local.sh');
    assert.deepEqual(onLine(all, 3), []);
    assert.deepEqual(codes(onLine(all, 8)), ['error not-enough-gpus']);
    assert.match(onLine(all, 8)[0].message, /local DP 2 needs 8 GPUs on this node/);
  });
});

describe('assumed values are not reported as set by the file', () => {
  test('a step budget below the default max-num-seqs is a warning naming the assumption; both set is an error', () => {
    const all = diagnostics('wolf/vllm-step-budget.sh');
    const assumed = onLine(all, 3).filter((d) => d.code === 'batched-tokens-below-seqs');
    assert.deepEqual(codes(assumed), ['warning batched-tokens-below-seqs']);
    assert.match(assumed[0].message, /max-num-seqs 1024 \(the engine default ServeTune assumes\)/);
    const both = onLine(all, 6).filter((d) => d.code === 'batched-tokens-below-seqs');
    assert.deepEqual(codes(both), ['error batched-tokens-below-seqs']);
    assert.doesNotMatch(both[0].message, /assumes/);
  });
});
