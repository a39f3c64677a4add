// The accuracy benchmark's mapping of measured rows (silicon-calibration.csv) to simulate inputs, on real
// rows copied from the file: aggregated and disaggregated, nvfp4, attention DP, a base-model repository,
// a checkpoint's own int4, and rows that are not modelled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FIXED_PROTOCOL,
  INFERENCEMAX_PROTOCOL,
  protocolOf,
  WAVES,
} from '../../../../bench/accuracy/client-protocol.js';
import { mapRow, type RowMapping } from '../../../../bench/accuracy/map-row.js';
import { parseSiliconCsv } from '../../../../bench/accuracy/rows.js';
import { simulateJob } from '../../../../bench/accuracy/simulate-row.js';
import type { SimulationJob } from '../../../../bench/accuracy/simulation-job.js';
import { SimulationConfig } from '../../../../src/engine/sim/config.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const ROWS = {
  minimaxFp8:
    'minimaxm2_5_b300_vllm_fp8_agg_1024x1024_c8_cfg732,db-dump/2026-04-27; config_id=732; silicon_concurrency=8; measured=2026-04-17T00:00:00.000Z; workflow_run_id=758; vllm/vllm-openai:v0.19.0-cu130,vllm,0.19.0,MiniMaxAI/MiniMax-M2.5,b300_sxm,fp8,agg,1024,1024,fp8,fp8,8,2,1,1,2,1,,,,,,,,,,,,,,,81.99712121213452,10.78950567990983',
  minimaxAttentionDp:
    'minimaxm2_5_b300_vllm_fp4_agg_1024x1024_c256_cfg727,db-dump/2026-04-27; config_id=727; silicon_concurrency=256; measured=2026-04-21T00:00:00.000Z; workflow_run_id=798; vllm/vllm-openai:v0.19.0-cu130,vllm,0.19.0,MiniMaxAI/MiniMax-M2.5,b300_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,128,2,1,2,1,4,,,,,,,,,,,,,,,237.35176214765943,23.020237899653267',
  deepseekDisagg:
    'dsr1_gb200_trtllm_fp8_disagg_1024x8192_c8192_cfg435,db-dump/2026-04-27; config_id=435; silicon_concurrency=8192; measured=2026-02-05T00:00:00.000Z; workflow_run_id=259; nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post2,trtllm,0.8.1.post2,deepseek-ai/DeepSeek-V3,gb200,fp8,disagg,1024,8192,fp8,fp8,,,,,,,1,1,1,1,8,1,8,256,2,1,1,16,1,16,7431.498290984184,48.5587774517027',
  disaggWithoutWorkers:
    '2026_04_06_deepseek_r1_gb200_trtllm_fp8_disagg_8192x1024_c333_tp8_ep8_1626,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=333; measured=2026-02-05T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post2,trtllm,0.8.1.post2,deepseek-ai/DeepSeek-R1,gb200,fp8,disagg,8192,1024,fp8,fp8,,,,,,,,,8,1,1,1,8,,,32,1,1,4,8,5122.912406469919,16.097161943064044',
  qwen35:
    'qwen3_5_b300_sglang_fp4_agg_8192x1024_c32_cfg736,db-dump/2026-04-27; config_id=736; silicon_concurrency=32; measured=2026-04-18T00:00:00.000Z; workflow_run_id=765; lmsysorg/sglang:v0.5.10.post1-cu130,sglang,0.5.10.post1,Qwen/Qwen3.5-397B-A17B,b300_sxm,fp4,agg,8192,1024,nvfp4,nvfp4,32,4,1,1,2,2,,,,,,,,,,,,,,,884.3354488529712,17.50581965806086',
  llamaBase:
    '2026_04_06_llama_3_1_70b_b200_sxm_trtllm_fp8_agg_1024x8192_c4_tp4_ep1_266,source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=4; measured=2025-10-29T00:00:00.000Z; wip=False,trtllm,,meta-llama/Llama-3.1-70B,b200_sxm,fp8,agg,1024,8192,fp8,fp8,4,4,1,1,4,1,,,,,,,,,,,,,,,57.91955426102504,6.999480980340827',
  llamaBaseH100:
    '2026_04_06_llama_3_1_70b_h100_sxm_trtllm_fp8_agg_1024x8192_c4_tp4_ep1_266,source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=4; measured=2025-10-29T00:00:00.000Z; wip=False,trtllm,,meta-llama/Llama-3.1-70B,h100_sxm,fp8,agg,1024,8192,fp8,fp8,4,4,1,1,4,1,,,,,,,,,,,,,,,57.91955426102504,6.999480980340827',
  kimiInt4:
    '2026_03_25_kimi_k2_5_h200_sxm_vllm_int4_agg_8192x1024_c4_tp8_0_ep1_0_597,source_file=2026-03-25.csv; model=Kimi-K2.5; silicon_concurrency=4; measured=2026-03-02T23:25:25Z; wip=False; image=vllm/vllm-openai:v0.16.0,vllm,0.16.0,moonshotai/Kimi-K2.5,h200_sxm,int4,agg,8192,1024,int4_wo,int4_wo,4,8,1,1,8,1,,,,,,,,,,,,,,,504.4941308558919,11.731443304604047',
  deepseekFp8Tp4:
    'dsr1_b200_trtllm_fp8_agg_8192x1024_c16_cfg473,db-dump/2026-04-27; config_id=473; silicon_concurrency=16; measured=2026-01-29T00:00:00.000Z; workflow_run_id=248; nvcr.io/nvidia/tensorrt-llm/release:1.2.0rc6.post2,trtllm,1.2.0rc6.post2,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,agg,8192,1024,fp8,fp8,16,4,1,1,4,1,,,,,,,,,,,,,,,652.6542546227574,20.314730186389564',
  qwen235Dp:
    'qwen_qwen3_235b_a22b_fp8_qwen_qwen3_235b_a22b_fp8_h200_sxm_vllm_agg_2000x100_c5_tp1_epnone_11,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h200_sxm/vllm/0.12.0/Qwen_Qwen3-235B-A22B-FP8.csv; silicon_concurrency=5,vllm,0.12.0,Qwen/Qwen3-235B-A22B-FP8,h200_sxm,fp8,agg,2000,100,fp8,fp8,5,1,1,,2,1,,,,,,,,,,,,,,,450.9,57.78',
  deepseekTp36:
    '2026_04_06_deepseek_r1_gb200_trtllm_fp4_agg_1024x1024_c32_tp36_ep1_11,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=32; measured=2025-11-17T00:00:00.000Z; wip=False,trtllm,,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,1024,1024,nvfp4,nvfp4,32,36,1,1,36,1,,,,,,,,,,,,,,,232.46199020786662,8.444456925206435',
  gptOssFp4:
    '2026_04_06_gpt_oss_120b_h200_sxm_trtllm_fp4_agg_1024x8192_c4_tp1_ep1_155,source_file=2026-04-06.csv; model=GPT-OSS-120B; silicon_concurrency=4; measured=2025-12-15T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/tensorrt-llm/release:gpt-oss-dev,trtllm,gpt-oss-dev,openai/gpt-oss-120b,h200_sxm,fp4,agg,1024,8192,nvfp4,nvfp4,4,1,1,1,1,1,,,,,,,,,,,,,,,98.27813084702939,6.785542176150167',
  gptOssFp4Vllm:
    '2026_04_06_gpt_oss_120b_h100_sxm_vllm_fp4_agg_1024x1024_c16_tp2_ep1_459,source_file=2026-04-06.csv; model=GPT-OSS-120B; silicon_concurrency=16; measured=2026-03-27T00:00:00.000Z; wip=False; image=vllm/vllm-openai:v0.18.0,vllm,0.18.0,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,16,2,1,1,2,1,,,,,,,,,,,,,,,90.66616680356674,8.175039452718568',
  tpTimesEp:
    '2026_04_06_deepseek_r1_b200_sxm_sglang_fp4_agg_8192x1024_c128_tp4_ep4_1042,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=128; measured=2026-03-25T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.9-cu130,sglang,0.5.9,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,8192,1024,nvfp4,nvfp4,128,16,1,1,4,4,,,,,,,,,,,,,,,2629.244434656721,49.9457173349404',
  dpTimesEp:
    '2026_04_06_deepseek_r1_b200_sxm_trtllm_fp4_agg_1024x1024_c64_tp8_ep8_937,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=64; measured=2026-02-06T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/tensorrt-llm/release:1.2.0rc6.post3,trtllm,1.2.0rc6.post3,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,1,1,1,64,8,8,,,,,,,,,,,,,,,1085.456209500262,12.289469945639713',
  dpAttention:
    '2026_03_25_deepseek_r1_b200_sxm_trtllm_fp4_agg_1024x1024_c64_tp8_0_ep8_0_976,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=64; measured=2026-02-06T17:21:58Z; wip=False; image=nvcr.io#nvidia/tensorrt-llm/release:1.2.0rc6.post3,trtllm,1.2.0rc6.post3,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,8,1,1,8,1,8,,,,,,,,,,,,,,,1085.456209500262,12.289469945639713',
  kimiAttentionDp:
    'kimik2_5_b200_vllm_fp4_agg_1024x1024_c32_cfg635,db-dump/2026-04-27; config_id=635; silicon_concurrency=32; measured=2026-03-27T00:00:00.000Z; workflow_run_id=339; vllm/vllm-openai:v0.17.0,vllm,0.17.0,moonshotai/Kimi-K2.5,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,8,4,1,4,1,16,,,,,,,,,,,,,,,208.3183024878963,18.513764939850052',
  kimiTp4Ep4:
    '2026_03_25_kimi_k2_5_b200_sxm_vllm_fp4_agg_1024x1024_c32_tp4_0_ep4_0_570,source_file=2026-03-25.csv; model=Kimi-K2.5; silicon_concurrency=32; measured=2026-03-11T16:59:40Z; wip=False; image=vllm/vllm-openai:v0.17.0,vllm,0.17.0,moonshotai/Kimi-K2.5,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,32,4,1,1,1,4,,,,,,,,,,,,,,,237.91704826253408,19.72279305688444',
  kimiB300Tp4Ep4:
    '2026_03_25_kimi_k2_5_b300_sxm_vllm_fp4_agg_1024x1024_c32_tp4_0_ep4_0_43,source_file=2026-03-25.csv; model=Kimi-K2.5; silicon_concurrency=32; measured=2026-04-03T16:53:21Z; wip=True; image=vllm/vllm-openai:v0.17.0-cu130,vllm,0.17.0,moonshotai/Kimi-K2.5,b300_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,32,4,1,1,1,4,,,,,,,,,,,,,,,137.15287698732936,17.11436507071981',
  minimaxFp8AttentionDp:
    'minimaxm2_5_b300_vllm_fp8_agg_1024x1024_c256_cfg734,db-dump/2026-04-27; config_id=734; silicon_concurrency=256; measured=2026-04-21T00:00:00.000Z; workflow_run_id=797; vllm/vllm-openai:v0.19.0-cu130,vllm,0.19.0,MiniMaxAI/MiniMax-M2.5,b300_sxm,fp8,agg,1024,1024,fp8,fp8,64,4,1,4,1,16,,,,,,,,,,,,,,,362.26821922969066,23.392508817238788',
};

