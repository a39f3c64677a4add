// The KV format of a measured row: the one its launch script set (launch-settings.json), else the
// precision rule with the reason no script applies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeOnlyCudaGraphsOf,
  deepGemmOf,
  kvCacheFreeFractionOf,
  kvChoiceOf,
  LAUNCH_SETTINGS,
  launchLimitsOf,
  maxCudaGraphCaptureSizeOf,
  measuredDayOf,
  moeBackendOf,
  tokensFromClients,
} from '../../../../bench/accuracy/launch-settings.js';
import { mapRow } from '../../../../bench/accuracy/map-row.js';
import { rowModelOf } from '../../../../bench/accuracy/row-model.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const ROWS = {
  sglangH200:
    'dsr1_h200_sglang_fp8_agg_1024x1024_c4_cfg81,db-dump/2026-04-27; config_id=81; silicon_concurrency=4; measured=2026-03-25T00:00:00.000Z; workflow_run_id=337; lmsysorg/sglang:v0.5.9-cu130,sglang,0.5.9,deepseek-ai/DeepSeek-V3,h200_sxm,fp8,agg,1024,1024,fp8,fp8_block,4,8,1,1,8,1,,,,,,,,,,,,,,,259.9114292766899,10.29225441516629',
  sglangB200:
    'dsr1_b200_sglang_fp8_agg_1024x1024_c64_cfg87,db-dump/2026-04-27; config_id=87; silicon_concurrency=64; measured=2026-03-25T00:00:00.000Z; workflow_run_id=337; lmsysorg/sglang:v0.5.9-cu130,sglang,0.5.9,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,agg,1024,1024,fp8,fp8_block,64,8,1,1,8,1,,,,,,,,,,,,,,,798.9930182558055,22.529311712042354',
  otherSource:
    'qwen_qwen3_235b_a22b_fp8_qwen_qwen3_235b_a22b_fp8_h200_sxm_vllm_agg_2000x100_c5_tp1_epnone_11,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h200_sxm/vllm/0.12.0/Qwen_Qwen3-235B-A22B-FP8.csv; silicon_concurrency=5,vllm,0.12.0,Qwen/Qwen3-235B-A22B-FP8,h200_sxm,fp8,agg,2000,100,fp8,fp8,5,1,1,,2,1,,,,,,,,,,,,,,,450.9,57.78',
  qwen35B200:
    'qwen3_5_b200_sglang_fp8_agg_1024x1024_c8_cfg618,db-dump/2026-04-27; config_id=618; silicon_concurrency=8; measured=2026-03-24T00:00:00.000Z; workflow_run_id=336; lmsysorg/sglang:v0.5.9-cu130-amd64,sglang,0.5.9,Qwen/Qwen3.5-397B-A17B,b200_sxm,fp8,agg,1024,1024,fp8,fp8_block,8,8,1,1,8,1,,,,,,,,,,,,,,,306.1283879520488,10.069642541943574',
  glmB200:
    '2026_04_06_glm_5_b200_sxm_sglang_fp8_agg_1024x8192_c4_tp8_ep1_1475,source_file=2026-04-06.csv; model=GLM-5; silicon_concurrency=4; measured=2026-03-20T17:45:25Z; wip=False; image=lmsysorg/sglang:nightly-dev-cu13-20260317-1eea7448,sglang,nightly-dev,zhipuai/GLM-5,b200_sxm,fp8,agg,1024,8192,fp8,fp8_block,4,8,1,1,8,1,,,,,,,,,,,,,,,297.2,17.04',
  qwen35B300:
    'qwen3_5_b300_sglang_fp8_agg_1024x1024_c4_cfg716,db-dump/2026-04-27; config_id=716; silicon_concurrency=4; measured=2026-04-17T00:00:00.000Z; workflow_run_id=747; lmsysorg/sglang:v0.5.10.post1-cu130,sglang,0.5.10.post1,Qwen/Qwen3.5-397B-A17B,b300_sxm,fp8,agg,1024,1024,fp8,fp8_block,4,4,1,1,4,1,,,,,,,,,,,,,,,204.88475360025404,8.648086018776866',
  qwen35B300Older:
    '2026_03_25_qwen3_5_397b_b300_sxm_sglang_fp8_agg_1024x1024_c4_tp8_0_ep1_0_40,source_file=2026-03-25.csv; model=Qwen3.5-397B; silicon_concurrency=4; measured=2026-04-03T16:54:18Z; wip=True; image=lmsysorg/sglang:v0.5.9-cu130-amd64,sglang,0.5.9,Qwen/Qwen3.5-397B-A17B,b300_sxm,fp8,agg,1024,1024,fp8,fp8_block,4,8,1,1,8,1,,,,,,,,,,,,,,,171.53635195099923,7.908025802868975',
  gptOssH200:
    '2026_04_06_gpt_oss_120b_h200_sxm_vllm_fp4_agg_8192x1024_c4_tp1_ep1_481,source_file=2026-04-06.csv; model=GPT-OSS-120B; silicon_concurrency=4; measured=2026-03-27T00:00:00.000Z; wip=False; image=vllm/vllm-openai:v0.18.0,vllm,0.18.0,openai/gpt-oss-120b,h200_sxm,fp4,agg,8192,1024,nvfp4,nvfp4,4,1,1,1,1,1,,,,,,,,,,,,,,,407.63860438601114,7.081102732869436',
  trtDsr1B200:
    'dsr1_b200_trtllm_fp8_agg_1024x1024_c8_cfg75,db-dump/2026-04-27; config_id=75; silicon_concurrency=8; measured=2026-01-29T00:00:00.000Z; workflow_run_id=248; nvcr.io/nvidia/tensorrt-llm/release:1.2.0rc6.post2,trtllm,1.2.0rc6.post2,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,agg,1024,1024,fp8,fp8,8,8,1,1,8,1,,,,,,,,,,,,,,,181.47400541347452,11.084649822290052',
  gptOssB200:
    '2026_03_25_gpt_oss_120b_b200_sxm_vllm_fp4_agg_1024x8192_c16_tp2_0_ep1_0_613,source_file=2026-03-25.csv; model=GPT-OSS-120B; silicon_concurrency=16; measured=2026-02-25T19:02:12Z; wip=False; image=vllm/vllm-openai:v0.15.1,vllm,0.15.1,openai/gpt-oss-120b,b200_sxm,fp4,agg,1024,8192,nvfp4,nvfp4,16,2,1,1,2,1,,,,,,,,,,,,,,,63.78466460155323,5.636485613736997',
  trtDsr1B200Mtp:
    '2026_03_25_deepseek_r1_b200_sxm_trtllm_fp8_agg_1024x1024_c16_tp8_0_ep1_0_1031,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=16; measured=2026-02-05T19:55:05Z; wip=False; image=nvcr.io#nvidia/tensorrt-llm/release:1.2.0rc6.post3,trtllm,1.2.0rc6.post3,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,1024,1024,fp8,fp8,16,8,1,1,8,1,,,,,,,,,,,,,,,195.35996161284856,8.606805089483863',
  minimaxFp8B200:
    '2026_04_06_minimax_m2_5_b200_sxm_vllm_fp8_agg_1024x8192_c4_tp4_ep1_1343,source_file=2026-04-06.csv; model=MiniMax-M2.5; silicon_concurrency=4; measured=2026-03-28T00:00:00.000Z; wip=False; image=vllm/vllm-openai:v0.17.0-cu130,vllm,0.17.0,MiniMaxAI/MiniMax-M2.5,b200_sxm,fp8,agg,1024,8192,fp8,fp8,4,4,1,1,4,1,,,,,,,,,,,,,,,114.79057283722796,9.543516301844233',
  trtFp4B200:
    'dsr1_b200_trtllm_fp4_agg_8192x1024_c64_cfg91,db-dump/2026-04-27; config_id=91; silicon_concurrency=64; measured=2025-11-02T00:00:00.000Z; workflow_run_id=103,trtllm,,deepseek-ai/DeepSeek-V3,b200_sxm,fp4,agg,8192,1024,nvfp4,nvfp4,64,8,1,1,8,1,,,,,,,,,,,,,,,2158.7906952470803,25.646409375909535',
  trtH200:
    'dsr1_h200_trtllm_fp8_agg_8192x1024_c64_cfg83,db-dump/2026-04-27; config_id=83; silicon_concurrency=64; measured=2025-11-02T00:00:00.000Z; workflow_run_id=103,trtllm,,deepseek-ai/DeepSeek-V3,h200_sxm,fp8,agg,8192,1024,fp8,fp8,64,8,1,1,8,1,,,,,,,,,,,,,,,4995.062101324584,48.28628230198092',
  llamaB200Trt:
    '2026_04_06_llama_3_1_70b_b200_sxm_trtllm_fp8_agg_1024x1024_c4_tp1_ep1_737,source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=4; measured=2025-10-29T00:00:00.000Z; wip=False,trtllm,,meta-llama/Llama-3.1-70B,b200_sxm,fp8,agg,1024,1024,fp8,fp8,4,1,1,1,1,1,,,,,,,,,,,,,,,383.1025608582422,14.594924956859785',
  llamaH200Trt:
    '2026_04_06_llama_3_1_70b_h200_sxm_trtllm_fp8_agg_1024x1024_c8_tp2_ep1_627,source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=8; measured=2025-10-29T00:00:00.000Z; wip=False,trtllm,,meta-llama/Llama-3.1-70B,h200_sxm,fp8,agg,1024,1024,fp8,fp8,8,2,1,1,2,1,,,,,,,,,,,,,,,384.48967159783933,12.424775166217465',
  llamaB200:
    '2026_04_06_llama_3_1_70b_b200_sxm_vllm_fp8_agg_1024x1024_c4_tp8_ep1_581,source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=4; measured=2025-10-29T00:00:00.000Z; wip=False,vllm,,meta-llama/Llama-3.1-70B,b200_sxm,fp8,agg,1024,1024,fp8,fp8,4,8,1,1,8,1,,,,,,,,,,,,,,,100.36714740563184,6.3181364712788675',
  llamaH200:
    '2026_04_06_llama_3_1_70b_h200_sxm_vllm_fp8_agg_1024x8192_c16_tp8_ep1_270,source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=16; measured=2025-10-29T00:00:00.000Z; wip=False,vllm,,meta-llama/Llama-3.1-70B,h200_sxm,fp8,agg,1024,8192,fp8,fp8,16,8,1,1,8,1,,,,,,,,,,,,,,,101.37578308349475,9.747239728212014',
  minimaxFp4B300:
    'minimaxm2_5_b300_vllm_fp4_agg_8192x1024_c4_cfg725,db-dump/2026-04-27; config_id=725; silicon_concurrency=4; measured=2026-04-21T00:00:00.000Z; workflow_run_id=798; vllm/vllm-openai:v0.19.0-cu130,vllm,0.19.0,MiniMaxAI/MiniMax-M2.5,b300_sxm,fp4,agg,8192,1024,nvfp4,nvfp4,4,4,1,1,4,1,,,,,,,,,,,,,,,128.83015587576665,6.31073442456946',
  trtQwen32H100:
    'qwen_qwen3_32b_qwen_qwen3_32b_h100_sxm_trtllm_agg_1024x128_c64_tp1_epnone_28,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/trtllm/1.0.0rc3/Qwen_Qwen3-32B.csv; silicon_concurrency=64,trtllm,1.0.0rc3,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1024,128,fp8,fp8,64,1,1,,1,0,,,,,,,,,,,,,,,466.17730535312495,57.698559190625',
  disagg:
    'dsr1_gb200_trtllm_fp8_disagg_1024x8192_c8192_cfg435,db-dump/2026-04-27; config_id=435; silicon_concurrency=8192; measured=2026-02-05T00:00:00.000Z; workflow_run_id=259; nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post2,trtllm,0.8.1.post2,deepseek-ai/DeepSeek-V3,gb200,fp8,disagg,1024,8192,fp8,fp8,,,,,,,1,1,1,1,8,1,8,256,2,1,1,16,1,16,7431.498290984184,48.5587774517027',
};

