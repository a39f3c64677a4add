import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelForReference } from '../../../../src/engine/config/diagnostics.js';
import { diagnoseFile } from '../../../../src/engine/config/index.js';
import { readFixture } from './helpers.js';

// Deployment files of today's models (written for the project, as teams write them): the readers find
// each server, the model it names resolves, and the memory checks load it as its checkpoint is published
// (fp8 for DeepSeek-R1, mxfp4 experts for gpt-oss), not as a 16-bit model.
function diagnostics(name: string, hardware?: string) {
  const { report } = readFixture(name);
  assert.equal(report.blocks.length, 1, `${name}: one serving block`);
  const model = modelForReference(String(report.blocks[0]!.settings.model?.value));
  return { block: report.blocks[0]!, model, found: diagnoseFile(report, hardware ? { hardware } : {}) };
}

describe("deployment files of today's models", () => {
  it('a Qwen3-32B Kubernetes Deployment: the model resolves and 2× H100 from the node selector hold it', () => {
    const { block, model, found } = diagnostics('models/qwen3-32b-deployment.yaml');
    assert.equal(block.engine, 'vllm');
    assert.equal(model?.id, 'qwen3-32b');
    assert.equal(model?.family, 'qwen3');
    const codes = found.map((d) => d.code);
    assert.ok(!codes.includes('unknown-model') && !codes.includes('hardware-unknown'), codes.join(', '));
    assert.ok(!codes.includes('weights-do-not-fit'), codes.join(', '));
  });

  it('a DeepSeek-R1 SGLang launch script: fp8 weights, 79.29 GiB per GPU at TP 8, too much for an H100, not an H200', () => {
    const onH100 = diagnostics('models/deepseek-r1-sglang.sh', 'h100-sxm');
    assert.equal(onH100.block.engine, 'sglang');
    assert.equal(onH100.model?.family, 'deepseek_v3');
    const tooBig = onH100.found.find((d) => d.code === 'weights-do-not-fit');
    // 671B parameters in fp8 with one fp32 scale per 128×128 block, over 8 GPUs (embeddings 16-bit).
    assert.match(tooBig?.message ?? '', /79\.29 GiB per GPU at TP 8/);
    const onH200 = diagnostics('models/deepseek-r1-sglang.sh', 'h200').found.map((d) => d.code);
    assert.ok(!onH200.includes('weights-do-not-fit'), onH200.join(', '));
  });

  it('a gpt-oss-120b compose file: the mxfp4 experts fit one H100 (as bf16 they would need 217 GiB)', () => {
    const { block, model, found } = diagnostics('models/gpt-oss-compose.yaml', 'h100-sxm');
    assert.equal(block.settings.gpus?.value, 1);
    assert.equal(model?.family, 'gpt_oss');
    const codes = found.map((d) => d.code);
    assert.ok(!codes.includes('weights-do-not-fit') && !codes.includes('unknown-model'), codes.join(', '));
  });
});