function mapped(name: keyof typeof ROWS): RowMapping {
  const [row] = parseSiliconCsv(`${HEADER}\n${ROWS[name]}\n`, `${name}.csv`);
  assert.ok(row);
  return mapRow(row);
}

function job(name: keyof typeof ROWS): SimulationJob {
  const m = mapped(name);
  assert.ok(m.modelled, m.modelled ? '' : m.reason);
  // What the benchmark hands simulate must pass its own schema.
  SimulationConfig.parse(m.job.config);
  return m.job;
}

function colocatedPool(j: SimulationJob) {
  const deployment = j.config.deployment;
  assert.equal(deployment.kind, 'colocated');
  return deployment.pool;
}

describe('accuracy benchmark: measured rows as simulations', () => {
  it('an aggregated vLLM row: catalog model, GPU, vLLM V1 scheduler, closed loop as InferenceMAX runs it', () => {
    const j = job('minimaxFp8');
    assert.equal(j.config.model, 'minimax-m2.5');
    assert.equal(j.config.hardware, 'b300');
    const { plan, scheduler } = colocatedPool(j);
    assert.deepEqual(plan, { tp: 2, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' });
    assert.equal(scheduler.policy, 'vllm-v1');
    // Its launch script: --max-num-batched-tokens $((ISL * 2)) (launch-settings.json).
    assert.equal(scheduler.maxNumBatchedTokens, 2048);
    assert.equal(scheduler.maxModelLen, 2048);
    assert.equal(j.concurrency, 8);
    // --random-range-ratio 0.8, --num-prompts 10 × concurrency, nothing left out as warm-up.
    assert.equal(j.warmUpRequests, 0);
    assert.equal(j.parts, 1);
    assert.equal(j.workload, 'constant:rate=1000,prompt=uniform(819,1024),output=uniform(819,1024),n=80');
  });

  it('a row of another source keeps fixed lengths and a warm-up wave', () => {
    const [row] = parseSiliconCsv(`${HEADER}\n${ROWS.minimaxFp8}\n`, 'x.csv');
    assert.ok(row);
    assert.equal(protocolOf(row), INFERENCEMAX_PROTOCOL);
    const other = {
      ...row,
      silicon_data_source: 'source_file=kimi-k2.5-gap-analysis.csv; silicon_concurrency=8',
    };
    assert.equal(protocolOf(other), FIXED_PROTOCOL);
    const m = mapRow(other);
    assert.ok(m.modelled);
    assert.equal(m.job.warmUpRequests, 8);
    assert.equal(m.job.workload, `constant:rate=1000,prompt=fixed(1024),output=fixed(1024),n=${8 * WAVES}`);
  });

  it('attention DP with nvfp4: replicas of TP tp, experts over moe_tp × moe_ep, the recorded concurrency', () => {
    const j = job('minimaxAttentionDp');
    const { plan } = colocatedPool(j);
    // batch_size (128) is per attention-DP rank; the source records 256 clients.
    assert.equal(j.rowConcurrency, 256);
    // vLLM's DP attention (tp 2 = attention DP 2, moe_ep 4 = 2 × 2): two ranks of one GPU, EP over both.
    assert.deepEqual(plan, { tp: 1, pp: 1, dp: 2, ep: 2, weightDtype: 'nvfp4', kvDtype: 'fp8' });
    // One of two ranks alone would hold half an expert-parallel group: the whole deployment runs.
    assert.equal(j.parts, 1);
    assert.equal(j.concurrency, 256);
  });

  it('a disaggregated row with worker counts: prefill and decode pools of workers × attention DP', () => {
    const j = job('deepseekDisagg');
    const deployment = j.config.deployment;
    assert.equal(deployment.kind, 'disaggregated');
    assert.equal(j.config.model, 'deepseek-v3');
    assert.deepEqual(deployment.prefill.plan, {
      tp: 1,
      pp: 1,
      dp: 8,
      ep: 8,
      weightDtype: 'fp8',
      kvDtype: 'fp8',
    });
    assert.deepEqual(deployment.decode.plan, {
      tp: 1,
      pp: 1,
      dp: 32,
      ep: 16,
      weightDtype: 'fp8',
      kvDtype: 'fp8',
    });
    // TensorRT-LLM without chunked context: in-flight batching of whole prompts.
    assert.equal(deployment.decode.scheduler.policy, 'orca');
    // 8192 clients over 32 decode replicas need room for 256 each (the engine default is 2048).
    assert.ok((deployment.decode.scheduler.maxNumSeqs ?? 0) >= 256);
    // 40 GPUs fit one GB200 NVL72 NVLink domain: KV moves over NVLink.
    assert.ok((deployment.kvLink?.bytesPerSecond ?? 0) > 100e9);
    assert.equal(j.concurrency, 8192);
  });

  it('a base-model repository reads as its -Instruct entry; TensorRT-LLM gets a budget covering ISL + OSL', () => {
    const j = job('llamaBase');
    assert.equal(j.config.model, 'llama-3.1-70b');
    const { plan, scheduler } = colocatedPool(j);
    assert.deepEqual(plan, { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'fp8', kvDtype: 'fp8' });
    assert.equal(scheduler.policy, 'orca');
    // Its launch script (70b_fp8_b200_trt_slurm.sh) passes --max_num_tokens 16384.
    assert.equal(scheduler.maxNumBatchedTokens, 16384);
    // Without a script (the same deployment on H100), the engine default is raised to cover ISL + OSL.
    assert.equal(colocatedPool(job('llamaBaseH100')).scheduler.maxNumBatchedTokens, 1024 + 8192);
  });

  it("an nvfp4 row of gpt-oss's own repository runs the checkpoint as published: mxfp4 experts", () => {
    const { plan } = colocatedPool(job('gptOssFp4'));
    // Its launch script leaves kv_cache_config dtype at auto: a 16-bit cache (launch-settings.json).
    assert.deepEqual(plan, { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'bf16' });
  });

  it("int4_wo is the checkpoint's own int4 (Kimi-K2.5's experts), with a 16-bit KV cache", () => {
    const j = job('kimiInt4');
    assert.equal(j.config.model, 'kimi-k2.5');
    const { plan } = colocatedPool(j);
    assert.deepEqual(plan, { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'int4', kvDtype: 'bf16' });
  });

  it('fp4 on gpt-oss is its own mxfp4 checkpoint (mxfp4 experts, 16-bit attention), even on Hopper', () => {
    const j = job('gptOssFp4Vllm');
    assert.equal(j.config.model, 'gpt-oss-120b');
    const { plan } = colocatedPool(j);
    // vllm serve without --kv-cache-dtype on H100: auto, a 16-bit cache (launch-settings.json).
    assert.deepEqual(plan, { tp: 2, pp: 1, dp: 1, ep: 1, weightDtype: 'mxfp4', kvDtype: 'bf16' });
  });

  it('says why a row is not modelled: an unknown architecture, a disaggregated row without worker counts', () => {
    const [row] = parseSiliconCsv(
      `${HEADER}\n${ROWS.qwen35.replace('Qwen/Qwen3.5-397B-A17B', 'acme/Unknown-7B')}\n`,
      'x.csv',
    );
    assert.ok(row);
    const unknown = mapRow(row);
    assert.equal(unknown.modelled, false);
    assert.equal(!unknown.modelled && unknown.reason, 'model not in the catalog: acme/Unknown-7B');
    assert.deepEqual(unknown.partition, {
      engine: 'sglang',
      gpu: 'b300_sxm',
      family: 'unknown-7b',
      mode: 'agg',
    });
    const disagg = mapped('disaggWithoutWorkers');
    assert.equal(disagg.modelled, false);
    // Its concurrency ran with and without MTP (disagg-recipes.json): the recipes do not settle it either.
    assert.match(disagg.modelled ? '' : disagg.reason, /worker counts not recorded/);
  });

  it('TensorRT-LLM budgets 0.9 of the memory free after weights: DeepSeek FP8 on 4 × B200 batches its clients', () => {
    const j = job('deepseekFp8Tp4');
    const { scheduler } = colocatedPool(j);
    // 0.9 of the whole GPU would leave room for one sequence; 0.9 of what the weights leave is far more.
    assert.ok((scheduler.gpuMemoryUtilization ?? 0) > 0.95, `${scheduler.gpuMemoryUtilization}`);
    const outcome = simulateJob({ ...j, workload: j.workload.replace(/n=\d+$/, `n=${3 * j.concurrency}`) });
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.detail);
    // Measured 653 ms; one sequence at a time queued 16 prompts behind each other (over 100 s).
    assert.ok(outcome.ttftMs < 5000, `${outcome.ttftMs}`);
  });

  it('an aggregated tp_size recorded as tp × ep (tp4_ep4, tp_size 16 on an 8-GPU board) runs on tp GPUs', () => {
    const j = job('tpTimesEp');
    const { plan } = colocatedPool(j);
    assert.deepEqual(plan, { tp: 4, pp: 1, dp: 1, ep: 4, weightDtype: 'nvfp4', kvDtype: 'fp8' });
  });

  it('Qwen3.5-397B-A17B: TP4 with its experts over moe_tp 2 × moe_ep 2, in its own family', () => {
    const m = mapped('qwen35');
    assert.ok(m.modelled, m.modelled ? '' : m.reason);
    assert.equal(m.partition.family, 'qwen3_5_moe');
    assert.deepEqual(colocatedPool(m.job).plan, {
      tp: 4,
      pp: 1,
      dp: 1,
      ep: 4,
      weightDtype: 'nvfp4',
      kvDtype: 'fp8',
    });
  });

  it('attention DP left unrecorded is what the MoE degrees imply: tp 1 with moe_tp 2 runs as two DP ranks', () => {
    const { plan } = colocatedPool(job('qwen235Dp'));
    // 235 GB of fp8 weights cannot load on one H200: vLLM's --data-parallel-size 2 shares the experts,
    // without --enable-expert-parallel (moe_ep 1) as one MoE TP group of both GPUs.
    assert.deepEqual(plan, {
      tp: 1,
      pp: 1,
      dp: 2,
      ep: 2,
      moeTensorParallel: true,
      weightDtype: 'fp8',
      kvDtype: 'fp8',
    });
  });

  it('a tp_size that does not divide the attention heads is not modelled, and says so', () => {
    // The degrees of the GB200 row below, as a source that does not say how its client ran would give them.
    const line = ROWS.deepseekTp36.replace(/source_file=2026-04-06\.csv; /, 'source_file=export.csv; ');
    const [row] = parseSiliconCsv(`${HEADER}\n${line}\n`, 'tp36.csv');
    assert.ok(row);
    const m = mapRow(row);
    assert.equal(m.modelled, false);
    assert.equal(
      !m.modelled && m.reason,
      'tp_size 36 does not divide the 128 attention heads, and the row records no other split of its GPUs',
    );
  });

  it("an InferenceMAX GB200 row labelled 'agg' is a disaggregated run whose workers are not recorded", () => {
    // tp_size 36 is the run's GPU count: InferenceMAX runs GB200 only as multinode disaggregated configs.
    const m = mapped('deepseekTp36');
    assert.equal(m.modelled, false);
    assert.match(!m.modelled ? m.reason : '', /gb200 only as multinode disaggregated/);
  });

  it('attention DP recorded as tp × ep runs as the same deployment its other export records', () => {
    // `tp8_ep8` with attention DP 64, moe 8 × 8; the same measurement as attention DP 8, moe 1 × 8.
    const expected = { tp: 1, pp: 1, dp: 8, ep: 8, weightDtype: 'nvfp4', kvDtype: 'fp8' };
    assert.deepEqual(colocatedPool(job('dpTimesEp')).plan, expected);
    assert.deepEqual(colocatedPool(job('dpAttention')).plan, expected);
    assert.equal(job('dpTimesEp').parts, 1);
    // InferenceMAX launched TensorRT-LLM's attention DP with enable_balance, timeout_iters 60.
    assert.equal(colocatedPool(job('dpAttention')).scheduler.attentionDpBalanceIters, 60);
    assert.equal(colocatedPool(job('kimiAttentionDp')).scheduler.attentionDpBalanceIters, undefined);
    assert.equal(colocatedPool(job('deepseekFp8Tp4')).scheduler.attentionDpBalanceIters, undefined);
  });

  it('a vLLM script that passes only --tensor-parallel-size ran one TP server, whatever DP and EP the row records', () => {
    // kimik2.5_fp4_b200.sh: `--tensor-parallel-size=$TP`, no data- or expert-parallel flag. Its rows that
    // record attention DP 4 and moe_ep 16, or moe_ep 4, ran TP4 with the experts TP-sharded; so did
    // kimik2.5_fp4_b300.sh, which reuses that recipe as-is.
    const expected = { tp: 4, pp: 1, dp: 1, ep: 1, weightDtype: 'nvfp4', kvDtype: 'fp8' };
    for (const name of ['kimiAttentionDp', 'kimiTp4Ep4', 'kimiB300Tp4Ep4'] as const) {
      const j = job(name);
      assert.deepEqual(colocatedPool(j).plan, expected, name);
      assert.equal(j.concurrency, 32);
      // The script's own limits apply: --max-num-seqs $CONC.
      assert.equal(colocatedPool(j).scheduler.maxNumSeqs, 32);
    }
  });

  it('a vLLM script that adds --enable-expert-parallel where EP_SIZE > 1 ran TP × EP, no attention DP', () => {
    // minimaxm2.5_fp8_b300.sh: `--tensor-parallel-size=$TP` and EP where EP_SIZE > 1; no --data-parallel-size.
    const j = job('minimaxFp8AttentionDp');
    const { plan, scheduler } = colocatedPool(j);
    assert.deepEqual(plan, { tp: 4, pp: 1, dp: 1, ep: 4, weightDtype: 'fp8', kvDtype: 'fp8' });
    assert.equal(scheduler.maxNumBatchedTokens, 2048);
    assert.equal(j.concurrency, 256);
  });

  it('a mapped row simulates to positive mean TTFT and TPOT', () => {
    const outcome = simulateJob(job('minimaxFp8'));
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.detail);
    assert.ok(outcome.ttftMs > 0 && Number.isFinite(outcome.ttftMs));
    // Decoding one token takes at least a millisecond on any of these GPUs, and far less than a second.
    assert.ok(outcome.tpotMs > 1 && outcome.tpotMs < 1000, `${outcome.tpotMs}`);
  });
});
