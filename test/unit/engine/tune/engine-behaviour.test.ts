import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { predictBlock } from '../../../../src/engine/tune/index.js';

// One simulation per prediction: a short synthetic workload on two H100s.
const WORKLOAD = 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(64),n=100';
const SLO = { ttft: 1, tbt: 0.05, percentile: 'p90' as const };
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** The prediction of a launch script, written with the files it names into a folder of its own. */
async function predicted(text: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-behaviour-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const result = await predictBlock({
    path: join(dir, 'serve.sh'),
    text,
    workload: WORKLOAD,
    slo: SLO,
    hardware: 'h100-sxm',
    sampleRequests: 100,
  });
  assert.ok(result.current.metrics, 'the block is simulated');
  return result;
}

const VLLM = `vllm serve ${MODEL} --tensor-parallel-size 2`;
const SGLANG = `python -m sglang.launch_server --model-path ${MODEL} --tp 2`;

describe("a config file's engine behaviours change the prediction", () => {
  const cases: [string, string, string, string][] = [
    ['vLLM --enforce-eager', VLLM, '--enforce-eager', 'eager'],
    ['vLLM --disable-custom-all-reduce', VLLM, '--disable-custom-all-reduce', 'NCCL all-reduce'],
    // The newest vLLM measured schedules asynchronously by default (perf/overlap-scheduling.ts).
    ['vLLM --no-async-scheduling', VLLM, '--no-async-scheduling', 'no overlap scheduling'],
    ['SGLang --disable-cuda-graph', SGLANG, '--disable-cuda-graph', 'eager'],
    ['SGLang --disable-custom-all-reduce', SGLANG, '--disable-custom-all-reduce', 'NCCL all-reduce'],
    ['SGLang --disable-overlap-schedule', SGLANG, '--disable-overlap-schedule', 'no overlap scheduling'],
  ];
  for (const [name, launch, flag, words] of cases) {
    it(name, async () => {
      const without = await predicted(`${launch}\n`);
      const withFlag = await predicted(`${launch} ${flag}\n`);
      assert.notDeepEqual(withFlag.current.metrics, without.current.metrics);
      assert.deepEqual(withFlag.target.engineBehaviour, [words]);
      assert.equal(without.target.engineBehaviour, undefined);
    });
  }
});

describe("TensorRT-LLM's options YAML changes the prediction", () => {
  const launch = `trtllm-serve ${MODEL} --tp_size 2 --extra_llm_api_options extra.yaml\n`;
  const cases: [string, string, string][] = [
    ['cuda_graph_config: null', 'cuda_graph_config: null\n', 'eager'],
    ['allreduce_strategy: NCCL', 'allreduce_strategy: NCCL\n', 'NCCL all-reduce'],
    ['disable_overlap_scheduler: true', 'disable_overlap_scheduler: true\n', 'no overlap scheduling'],
  ];
  for (const [name, yaml, words] of cases) {
    it(name, async () => {
      const without = await predicted(launch, { 'extra.yaml': 'enable_chunked_prefill: true\n' });
      const withKey = await predicted(launch, { 'extra.yaml': `enable_chunked_prefill: true\n${yaml}` });
      assert.notDeepEqual(withKey.current.metrics, without.current.metrics);
      assert.deepEqual(withKey.target.engineBehaviour, [words]);
    });
  }
});

describe("TensorRT-LLM's batch waiting changes the prediction", () => {
  it('batch_wait_timeout_iters holds prompts back while requests decode: a later first token', async () => {
    const launch = `trtllm-serve ${MODEL} --tp_size 2 --extra_llm_api_options extra.yaml\n`;
    const without = await predicted(launch, { 'extra.yaml': 'enable_chunked_prefill: true\n' });
    const waiting = await predicted(launch, {
      'extra.yaml':
        'enable_chunked_prefill: true\nbatch_wait_timeout_iters: 20\nbatch_wait_max_tokens_ratio: 0.9\n',
    });
    const ttft = (r: typeof without) => r.current.metrics!.ttft.mean;
    assert.ok(ttft(waiting) > ttft(without), `${ttft(waiting)} > ${ttft(without)}`);
    // The settings as read show what the server runs with.
    assert.equal(waiting.current.settings.batchWaitIters, 20);
  });
});

describe("the caller's nvfp4 dispatch (the editor's servetune.nvfp4Dispatch) reaches a block's engine", () => {
  it("an SGLang block runs with it and names it; a vLLM block's engine refuses it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-behaviour-'));
    const input = (text: string) => ({
      path: join(dir, 'serve.sh'),
      text,
      workload: WORKLOAD,
      slo: SLO,
      hardware: 'h100-sxm',
      sampleRequests: 100,
      nvfp4Dispatch: true,
    });
    const sglang = await predictBlock(input(`${SGLANG}\n`));
    assert.deepEqual(sglang.target.engineBehaviour, ['nvfp4 dispatch']);
    await assert.rejects(
      predictBlock(input(`${VLLM}\n`)),
      /--nvfp4-dispatch: SGLANG_MOE_NVFP4_DISPATCH is SGLang's/,
    );
  });
});

describe("a file's SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN reaches the lens's prediction", () => {
  it('an SGLang script that sets it is predicted with q_b_proj in fp8 and names it', async () => {
    const result = await predicted(`SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 ${SGLANG}\n`);
    assert.deepEqual(result.target.engineBehaviour, ['fp8 q_b_proj']);
  });
});
