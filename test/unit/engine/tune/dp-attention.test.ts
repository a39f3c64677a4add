import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
});