function row(name: keyof typeof ROWS): SiliconRow {
  const [parsed] = parseSiliconCsv(`${HEADER}\n${ROWS[name]}\n`, `${name}.csv`);
  assert.ok(parsed);
  return parsed;
}

describe('accuracy benchmark: KV format as the launch script set it', () => {
  it('SGLang on H200 launched without --kv-cache-dtype runs a 16-bit cache for fp8 DeepSeek', () => {
    const choice = kvChoiceOf(row('sglangH200'));
    assert.equal(choice.kvDtype, 'bf16');
    assert.equal(choice.from, 'launch');
    assert.ok(choice.from === 'launch' && choice.entry.source.path.endsWith('dsr1_fp8_h200.sh'));
    const mapped = mapRow(row('sglangH200'));
    assert.ok(mapped.modelled);
    assert.match(mapped.job.description, /fp8\/bf16 KV/);
  });

  it('SGLang on B200 launched with --kv-cache-dtype fp8_e4m3 runs an fp8 cache', () => {
    const choice = kvChoiceOf(row('sglangB200'));
    assert.deepEqual([choice.kvDtype, choice.from], ['fp8', 'launch']);
  });

  it('vLLM on B200 launched without --kv-cache-dtype runs a 16-bit cache for the fp8 MiniMax-M2.5', () => {
    // minimaxm2.5_fp8_b200.sh sets no --kv-cache-dtype: auto, the checkpoint's 16-bit activations.
    const choice = kvChoiceOf(row('minimaxFp8B200'));
    assert.deepEqual([choice.kvDtype, choice.from], ['bf16', 'launch']);
    assert.ok(choice.from === 'launch' && choice.entry.source.path.endsWith('minimaxm2.5_fp8_b200.sh'));
    const mapped = mapRow(row('minimaxFp8B200'));
    assert.ok(mapped.modelled);
    assert.match(mapped.job.description, /fp8\/bf16 KV/);
  });

  it('rows no launch script covers keep the precision rule and say why', () => {
    for (const name of ['otherSource', 'disagg'] as const) {
      const choice = kvChoiceOf(row(name));
      assert.equal(choice.kvDtype, 'fp8');
      assert.ok(choice.from === 'rule' && choice.reason.length > 0, name);
    }
    // A table without the H200 entry falls back too.
    const rest = LAUNCH_SETTINGS.filter((e) => e.system !== 'h200_sxm');
    assert.deepEqual(kvChoiceOf(row('sglangH200'), rest).kvDtype, 'fp8');
  });

  it("applies the script's engine limits: SGLang's max running requests and prefill chunk, by lengths", () => {
    // dsr1_fp8_h200.sh: --max-running-requests 512 at 1k/1k (else 256), --chunked-prefill-size 32768.
    assert.deepEqual(launchLimitsOf(row('sglangH200'), 4), {
      maxBatchSize: 512,
      maxNumTokens: 32768,
      memFractionStatic: 0.82,
    });
    const longer = { ...row('sglangH200'), isl: 8192 };
    assert.deepEqual(launchLimitsOf(longer, 4), {
      maxBatchSize: 256,
      maxNumTokens: 32768,
      memFractionStatic: 0.82,
    });
    const mapped = mapRow(row('sglangH200'));
    assert.ok(mapped.modelled && mapped.job.config.deployment.kind === 'colocated');
    const scheduler = mapped.job.config.deployment.pool.scheduler;
    assert.equal(scheduler.maxNumSeqs, 512);
    assert.equal(scheduler.maxNumBatchedTokens, 32768);
    // A script that passes the benchmark's concurrency (vLLM's --max-num-seqs $CONC) gets the row's.
    const gptOss = {
      ...row('sglangH200'),
      backend: 'vllm',
      model_path: 'openai/gpt-oss-120b',
      precision: 'fp4',
    };
    assert.deepEqual(launchLimitsOf(gptOss, 64), { maxBatchSize: 64, maxNumTokens: 8192 });
  });

  it("passes SGLang's --scheduler-recv-interval (by the benchmark's concurrency) and --max-prefill-tokens", () => {
    // dsr1_fp8_b200.sh, TP8: --scheduler-recv-interval 30 where CONC >= 16, else 10.
    assert.equal(launchLimitsOf(row('sglangB200'), 64)?.schedulerRecvInterval, 30);
    assert.equal(launchLimitsOf(row('sglangB200'), 8)?.schedulerRecvInterval, 10);
    assert.deepEqual(launchLimitsOf(row('sglangB200'), 8), {
      maxBatchSize: 128,
      maxNumTokens: 32768,
      maxPrefillTokens: 32768,
      schedulerRecvInterval: 10,
      memFractionStatic: 0.82,
    });
    const mapped = mapRow(row('sglangB200'));
    assert.ok(mapped.modelled && mapped.job.config.deployment.kind === 'colocated');
    assert.equal(mapped.job.config.deployment.pool.scheduler.schedulerRecvInterval, 30);
    // --max-prefill-tokens 32768 (SGLang's default is 16384).
    assert.equal(mapped.job.config.deployment.pool.scheduler.maxPrefillTokens, 32768);
    // A script that does not set it leaves the engine's default (every iteration).
    const h200 = mapRow(row('sglangH200'));
    assert.ok(h200.modelled && h200.job.config.deployment.kind === 'colocated');
    assert.equal(h200.job.config.deployment.pool.scheduler.schedulerRecvInterval, undefined);
    // B300 ran the B200 recipe as-is (dsr1_fp8_b300.sh).
    const b300 = { ...row('sglangB200'), system: 'b300_sxm' };
    assert.deepEqual(kvChoiceOf(b300).kvDtype, 'fp8');
    assert.equal(launchLimitsOf(b300, 4)?.schedulerRecvInterval, 10);
  });

  it("takes SGLang's --mem-fraction-static from the script, by TP where the script picks it so", () => {
    // dsr1_fp8_h200.sh: --mem-fraction-static 0.82; dsr1_fp8_b200.sh: 0.82 at TP8, 0.95 at TP4.
    assert.equal(launchLimitsOf(row('sglangH200'), 4)?.memFractionStatic, 0.82);
    assert.equal(launchLimitsOf(row('sglangB200'), 64)?.memFractionStatic, 0.82);
    assert.equal(
      launchLimitsOf({ ...row('sglangB200'), tp_size: 4 }, 8, undefined, 4)?.memFractionStatic,
      0.95,
    );
    // The simulator's share of the whole GPU holds the static share plus the activations SGLang keeps
    // outside it, so it lies above 0.82, and below the 0.9 the engine would get without the script's value.
    const mapped = mapRow(row('sglangH200'));
    assert.ok(mapped.modelled && mapped.job.config.deployment.kind === 'colocated');
    const share = mapped.job.config.deployment.pool.scheduler.gpuMemoryUtilization;
    assert.ok(share !== undefined && share > 0.82 && share < 0.9, `share ${share}`);
  });

  it("applies TensorRT-LLM's batch waiting where dsr1_fp8_b200_trt.sh sets DELAY_BATCHING", () => {
    // 1k/1k with 64 <= CONC < 256 on the 1.2.0rc6.post2 image: batch_wait_timeout_iters 40, ratio 0.8,
    // with --max_num_tokens 8192 (max(8192, CONC + ISL + 127 rounded down to 64)).
    const line = ROWS.trtDsr1B200
      .replace('c8_cfg75', 'c64_cfg75')
      .replace('silicon_concurrency=8;', 'silicon_concurrency=64;')
      .replace(',agg,1024,1024,fp8,fp8,8,8,', ',agg,1024,1024,fp8,fp8,64,8,');
    const [c64] = parseSiliconCsv(`${HEADER}\n${line}\n`, 'c64.csv');
    assert.ok(c64);
    assert.deepEqual(launchLimitsOf(c64, 64), {
      maxNumTokens: 8192,
      batchWaitIters: 40,
      batchWaitTokensRatio: 0.8,
    });
    const mapped = mapRow(c64);
    assert.ok(mapped.modelled && mapped.job.config.deployment.kind === 'colocated');
    const scheduler = mapped.job.config.deployment.pool.scheduler;
    assert.deepEqual([scheduler.batchWaitIters, scheduler.batchWaitTokensRatio], [40, 0.8]);
    // Not below 64 clients, not from 256 (DEEPGEMM branch), not 1k/8k, not other images.
    assert.deepEqual(launchLimitsOf(c64, 32), { maxNumTokens: 8192 });
    assert.deepEqual(launchLimitsOf(c64, 256), { maxNumTokens: 8192 });
    assert.equal(launchLimitsOf({ ...c64, osl: 8192 }, 64)?.batchWaitIters, undefined);
    assert.equal(launchLimitsOf({ ...c64, backend_version: '1.2.0rc6.post3' }, 64), undefined);
  });

  it("holds Llama-3.1-70B's 1k/1k prompts below TP8 as the TensorRT-LLM scripts' batch waiting does", () => {
    // 70b_fp8_b200_trt_slurm.sh: batch_wait_timeout_iters 20, batch_wait_max_tokens_ratio 0.9 where ISL and
    // OSL are 1024 and TP < 8; --max_num_tokens 16384. The H200 script passes $MAX_MODEL_LEN (ISL + OSL + 200).
    const b200 = row('llamaB200Trt');
    assert.deepEqual(launchLimitsOf(b200, 4, undefined, 1), {
      maxNumTokens: 16384,
      batchWaitIters: 20,
      batchWaitTokensRatio: 0.9,
    });
    const mapped = mapRow(b200);
    assert.ok(mapped.modelled && mapped.job.config.deployment.kind === 'colocated');
    const scheduler = mapped.job.config.deployment.pool.scheduler;
    assert.deepEqual([scheduler.batchWaitIters, scheduler.batchWaitTokensRatio], [20, 0.9]);
    assert.equal(kvChoiceOf(b200).from, 'launch');
    // Not at TP8, not at 1k/8k or 8k/1k.
    assert.deepEqual(launchLimitsOf({ ...b200, tp_size: 8 }, 4, undefined, 8), { maxNumTokens: 16384 });
    assert.equal(launchLimitsOf({ ...b200, osl: 8192 }, 4, undefined, 1)?.batchWaitIters, undefined);
    assert.equal(launchLimitsOf({ ...b200, isl: 8192 }, 4, undefined, 1)?.batchWaitIters, undefined);
    const h200 = row('llamaH200Trt');
    assert.deepEqual(launchLimitsOf(h200, 8, undefined, 2), {
      maxNumTokens: 2248,
      batchWaitIters: 20,
      batchWaitTokensRatio: 0.9,
    });
    assert.deepEqual(launchLimitsOf({ ...h200, osl: 8192 }, 8, undefined, 2), { maxNumTokens: 9416 });
  });

  it('sets no limits where no script covers the row, or where it ran attention DP', () => {
    assert.equal(launchLimitsOf(row('otherSource'), 5), undefined);
    assert.equal(launchLimitsOf({ ...row('sglangH200'), attention_dp_size: 8 }, 64), undefined);
  });

  it('every entry cites a repository, a path and a full commit', () => {
    assert.ok(LAUNCH_SETTINGS.length > 0);
    for (const e of LAUNCH_SETTINGS) assert.match(e.source.commit, /^[0-9a-f]{40}$/);
  });

  it("runs gpt-oss's experts on vLLM's Marlin kernel where the script exports VLLM_MXFP4_USE_MARLIN=1", () => {
    // gptoss_fp4_h200.sh: `export VLLM_MXFP4_USE_MARLIN=1` before `vllm serve`.
    assert.equal(moeBackendOf(row('gptOssH200'), 4), 'marlin');
    const mapped = mapRow(row('gptOssH200'));
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.engine?.moeBackend, 'marlin');
    // Scripts that set nothing keep the engine's default kernel.
    assert.equal(moeBackendOf(row('sglangH200'), 4), undefined);
    const sglang = mapRow(row('sglangH200'));
    assert.ok(sglang.modelled);
    assert.equal(sglang.job.config.engine?.moeBackend, undefined);
  });

  it('runs gpt-oss on B200 on the trtllm-gen kernel with mxfp8 activations (VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1)', () => {
    const mapped = mapRow(row('gptOssB200'));
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.engine?.moeBackend, 'trtllm-gen-mxfp8');
  });

  it("runs MiniMax-M2.5's fp8 experts on vLLM's Triton MoE where the script turns FlashInfer and DeepGEMM off", () => {
    // minimaxm2.5_fp8_b200.sh: `export VLLM_USE_FLASHINFER_MOE_FP8=0` and `VLLM_MOE_USE_DEEP_GEMM=0`.
    assert.equal(moeBackendOf(row('minimaxFp8B200'), 4), 'triton');
    const mapped = mapRow(row('minimaxFp8B200'));
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.engine?.moeBackend, 'triton');
  });

  it("takes TensorRT-LLM's MoE backend from the DeepSeek-R1 fp8 B200 script's rules, and MTP's from its own", () => {
    // dsr1_fp8_b200_trt.sh: TRTLLM, DEEPGEMM at 1k/1k and 1k/8k with 256 clients or more.
    const low = row('trtDsr1B200');
    assert.equal(moeBackendOf(low, 16), 'trtllm-gen');
    assert.equal(moeBackendOf(low, 256), 'deepgemm');
    assert.equal(moeBackendOf({ ...low, isl: 8192, osl: 1024 }, 256), 'trtllm-gen');
    assert.equal(moeBackendOf({ ...low, isl: 1024, osl: 8192 }, 512), 'deepgemm');
    // Rows of another image ran another version of the script (an older one set DEEPGEMM throughout).
    assert.equal(moeBackendOf({ ...low, backend_version: '' }, 16), undefined);
    const mapped = mapRow(low);
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.engine?.moeBackend, 'trtllm-gen');
    // dsr1_fp8_b200_trt_mtp.sh sets MOE_BACKEND=DEEPGEMM for every row of its configuration.
    const mtp = mapRow(row('trtDsr1B200Mtp'));
    assert.ok(mtp.modelled);
    assert.match(mtp.job.description, /mtp/);
    assert.equal(mtp.job.config.engine?.moeBackend, 'deepgemm');
  });

  it("takes TensorRT-LLM's MoE backend from the DeepSeek-R1 fp4 B200 script: CUTLASS at high concurrency", () => {
    // dsr1_fp4_b200_trt.sh: TRTLLM; CUTLASS from 256 clients at 1k/1k and 1k/8k, above 32 at 8k/1k.
    const fp4 = row('trtFp4B200');
    assert.equal(moeBackendOf(fp4, 64), 'cutlass');
    assert.equal(moeBackendOf(fp4, 32), 'trtllm-gen');
    assert.equal(moeBackendOf({ ...fp4, isl: 1024, osl: 1024 }, 128), 'trtllm-gen');
    assert.equal(moeBackendOf({ ...fp4, isl: 1024, osl: 1024 }, 256), 'cutlass');
    assert.equal(moeBackendOf({ ...fp4, isl: 1024, osl: 8192 }, 256), 'cutlass');
    const mapped = mapRow(fp4);
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.engine?.moeBackend, 'cutlass');
    // The H200 fp8 script runs CUTLASS for every row.
    assert.equal(moeBackendOf(row('trtH200'), 4), 'cutlass');
  });

  it("sizes TensorRT-LLM's max_num_tokens as the DeepSeek-R1 scripts do, and their KV share of free memory", () => {
    // (CONC + ISL + 64 + 63) / 64 * 64 in shell arithmetic; the H200 script takes at least 8192.
    assert.equal(tokensFromClients({ plus: 127, multipleOf: 64 }, 64, 8192), 8320);
    assert.equal(tokensFromClients({ plus: 127, multipleOf: 64, atLeast: 8192 }, 4, 1024), 8192);
    assert.equal(launchLimitsOf(row('trtFp4B200'), 64, undefined, 8)?.maxNumTokens, 8320);
    assert.equal(launchLimitsOf(row('trtH200'), 256, undefined, 8)?.maxNumTokens, 8512);
    assert.equal(kvCacheFreeFractionOf(row('trtFp4B200')), 0.8);
    assert.equal(kvCacheFreeFractionOf(row('trtH200')), 0.75);
    // The budget stands as the script ran it, below max-model-len (9216): TensorRT-LLM checks the prompt.
    const mapped = mapRow(row('trtFp4B200'));
    assert.ok(mapped.modelled && mapped.job.config.deployment.kind === 'colocated');
    assert.equal(mapped.job.config.deployment.pool.scheduler?.maxNumBatchedTokens, 8320);
  });

  it("sizes max_num_tokens without the 8192 floor for rows measured before the scripts' 1.2.0rc6 versions", () => {
    // The 1.1.0rc2.post2-era scripts pass (CONC + ISL + 127) / 64 * 64: 1344 at ISL 1024 with 256 clients,
    // one prompt a step. Rows measured on the newer scripts keep the floor (H200) or the engine default (B200).
    const at = (name: keyof typeof ROWS, isl: number, day: string): SiliconRow => ({
      ...row(name),
      isl,
      silicon_data_source: row(name).silicon_data_source.replace(
        /measured=\d{4}-\d{2}-\d{2}/,
        `measured=${day}`,
      ),
    });
    assert.equal(launchLimitsOf(at('trtFp4B200', 1024, '2025-11-02'), 256, undefined, 8)?.maxNumTokens, 1344);
    assert.equal(
      launchLimitsOf(at('trtFp4B200', 1024, '2026-02-06'), 256, undefined, 8)?.maxNumTokens,
      undefined,
    );
    assert.equal(launchLimitsOf(at('trtH200', 1024, '2025-12-15'), 64, undefined, 8)?.maxNumTokens, 1152);
    assert.equal(launchLimitsOf(at('trtH200', 1024, '2026-03-01'), 64, undefined, 8)?.maxNumTokens, 8192);
    const oldFp8 = { ...at('trtDsr1B200', 1024, '2025-11-02'), backend_version: '' };
    assert.equal(launchLimitsOf(oldFp8, 32, undefined, 8)?.maxNumTokens, 1152);
    assert.equal(launchLimitsOf(row('trtDsr1B200'), 32, undefined, 8)?.maxNumTokens, 8192);
    assert.equal(measuredDayOf(row('trtH200')), '2025-11-02');
  });

  it("turns SGLang's DeepGEMM off where the script exports SGL_ENABLE_JIT_DEEPGEMM=false", () => {
    // dsr1_fp8_b200.sh: `export SGL_ENABLE_JIT_DEEPGEMM=false`, `export SGLANG_ENABLE_FLASHINFER_GEMM=true`.
    assert.equal(deepGemmOf(row('sglangB200')), false);
    // dsr1_fp8_b300.sh (the B200 recipe as-is) exports the same.
    assert.equal(deepGemmOf({ ...row('sglangB200'), system: 'b300_sxm' }), false);
    const b200 = mapRow(row('sglangB200'));
    assert.ok(b200.modelled);
    assert.equal(b200.job.config.engine?.deepGemm, false);
    // dsr1_fp8_h200.sh and qwen3.5_fp8_b200.sh leave it on (qwen3.5's exports SGL_ENABLE_JIT_DEEPGEMM=true).
    for (const name of ['sglangH200', 'qwen35B200'] as const) {
      assert.equal(deepGemmOf(row(name)), true, name);
      const mapped = mapRow(row(name));
      assert.ok(mapped.modelled);
      assert.equal(mapped.job.config.engine?.deepGemm, undefined, name);
    }
  });

  it('runs prompt steps without CUDA graphs where the vLLM script sets cudagraph_mode FULL_DECODE_ONLY', () => {
    // 70b_fp8_b200_docker.sh and 70b_fp4_b200_docker.sh (bb4c7f93): "cudagraph_mode": "FULL_DECODE_ONLY".
    assert.equal(decodeOnlyCudaGraphsOf(row('llamaB200')), true);
    assert.equal(decodeOnlyCudaGraphsOf({ ...row('llamaB200'), precision: 'fp4' }), true);
    const b200 = mapRow(row('llamaB200'));
    assert.ok(b200.modelled);
    assert.equal(b200.job.config.engine?.decodeOnlyCudaGraphs, true);
    // 70b_fp8_h200_slurm.sh sets no compilation config: vLLM's default FULL_AND_PIECEWISE.
    assert.equal(decodeOnlyCudaGraphsOf(row('llamaH200')), false);
    const h200 = mapRow(row('llamaH200'));
    assert.ok(h200.modelled);
    assert.equal(h200.job.config.engine?.decodeOnlyCudaGraphs, undefined);
  });

  it("carries the script's --max-cudagraph-capture-size into the engine", () => {
    // minimaxm2.5_fp4_b300.sh and minimaxm2.5_fp8_b300.sh (56324839): --max-cudagraph-capture-size 2048.
    assert.equal(maxCudaGraphCaptureSizeOf(row('minimaxFp4B300')), 2048);
    assert.equal(maxCudaGraphCaptureSizeOf({ ...row('minimaxFp4B300'), precision: 'fp8' }), 2048);
    const mapped = mapRow(row('minimaxFp4B300'));
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.engine?.cudaGraphMaxTokens, 2048);
    // The Llama-3.1-70B B200 scripts set none: vLLM's default, resolved from the scheduler.
    assert.equal(maxCudaGraphCaptureSizeOf(row('llamaB200')), undefined);
    const llama = mapRow(row('llamaB200'));
    assert.ok(llama.modelled);
    assert.equal(llama.job.config.engine?.cudaGraphMaxTokens, undefined);
    // gptoss_fp4_{b200,h100}.sh (1fc5d73c) and gptoss_fp4_h200.sh (16cd9556): config.yaml
    // max-cudagraph-capture-size: 2048, so their 1k prompt steps replay graphs.
    for (const name of ['gptOssB200', 'gptOssH200'] as const) {
      assert.equal(maxCudaGraphCaptureSizeOf(row(name)), 2048);
      const gptOss = mapRow(row(name));
      assert.ok(gptOss.modelled);
      assert.equal(gptOss.job.config.engine?.cudaGraphMaxTokens, 2048);
    }
    assert.equal(maxCudaGraphCaptureSizeOf({ ...row('gptOssH200'), system: 'h100_sxm' }), 2048);
  });

  it("a fp8_block row on a 16-bit repository runs its publisher's block-scaled FP8 checkpoint", () => {
    // Qwen/Qwen3.5-397B-A17B with moe_quant_mode fp8_block: InferenceMAX served Qwen3.5-397B-A17B-FP8.
    const model = rowModelOf(row('qwen35B200'));
    assert.equal(model?.id, 'qwen3.5-397b-a17b-fp8');
    assert.equal(model?.checkpointFormat?.groupSize, 128 * 128);
    const mapped = mapRow(row('qwen35B200'));
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.model, 'qwen3.5-397b-a17b-fp8');
    // A per-tensor fp8 row of the same repository keeps the 16-bit entry (quantized as the row says).
    assert.equal(rowModelOf({ ...row('qwen35B200'), moe_quant_mode: 'fp8' })?.id, 'qwen3.5-397b-a17b');
    // A checkpoint already in fp8 is itself.
    assert.equal(rowModelOf(row('sglangB200'))?.id, 'deepseek-v3');
  });

  it("a gap-analysis fp8 row on a 16-bit repository runs its publisher's block-scaled FP8 checkpoint", () => {
    // AIConfigurator's quant modes keep fp8_block for TensorRT-LLM's DeepSeek; its automation serves
    // Qwen/Qwen3-32B-FP8 (128 × 128 blocks) for QWEN3_32B at 1.0.0rc3 (tools/automation/config.env).
    const model = rowModelOf(row('trtQwen32H100'));
    assert.equal(model?.id, 'qwen3-32b-fp8');
    assert.equal(model?.checkpointFormat?.groupSize, 128 * 128);
    const mapped = mapRow(row('trtQwen32H100'));
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.model, 'qwen3-32b-fp8');
    // The same label from another source keeps the 16-bit entry (quantized per tensor, as the row says).
    const elsewhere = {
      ...row('trtQwen32H100'),
      silicon_data_source: 'source_file=2026-04-06.csv; silicon_concurrency=64',
    };
    assert.equal(rowModelOf(elsewhere)?.id, 'qwen3-32b');
  });

  it("a fp8_block row naming the publisher's former organisation finds its FP8 checkpoint", () => {
    // zhipuai/GLM-5 with moe_quant_mode fp8_block: InferenceMAX served zai-org/GLM-5-FP8, block-scaled.
    const model = rowModelOf(row('glmB200'));
    assert.equal(model?.id, 'glm-5-fp8');
    assert.equal(model?.checkpointFormat?.dtype, 'fp8');
    assert.equal(model?.checkpointFormat?.groupSize, 128 * 128);
    const mapped = mapRow(row('glmB200'));
    assert.ok(mapped.modelled);
    assert.equal(mapped.job.config.model, 'glm-5-fp8');
    assert.equal(rowModelOf({ ...row('glmB200'), moe_quant_mode: 'fp8' })?.id, 'glm-5');
  });

  it("GLM-5 FP8 on B200 runs its script's fp8 KV, flashinfer_trtllm MoE, 32k chunk and CONC requests", () => {
    // InferenceMAX glm5_fp8_b200.sh: --kv-cache-dtype fp8_e4m3 --moe-runner-backend flashinfer_trtllm
    // --max-running-requests $CONC --chunked-prefill-size 32768 --mem-fraction-static 0.85.
    assert.equal(kvChoiceOf(row('glmB200')).from, 'launch');
    assert.equal(moeBackendOf(row('glmB200'), 4), 'trtllm-gen');
    const mapped = mapRow(row('glmB200'));
    assert.ok(mapped.modelled && mapped.job.config.deployment.kind === 'colocated');
    const scheduler = mapped.job.config.deployment.pool.scheduler;
    assert.equal(scheduler.maxNumSeqs, 4);
    assert.equal(scheduler.chunkedPrefillSize, 32768);
    assert.equal(mapped.job.config.engine?.moeBackend, 'trtllm-gen');
  });

  it("Qwen3.5 FP8 on B300 with SGLang 0.5.10.post1 runs its script's limits, recv interval and MoE runner", () => {
    // InferenceMAX qwen3.5_fp8_b300.sh: --max-running-requests $CONC --chunked-prefill-size 16384
    // --scheduler-recv-interval 10 --mem-fraction-static 0.8 --moe-runner-backend flashinfer_trtllm.
    assert.deepEqual(launchLimitsOf(row('qwen35B300'), 4), {
      maxBatchSize: 4,
      maxNumTokens: 16384,
      maxPrefillTokens: 16384,
      schedulerRecvInterval: 10,
      memFractionStatic: 0.8,
    });
    assert.equal(moeBackendOf(row('qwen35B300'), 4), 'trtllm-gen');
    // The 0.5.9 rows of the same GPU and model ran another script version: engine defaults.
    assert.equal(launchLimitsOf(row('qwen35B300Older'), 4), undefined);
    assert.equal(moeBackendOf(row('qwen35B300Older'), 4), undefined);
  });
});
