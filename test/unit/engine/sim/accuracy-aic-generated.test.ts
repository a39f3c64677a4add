// The accuracy benchmark's reading of AIConfigurator's gap-analysis rows: the engine arguments its
// generator writes and the benchmark script it writes, on real rows copied from the file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aicAggregatedArgs, isAicEvalRun, isAicGenerated } from '../../../../bench/accuracy/aic-generated.js';
import { AIC_EVAL_PROTOCOL, AIC_PROTOCOL, protocolOf } from '../../../../bench/accuracy/client-protocol.js';
import { mapRow } from '../../../../bench/accuracy/map-row.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';
import { simulateJob } from '../../../../bench/accuracy/simulate-row.js';
import type { SimulationJob } from '../../../../bench/accuracy/simulation-job.js';
import { SimulationConfig } from '../../../../src/engine/sim/config.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const ROWS = {
  sglangMixed:
    'meta_llama_llama_3_1_8b_instruct_meta_llama_llama_3_1_8b_instruct_h200_sxm_sglang_agg_4000x1000_c128_tp1_epnone_36,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h200_sxm/sglang/0.5.6.post2/meta-llama_Llama-3.1-8B-Instruct.csv; silicon_concurrency=128,sglang,0.5.6.post2,meta-llama/Llama-3.1-8B-Instruct,h200_sxm,fp8,agg,4000,1000,fp8_block,fp8_block,128,1,1,,1,1,,,,,,,,,,,,,,,815.21,32.03',
  sglangOld:
    'qwen_qwen3_32b_qwen_qwen3_32b_h100_sxm_sglang_agg_1024x128_c16_tp4_epnone_2,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/sglang/0.5.1.post1/Qwen_Qwen3-32B.csv; silicon_concurrency=16,sglang,0.5.1.post1,Qwen/Qwen3-32B,h100_sxm,,agg,1024,128,,,16,4,1,,1,1,,,,,,,,,,,,,,,492.7610355187499,10.55061593125',
  trtllm:
    'meta_llama_llama_3_1_8b_instruct_meta_llama_llama_3_1_8b_instruct_h100_sxm_trtllm_agg_1024x512_c128_tp8_epnone_171,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/trtllm/1.0.0rc3/meta-llama_Llama-3.1-8B-Instruct.csv; silicon_concurrency=128,trtllm,1.0.0rc3,meta-llama/Llama-3.1-8B-Instruct,h100_sxm,,agg,1024,512,,,128,8,1,,1,1,,,,,,,,,,,,,,,2019.6318835125123,10.164549929429429',
  vllmSweep8:
    'qwen_qwen3_32b_qwen_qwen3_32b_h100_sxm_vllm_agg_4096x1024_c8_tp4_epnone_77,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/vllm/0.12.0/Qwen_Qwen3-32B.csv; silicon_concurrency=8,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,,agg,4096,1024,,,8,4,1,,1,1,,,,,,,,,,,,,,,422.770952925,11.7862524125',
  vllmSweep128:
    'qwen_qwen3_32b_qwen_qwen3_32b_h100_sxm_vllm_agg_4096x1024_c128_tp4_epnone_89,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/vllm/0.12.0/Qwen_Qwen3-32B.csv; silicon_concurrency=128,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,,agg,4096,1024,,,128,4,1,,1,1,,,,,,,,,,,,,,,1354.6594480828126,46.4147546890625',
  generatedJob:
    'nvidia_qwen3_32b_nvfp4_nvidia_qwen3_32b_nvfp4_b200_sxm_trtllm_disagg_15000x500_c480_tp_epnone_1,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/b200_sxm/trtllm/1.3.0rc5/nvidia_Qwen3-32B-NVFP4.csv; gtl_job_id=23803065; gtl_task_id=103629527; silicon_concurrency=480; measured=2026-03-07; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1; dynamo_version=0.8.1,trtllm,1.3.0rc5,nvidia/Qwen3-32B-NVFP4,b200_sxm,fp4,disagg,15000,500,nvfp4,nvfp4,,,,,,,1,40,1,1,1,1,1,80,6,4,1,1,1,1,1436.0908610115623,10.610260388472517',
};

