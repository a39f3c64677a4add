import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import {
  VLLM_DEFAULT_MAX_CAPTURE_TOKENS,
  vllmCaptureTokens,
  withCaptureTokens,
} from '../../../../src/engine/perf/cuda-graph-capture.js';
import { EAGER_LAUNCH_SECONDS, ServingEngine } from '../../../../src/engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const limits = { maxNumSeqs: 1024, maxNumBatchedTokens: 8192, speculativeTokens: 0 };

describe("vLLM's largest CUDA-graph step", () => {
  it('defaults to min(2 × max_num_seqs × (1 + speculative tokens), 512), within max_num_batched_tokens', () => {
    assert.equal(vllmCaptureTokens({}, limits), VLLM_DEFAULT_MAX_CAPTURE_TOKENS);
    assert.equal(vllmCaptureTokens({}, { ...limits, maxNumSeqs: 4 }), 8);
    assert.equal(vllmCaptureTokens({}, { ...limits, maxNumSeqs: 4, speculativeTokens: 3 }), 32);
    assert.equal(vllmCaptureTokens({}, { ...limits, maxNumBatchedTokens: 256 }), 256);
  });

  it("takes the launch's --max-cudagraph-capture-size, still within max_num_batched_tokens", () => {
    assert.equal(vllmCaptureTokens({ cudaGraphMaxTokens: 2048 }, limits), 2048);
    assert.equal(
      vllmCaptureTokens({ cudaGraphMaxTokens: 2048 }, { ...limits, maxNumBatchedTokens: 2048 }),
      2048,
    );
    assert.equal(
      vllmCaptureTokens({ cudaGraphMaxTokens: 4096 }, { ...limits, maxNumBatchedTokens: 2048 }),
      2048,
    );
  });

  it("takes gpt-oss's own 1024 where the launch sets no ceiling (GptOssForCausalLMConfig)", () => {
    assert.equal(vllmCaptureTokens({}, { ...limits, family: 'gpt_oss' }), 1024);
    assert.equal(vllmCaptureTokens({}, { ...limits, maxNumSeqs: 4, family: 'gpt_oss' }), 1024);
    assert.equal(vllmCaptureTokens({ cudaGraphMaxTokens: 2048 }, { ...limits, family: 'gpt_oss' }), 2048);
    assert.equal(vllmCaptureTokens({}, { ...limits, maxNumBatchedTokens: 768, family: 'gpt_oss' }), 768);
    assert.equal(vllmCaptureTokens({}, { ...limits, family: 'llama' }), VLLM_DEFAULT_MAX_CAPTURE_TOKENS);
  });

  it('resolves it for vLLM with graphs on only', () => {
    const vllm = ServingEngine.parse({ id: 'vllm' });
    assert.equal(withCaptureTokens(vllm, { ...limits, maxNumSeqs: 16 })?.cudaGraphMaxTokens, 32);
    const eager = ServingEngine.parse({ id: 'vllm', cudaGraphs: false });
    assert.equal(withCaptureTokens(eager, limits), eager);
    const sglang = ServingEngine.parse({ id: 'sglang' });
    assert.equal(withCaptureTokens(sglang, limits), sglang);
    assert.equal(withCaptureTokens(undefined, limits), undefined);
  });
});

describe('a vLLM step above its largest captured size runs without CUDA graphs', () => {
  const llama8b = getModel('llama-3.1-8b');
  const hw = getHardware('h100-sxm');
  const tp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' };
  const prompt = (tokens: number) => {
    const shape = createBatchShape(llama8b.slidingWindow);
    addPrefillChunk(shape, tokens, 0, true);
    addUniformDecodes(shape, 4, 1000);
    return shape;
  };
  // The same step with graphs captured up to 1M tokens: no step exceeds them.
  const graphs = compileStepModel(llama8b, hw, tp8, { engine: { id: 'vllm', cudaGraphMaxTokens: 1 << 20 } });

  it('pays the --enforce-eager launches above the ceiling, nothing at or below it', () => {
    const capped = compileStepModel(llama8b, hw, tp8, { engine: { id: 'vllm', cudaGraphMaxTokens: 512 } });
    assert.equal(capped.stepSeconds(prompt(508)), graphs.stepSeconds(prompt(508)));
    const added = capped.stepSeconds(prompt(509)) - graphs.stepSeconds(prompt(509));
    const kernels = added / EAGER_LAUNCH_SECONDS;
    assert.ok(Math.abs(kernels - Math.round(kernels)) < 1e-6 && kernels > 32 * 5, `${kernels} kernels`);
    const overhead = capped.breakdown(prompt(2048)).find((e) => e.name === 'step_overhead');
    assert.match(overhead?.source ?? '', /above the 512 tokens its CUDA graphs were captured for/);
  });

  it("defaults to vLLM's 512 where nothing resolved the ceiling (step without a scheduler)", () => {
    const plain = compileStepModel(llama8b, hw, tp8, { engine: { id: 'vllm' } });
    assert.equal(plain.stepSeconds(prompt(508)), graphs.stepSeconds(prompt(508)));
    assert.ok(plain.stepSeconds(prompt(1024)) > graphs.stepSeconds(prompt(1024)));
  });

  it("replays gpt-oss's steps of up to 1024 tokens, its model class's own ceiling", () => {
    const gptOss = getModel('gpt-oss-120b');
    const plan: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'fp8' };
    const step = (tokens: number, engine: { id: 'vllm'; cudaGraphMaxTokens?: number }) => {
      const shape = createBatchShape(gptOss.slidingWindow);
      addPrefillChunk(shape, tokens, 0, true);
      addUniformDecodes(shape, 3, 1000);
      return compileStepModel(gptOss, hw, plan, { engine }).stepSeconds(shape);
    };
    const captured = { id: 'vllm' as const, cudaGraphMaxTokens: 1 << 20 };
    assert.equal(step(1000, { id: 'vllm' }), step(1000, captured));
    assert.ok(step(1022, { id: 'vllm' }) > step(1022, captured));
  });
});
