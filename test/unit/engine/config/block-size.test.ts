import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kvBlockSizeProblem } from '../../../../src/engine/config/block-size.js';

describe('KV block size per engine', () => {
  it('vLLM policies take the block sizes its CUDA attention backend takes', () => {
    for (const policy of ['vllm-v1', 'vllm-v0', 'sarathi'] as const) {
      assert.equal(kvBlockSizeProblem(policy, 16), undefined);
      assert.equal(kvBlockSizeProblem(policy, 128), undefined);
      assert.match(kvBlockSizeProblem(policy, 1) ?? '', /vLLM.*16, 32, 64, 128/);
      assert.match(kvBlockSizeProblem(policy, 24) ?? '', /block size 24/);
    }
  });

  it('SGLang takes any page size, a token included', () => {
    assert.equal(kvBlockSizeProblem('sglang', 1), undefined);
    assert.equal(kvBlockSizeProblem('sglang', 24), undefined);
  });

  it('policies without a paged engine count in any block size', () => {
    for (const policy of ['lightllm', 'orca', 'static'] as const)
      assert.equal(kvBlockSizeProblem(policy, 1), undefined);
  });
});