function row(name: keyof typeof ROWS): SiliconRow {
  const [parsed] = parseSiliconCsv(`${HEADER}\n${ROWS[name]}\n`, `${name}.csv`);
  assert.ok(parsed);
  return parsed;
}

function job(name: keyof typeof ROWS): SimulationJob {
  const m = mapRow(row(name));
  assert.ok(m.modelled, m.modelled ? '' : m.reason);
  SimulationConfig.parse(m.job.config);
  return m.job;
}

function scheduler(j: SimulationJob) {
  const deployment = j.config.deployment;
  assert.equal(deployment.kind, 'colocated');
  return deployment.pool.scheduler;
}

describe('accuracy benchmark: AIConfigurator gap-analysis rows', () => {
  it('are recognised by their export path, and other rows are not', () => {
    assert.ok(isAicGenerated(row('trtllm')));
    assert.ok(
      !isAicGenerated({ ...row('trtllm'), silicon_data_source: 'source_file=kimi-k2.5-gap-analysis.csv' }),
    );
  });

  it('run the generated aiperf benchmark: fixed lengths, a warm-up phase of two requests per client, fifty measured', () => {
    const r = row('trtllm');
    assert.equal(protocolOf(r), AIC_PROTOCOL);
    const j = job('trtllm');
    assert.equal(j.warmUpRequests, 2 * j.concurrency);
    assert.equal(j.warmUpPhase, true);
    assert.equal(j.workload, `constant:rate=1000,prompt=fixed(1024),output=fixed(512),n=${52 * 128}`);
  });

  it("a concurrency sweep of one deployment is AIConfigurator's eval pipeline: ten measured per client", () => {
    const sweep = [row('vllmSweep8'), row('vllmSweep128')];
    assert.ok(isAicEvalRun(row('vllmSweep128'), sweep));
    // Alone in its file, the same row is not a sweep; a generated job's row never is.
    assert.ok(!isAicEvalRun(row('vllmSweep128'), [row('vllmSweep128')]));
    const job = row('generatedJob');
    assert.ok(
      !isAicEvalRun(job, [
        job,
        { ...job, silicon_data_source: job.silicon_data_source.replace('=480', '=240') },
      ]),
    );
    assert.equal(protocolOf(row('vllmSweep128'), sweep), AIC_EVAL_PROTOCOL);
    assert.equal(protocolOf(row('vllmSweep128')), AIC_PROTOCOL);
    const m = mapRow(row('vllmSweep128'), { fileRows: sweep });
    assert.ok(m.modelled);
    assert.equal(m.job.workload, `constant:rate=1000,prompt=fixed(4096),output=fixed(1024),n=${12 * 128}`);
    assert.equal(m.job.warmUpRequests, 2 * 128);
    assert.equal(m.job.warmUpPhase, true);
  });

  it('the replay runs the warm-up as a phase: the measured requests start with every client at once', () => {
    // A small part of the row's deployment: four clients, two warm-up requests each, then four each.
    const small = {
      ...job('trtllm'),
      concurrency: 4,
      warmUpRequests: 8,
      workload: 'constant:rate=1000,prompt=fixed(1024),output=fixed(64),n=24',
    };
    const phased = simulateJob(small);
    const plain = simulateJob({ ...small, warmUpPhase: false });
    assert.ok(phased.ok && plain.ok);
    assert.ok(phased.ttftMs > plain.ttftMs, `${phased.ttftMs} ms vs ${plain.ttftMs} ms`);
  });

  it('the replay asks each request for its own output as max_tokens, not the rest of max-model-len', () => {
    // TensorRT-LLM (Orca here) reserves prompt + max_tokens at admission: with a max-model-len of most of
    // the KV cache (3.9M tokens), a request left without max_tokens would reserve it and run alone.
    const small = {
      ...job('trtllm'),
      concurrency: 8,
      warmUpRequests: 0,
      workload: 'constant:rate=1000,prompt=uniform(800,1024),output=uniform(32,64),n=32',
    };
    const pool = scheduler(small);
    const unbounded = structuredClone(small);
    scheduler(unbounded).maxModelLen = 3_000_000;
    const asLaunched = simulateJob(small);
    const longLimit = simulateJob(unbounded);
    assert.ok(asLaunched.ok, asLaunched.ok ? '' : asLaunched.detail);
    assert.ok(longLimit.ok, longLimit.ok ? '' : longLimit.detail);
    assert.equal(pool.policy, 'orca');
    assert.ok(
      longLimit.ttftMs < 1.5 * asLaunched.ttftMs,
      `${longLimit.ttftMs} ms with max-model-len 3M vs ${asLaunched.ttftMs} ms`,
    );
  });

  it('TensorRT-LLM: max_num_tokens = max_batch_size + isl + 1500, whole prompts (no chunked prefill)', () => {
    assert.deepEqual(aicAggregatedArgs(row('trtllm'), 'trtllm'), {
      maxNumTokens: 128 + 1024 + 1500,
      kvCacheFreeMemoryFraction: 0.8,
    });
    const s = scheduler(job('trtllm'));
    assert.equal(s.policy, 'orca');
    assert.equal(s.maxNumBatchedTokens, 2652);
  });

  it("TensorRT-LLM: the KV cache gets the version's template default share of free memory", () => {
    // extra_engine_args.1.0.0rc3.yaml.j2 writes 0.80 where the generator sets none; 1.2.0rc6.post1's 0.90.
    const rc3 = row('trtllm');
    const later = { ...rc3, backend_version: '1.2.0rc6.post1' };
    assert.equal(aicAggregatedArgs(later, 'trtllm')?.kvCacheFreeMemoryFraction, 0.9);
    const shareOf = (r: SiliconRow) => {
      const m = mapRow(r);
      assert.ok(m.modelled, m.modelled ? '' : m.reason);
      const deployment = m.job.config.deployment;
      assert.equal(deployment.kind, 'colocated');
      return deployment.pool.scheduler.gpuMemoryUtilization;
    };
    const rc3Share = shareOf(rc3);
    const laterShare = shareOf(later);
    assert.ok(rc3Share !== undefined && laterShare !== undefined);
    assert.ok(rc3Share < laterShare, `${rc3Share} vs ${laterShare}`);
  });

  it('SGLang 0.5.6.post2: max_prefill_tokens = isl + 1500 with decodes mixed into prefill batches', () => {
    const s = scheduler(job('sglangMixed'));
    assert.equal(s.policy, 'sglang');
    assert.equal(s.maxPrefillTokens, 5500);
    assert.equal(s.mixedChunk, true);
    // The chunk size stays SGLang's default for the GPU.
    assert.equal(s.chunkedPrefillSize, 8192);
  });

  it('SGLang without --mem-fraction-static keeps the share its start-up picks for the GPU and TP', () => {
    // H200 at TP1: (144384 - 13440) / 144384 = 0.907 of the GPU for weights and KV; the memory model's
    // share adds the activations SGLang keeps outside it.
    const share = scheduler(job('sglangMixed')).gpuMemoryUtilization;
    assert.ok(share !== undefined && share > 0.907 && share < 0.95, `share ${share}`);
    // TensorRT-LLM's rows keep their own budget rule.
    assert.notEqual(scheduler(job('trtllm')).gpuMemoryUtilization, share);
  });

  it('SGLang 0.5.1.post1: the template never passes the mixed-chunk flag on', () => {
    const s = scheduler(job('sglangOld'));
    assert.equal(s.maxPrefillTokens, 1024 + 1500);
    assert.equal(s.mixedChunk, false);
  });
});
