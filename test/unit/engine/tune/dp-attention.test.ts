import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseBlock } from '../../../../src/engine/config/diagnostics.js';
import { readConfig } from '../../../../src/engine/config/index.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';

const resolve = (script: string) =>
  resolveBlock(readConfig('/x/serve.sh', script).blocks[0], 0, { hardware: 'h200' });

describe('attention DP and wide EP read from serving files', () => {
  it('SGLang counts every GPU in --tp: --tp 16 --dp 16 --enable-dp-attention is attention TP 1 over 16 ranks', () => {
    const { pool, problems } = resolve(
      'python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 16 --dp 16 --ep-size 16 --enable-dp-attention --speculative-algorithm NEXTN --speculative-num-steps 2\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual([pool.plan.tp, pool.plan.dp, pool.plan.ep], [1, 16, 16]);
    assert.deepEqual(pool.speculation, { method: 'mtp', k: 2, policy: 'fixed' });
  });

  it('vLLM: --data-parallel-size 16 with --enable-expert-parallel is EP 16 over 16 attention-DP ranks', () => {
    const { pool } = resolve(
      'vllm serve deepseek-ai/DeepSeek-V3 --data-parallel-size 16 --enable-expert-parallel\n',
    );
    assert.deepEqual([pool.plan.tp, pool.plan.dp, pool.plan.ep], [1, 16, 16]);
  });

  it('a 72-GPU rack with EPLB: --ep-size 72 and 32 redundant slots read as a valid plan that holds them', () => {
    for (const script of [
      'python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 72 --dp 72 --ep-size 72 --enable-dp-attention --enable-eplb --ep-num-redundant-experts 32\n',
      'vllm serve deepseek-ai/DeepSeek-V3 --data-parallel-size 72 --enable-expert-parallel --enable-eplb --num-redundant-experts 32\n',
    ]) {
      const block = readConfig('/x/serve.sh', script).blocks[0];
      const { pool, problems } = resolveBlock(block, 0, { hardware: 'gb200' });
      assert.deepEqual(problems, [], script);
      assert.deepEqual([pool.plan.ep, pool.plan.redundantExperts], [72, 32], script);
      const diagnostics = diagnoseBlock(block, { hardware: 'gb200' });
      assert.ok(
        diagnostics.every((d) => d.code !== 'plan-does-not-divide'),
        JSON.stringify(diagnostics.map((d) => d.message)),
      );
    }
  });
});
