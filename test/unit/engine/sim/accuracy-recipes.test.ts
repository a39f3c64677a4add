// The accuracy benchmark's disaggregated recipes (bench/accuracy/disagg-recipes.json): worker counts and
// engine limits of rows that do not record them, on real rows copied from silicon-calibration.csv.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attentionDpBalanceOf } from '../../../../bench/accuracy/attention-dp.js';
import {
  DISAGG_RECIPES,
  namesImage,
  recipeLimits,
  recipeOf,
} from '../../../../bench/accuracy/disagg-recipes.js';
import { mapRow, type RowMapping } from '../../../../bench/accuracy/map-row.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';
import type { SimulationJob } from '../../../../bench/accuracy/simulation-job.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const IMAGE = 'image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1';
const SGLANG_IMAGE = 'lmsysorg/sglang:v0.5.8.post1-cu130-runtime';
const ROWS = {
  // No worker counts; its concurrency ran one recipe (STP, 1 prefill + 6 TEP8 decode workers of batch 64).
  c450: `2026_03_25_deepseek_r1_b200_sxm_trtllm_fp4_disagg_1024x1024_c450_tp4_0_ep4_0_1170,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=450; measured=2026-01-29T15:52:16Z; wip=False; ${IMAGE},trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,4,1,1,1,4,,,8,1,1,2,4,2434.4647734851783,13.84172612054916`,
  // Its concurrency ran with and without MTP: which one this row measured is not recorded.
  c10: `2026_04_06_deepseek_r1_b200_sxm_trtllm_fp4_disagg_1024x1024_c10_tp4_ep4_1525,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=10; measured=2026-01-29T00:00:00.000Z; wip=False; ${IMAGE},trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,4,1,1,1,4,,,8,1,1,2,4,193.28303104965016,3.456360395871093`,
  // Only an MTP recipe ran this concurrency.
  c875: `2026_04_06_deepseek_r1_b200_sxm_trtllm_fp4_disagg_1024x1024_c875_tp4_ep4_1532,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=875; measured=2026-01-29T00:00:00.000Z; wip=False; ${IMAGE},trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,4,1,1,1,4,,,8,1,1,2,4,3507.3009955925468,9.378049420440854`,
  // Worker counts recorded; c180 ran with and without MTP, but its configuration (config_id 320) also
  // ran 8k/1k at c100, which only the STP recipe did.
  cfg320c180:
    'dsr1_b200_trtllm_fp4_disagg_1024x1024_c180_cfg320,db-dump/2026-04-27; config_id=320; silicon_concurrency=180; measured=2026-01-29T00:00:00.000Z; workflow_run_id=247; nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1,trtllm,0.8.1.post1,deepseek-ai/DeepSeek-V3,b200_sxm,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,1,1,1,1,4,1,4,36,5,8,1,1,1,8,1416.5139636035829,10.976183676405586',
  cfg320c100:
    'dsr1_b200_trtllm_fp4_disagg_8192x1024_c100_cfg320,db-dump/2026-04-27; config_id=320; silicon_concurrency=100; measured=2026-01-29T00:00:00.000Z; workflow_run_id=247; nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1,trtllm,0.8.1.post1,deepseek-ai/DeepSeek-V3,b200_sxm,fp4,disagg,8192,1024,nvfp4,nvfp4,,,,,,,1,1,1,1,4,1,4,20,5,8,1,1,1,8,3147.246426399681,9.782847974237518',
  // Its export writes the image nvcr.io#nvidia/…, as the configuration does (dsr1-fp4-gb300-dynamo-trt).
  gb300c24:
    '2026_03_25_deepseek_r1_gb300_trtllm_fp4_disagg_1024x1024_c24_tp2_0_ep2_0_1090,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=24; measured=2026-02-03T17:15:06Z; wip=False; image=nvcr.io#nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post2,trtllm,0.8.1.post2,deepseek-ai/DeepSeek-R1,gb300,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,2,1,1,1,2,,,8,1,1,4,2,404.0352574835803,4.355970472100667',
  // dsr1-fp8-b300-dynamo-trt. 8k/1k c10: not in the configuration's conc-lists, but the recipe file
  // ctx1_gen8_tp8_batch2_eplb0_mtp0_16.yaml (listed at c16) runs [10].
  b300c10:
    '2026_04_06_deepseek_r1_b300_sxm_trtllm_fp8_disagg_8192x1024_c10_tp4_ep1_1812,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=10; measured=2026-02-12T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1,trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b300_sxm,fp8,disagg,8192,1024,fp8,fp8,,,,,,,,,4,1,1,4,1,,,8,1,1,8,1,1967.1537448558956,7.250791637843074',
  // 1k/1k c12: the configuration's ctx1_gen8_tp8_batch64_eplb0_mtp0_12.yaml, a file that now runs [10]
  // with max_batch_size 1.
  b300c12:
    '2026_04_06_deepseek_r1_b300_sxm_trtllm_fp8_disagg_1024x1024_c12_tp4_ep1_1728,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=12; measured=2026-02-07T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1,trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b300_sxm,fp8,disagg,1024,1024,fp8,fp8,,,,,,,,,4,1,1,4,1,,,8,1,1,8,1,182.91671759216115,8.35778461299247',
  // 8k/1k c256: two STP deployments (2 prefill + 1 DP8 decode, 3 prefill + 5 TP8 decode) ran it.
  b300c256:
    '2026_04_06_deepseek_r1_b300_sxm_trtllm_fp8_disagg_8192x1024_c256_tp4_ep1_1695,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=256; measured=2026-02-12T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1,trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b300_sxm,fp8,disagg,8192,1024,fp8,fp8,,,,,,,,,4,1,1,4,1,,,8,1,1,8,1,1897.350053619266,20.4233339842811',
  // gptoss-fp4-gb200-dynamo-trt at c16: 1 prefill worker of TP1 and 4 decode workers of TP2, the limits in
  // the entry's own additional-settings (DECODE_MAX_BATCH_SIZE=32, PREFILL_MAX_NUM_TOKENS=20000).
  gptossC16:
    '2026_03_25_gpt_oss_120b_gb200_trtllm_fp4_disagg_1024x1024_c16_tp1_0_ep1_0_1278,source_file=2026-03-25.csv; model=GPT-OSS-120B; silicon_concurrency=16; measured=2026-01-07T15:36:44Z; wip=False; image=nvcr.io#nvidia/ai-dynamo/tensorrtllm-runtime:0.7.0.post2,trtllm,0.7.0.post2,openai/gpt-oss-120b,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,2,1,1,2,1,61.942796335642925,2.5885168451430465',
  // SGLang, no worker counts: two exports of gb300 fp4 1k/1k at c2048, one per recipe that ran it
  // (decode DEP48: max_tpt.yaml; decode DEP32: mid_curve.yaml), both 4 prefill workers of DEP4.
  sglangDep48: `2026_03_25_deepseek_r1_gb300_sglang_fp4_disagg_1024x1024_c2048_tp4_0_ep4_0_770,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=2048; measured=2026-02-12T00:44:37Z; wip=False; image=${SGLANG_IMAGE},sglang,0.5.8.post1,deepseek-ai/DeepSeek-R1,gb300,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,4,1,1,1,4,,,48,1,1,12,4,1241.0308127203762,15.258052610238442`,
  // SGLang gb200 fp4 1k/1k c8 with worker counts (1 TP4 prefill, 2 TP4 decode workers): low-latency.yaml,
  // whose prefill and decode servers run --scheduler-recv-interval 10.
  sglangLowLatency:
    'dsr1_gb200_sglang_fp4_disagg_1024x1024_c8_cfg486,db-dump/2026-04-27; config_id=486; silicon_concurrency=8; measured=2026-02-08T00:00:00.000Z; workflow_run_id=268; lmsysorg/sglang:v0.5.8-cu130,sglang,0.5.8,deepseek-ai/DeepSeek-V3,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,1,1,4,1,1,4,1,4,2,4,1,1,4,1,297.43168551358394,7.178293724618897',
  // SGLang gb200 fp4 1k/1k c2048 of Dec 2025 (image v0.5.5.post2): the configuration's tp: 1 recorded, its
  // pools 4 prefill workers of DEP4 and one DEP48 decode worker run by Dynamo's 1k1k-middle-curve.sh.
  sglangDec2025Dep48:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_1024x1024_c2048_tp1_ep1_1197,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=2048; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,2074.4397656439105,17.785910902460714',
  // The same configuration's 8k/1k rows of Dec 2025: c4 ran 8k1k-low-latency.sh (1 TP4 prefill, 4 TP4
  // decode workers), c1024 ran in both the middle-curve and max-tpt entries, c8192 only in max-tpt, whose
  // script (8k1k-max-tpt.sh) is not stored.
  sglangDec2025LowLatency8k:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_8192x1024_c4_tp1_ep1_1193,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=4; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,8192,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,352.08846549503505,7.574944095937089',
  // The configuration's 1k/1k bottom of curve (c4–c64): SCRIPT_MODE=1k1k-low-latency, 1 prefill and 2
  // decode workers of one node each.
  sglangDec2025LowLatency1k:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_1024x1024_c8_tp1_ep1_1990,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=8; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,293.79077112535015,7.471419681128073',
  // The same runs in a database dump, with worker counts and the configuration's labels as degrees
  // (a 4-GPU worker as TP1 × 4 attention-DP ranks where it says dp-attn, else as TP4).
  sglangDec2025LowLatency1kDump:
    'dsr1_gb200_sglang_fp4_disagg_1024x1024_c8_cfg252,db-dump/2026-04-27; config_id=252; silicon_concurrency=8; measured=2025-12-21T00:00:00.000Z; workflow_run_id=227; lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-V3,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,1,1,1,1,4,4,1,1,2,1,1,4,4,1,293.79077112535015,7.471419681128073',
  sglangDec2025LowLatency8kDump:
    'dsr1_gb200_sglang_fp4_disagg_8192x1024_c32_cfg255,db-dump/2026-04-27; config_id=255; silicon_concurrency=32; measured=2025-12-21T00:00:00.000Z; workflow_run_id=227; lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-V3,gb200,fp4,disagg,8192,1024,nvfp4,nvfp4,,,,,,,1,1,4,1,1,4,1,2,4,1,1,4,4,1,1082.876710925484,9.261366028170182',
  sglangDec2025Both8k:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_8192x1024_c1024_tp1_ep1_1205,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=1024; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,8192,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,12885.980097311767,16.28865219987436',
  sglangDec2025MaxTpt8k:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_8192x1024_c8192_tp1_ep1_1196,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=8192; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,8192,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,104169.7003534269,21.15121877466642',
  // dsr1-fp8-gb200-dynamo-sglang of Dec 2025 in a database dump: 8k/1k c2048 (SCRIPT_MODE=8k1k-max-tpt, 5
  // prefill workers of 2 nodes, one decode worker of 8) and 1k/1k c4096 (1k1k-max-tpt, top of curve: 2
  // prefill workers of 2 nodes, one decode worker of 8), each 8-GPU worker recorded as 8 attention-DP ranks.
  sglangDec2025Fp8MaxTpt8k:
    'dsr1_gb200_sglang_fp8_disagg_8192x1024_c2048_cfg253,db-dump/2026-04-27; config_id=253; silicon_concurrency=2048; measured=2025-12-21T00:00:00.000Z; workflow_run_id=227; lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-V3,gb200,fp8,disagg,8192,1024,fp8,fp8_block,,,,,,,1,5,1,1,8,8,1,64,1,1,1,32,32,1,13233.085852793329,25.310788830443716',
  sglangDec2025Fp8MaxTpt1k:
    'dsr1_gb200_sglang_fp8_disagg_1024x1024_c4096_cfg236,db-dump/2026-04-27; config_id=236; silicon_concurrency=4096; measured=2025-12-21T00:00:00.000Z; workflow_run_id=227; lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-V3,gb200,fp8,disagg,1024,1024,fp8,fp8_block,,,,,,,1,2,1,1,8,8,1,128,1,1,1,32,32,1,4059.4120494029316,32.802479927459345',
  // dsr1-fp8-b200-dynamo-sglang, rows without worker counts: 1k/1k c256 ran only the STP recipe
  // low-latency-tep8-1p3d.yaml; c8 only an MTP recipe; c4 both.
  sglangB200Fp8c256:
    '2026_03_25_deepseek_r1_b200_sxm_sglang_fp8_disagg_1024x1024_c256_tp8_0_ep8_0_541,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=256; measured=2026-03-18T21:01:05Z; wip=False; image=lmsysorg/sglang:v0.5.8.post1-cu130-amd64,sglang,0.5.8.post1,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,disagg,1024,1024,fp8,fp8_block,,,,,,,,,8,1,1,1,8,,,8,1,1,1,8,1185.2021245236756,23.95031999261264',
  sglangB200Fp8c8:
    '2026_03_25_deepseek_r1_b200_sxm_sglang_fp8_disagg_1024x1024_c8_tp8_0_ep8_0_534,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=8; measured=2026-03-18T21:01:05Z; wip=False; image=lmsysorg/sglang:v0.5.8.post1-cu130-amd64,sglang,0.5.8.post1,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,disagg,1024,1024,fp8,fp8_block,,,,,,,,,8,1,1,1,8,,,8,1,1,1,8,284.0365712152561,5.404167100082307',
  sglangB200Fp8c4:
    '2026_03_25_deepseek_r1_b200_sxm_sglang_fp8_disagg_1024x1024_c4_tp8_0_ep8_0_532,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=4; measured=2026-03-18T21:01:05Z; wip=False; image=lmsysorg/sglang:v0.5.8.post1-cu130-amd64,sglang,0.5.8.post1,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,disagg,1024,1024,fp8,fp8_block,,,,,,,,,8,1,1,1,8,,,8,1,1,1,8,214.33846288127825,9.803760119498524',
  // The same configuration's top of curve at c12000: 1k1k-max-tpt.sh, one DEP32 decode worker.
  sglangDec2025Dep32:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_1024x1024_c12000_tp1_ep1_1992,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=12000; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,19595.860060731367,45.38905958755272',
  sglangDep32: `2026_04_06_deepseek_r1_gb300_sglang_fp4_disagg_1024x1024_c2048_tp4_ep4_1817,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=2048; measured=2026-02-12T00:00:00.000Z; wip=False; image=${SGLANG_IMAGE},sglang,0.5.8.post1,deepseek-ai/DeepSeek-R1,gb300,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,4,1,1,1,4,,,32,1,1,8,4,1168.97318209316,16.568769688752795`,
  // Kimi-K2.5 nvfp4 on GB200, vLLM 0.18.0 through Dynamo (config_id 698): the export records the prefill
  // worker TP4 × EP4, which srt-slurm's 8k/1k and 1k/1k 1p4d recipes run TP1 × DP4 × EP4. config_id 697
  // (one prefill worker, one 16-GPU decode worker, 1k/1k) has no stored recipe.
  vllmKimi8k:
    'kimik2_5_gb200_vllm_fp4_disagg_8192x1024_c128_cfg698,db-dump/2026-04-27; config_id=698; silicon_concurrency=128; measured=2026-04-07T00:00:00.000Z; workflow_run_id=721; vllm/vllm-openai:v0.18.0-cu130,vllm,0.18.0,moonshotai/Kimi-K2.5,gb200,fp4,disagg,8192,1024,nvfp4,nvfp4,,,,,,,1,1,4,1,1,1,4,32,4,4,1,1,1,4,11635.647241672268,12.7977849804916',
  vllmKimi697:
    'kimik2_5_gb200_vllm_fp4_disagg_1024x1024_c256_cfg697,db-dump/2026-04-27; config_id=697; silicon_concurrency=256; measured=2026-04-07T00:00:00.000Z; workflow_run_id=721; vllm/vllm-openai:v0.18.0-cu130,vllm,0.18.0,moonshotai/Kimi-K2.5,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,1,1,4,1,1,1,4,256,1,16,1,1,1,16,564.2877826157928,19.037631944985048',
  vllmKimi1k:
    'kimik2_5_gb200_vllm_fp4_disagg_1024x1024_c4_cfg698,db-dump/2026-04-27; config_id=698; silicon_concurrency=4; measured=2026-04-07T00:00:00.000Z; workflow_run_id=721; vllm/vllm-openai:v0.18.0-cu130,vllm,0.18.0,moonshotai/Kimi-K2.5,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,1,1,4,1,1,1,4,1,4,4,1,1,1,4,247.2690472844988,6.8873289096816',
  // dsr1-fp8-b300-dynamo-trt, one recipe each: ctx5_gen1_dp8_batch128_eplb0_mtp0_1075.yaml (decode
  // moe_expert_parallel_size 1) and ctx7_gen1_dep8_batch384_eplb0_mtp0_3072.yaml (8); prefill 1 in both.
  b300c1075:
    '2026_04_06_deepseek_r1_b300_sxm_trtllm_fp8_disagg_8192x1024_c1075_tp4_ep1_1717,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=1075; measured=2026-02-12T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1,trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b300_sxm,fp8,disagg,8192,1024,fp8,fp8,,,,,,,,,4,1,1,4,1,,,8,1,1,8,1,4418.31564740018,48.79894049348846',
  b300c3072:
    '2026_04_06_deepseek_r1_b300_sxm_trtllm_fp8_disagg_8192x1024_c3072_tp4_ep1_1727,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=3072; measured=2026-02-12T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1,trtllm,0.8.1.post1,deepseek-ai/DeepSeek-R1,b300_sxm,fp8,disagg,8192,1024,fp8,fp8,,,,,,,,,4,1,1,4,1,,,8,1,1,8,1,7467.884118513894,88.31228065531148',
  // An SGLang prefill recorded as attention DP 8 with moe_tp 8, moe_ep 1 (db-dump config_id 641).
  sglangCfg641:
    'dsr1_b200_sglang_fp8_disagg_8192x1024_c160_cfg641,db-dump/2026-04-27; config_id=641; silicon_concurrency=160; measured=2026-03-18T00:00:00.000Z; workflow_run_id=329; lmsysorg/sglang:v0.5.8.post1-cu130-amd64,sglang,0.5.8.post1,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,disagg,8192,1024,fp8,fp8_block,,,,,,,1,1,1,1,8,8,1,20,1,1,1,8,1,8,4885.6303526010015,29.273503824850664',
};
const row = (line: string): SiliconRow => parseSiliconCsv(`${HEADER}\n${line}\n`, 'test.csv')[0];

function jobOf(mapping: RowMapping): SimulationJob {
  assert.ok(mapping.modelled, mapping.modelled ? '' : mapping.reason);
  return mapping.job;
}

function disaggregated(job: SimulationJob) {
  const deployment = job.config.deployment;
  assert.equal(deployment.kind, 'disaggregated');
  return deployment;
}

describe('accuracy benchmark: disaggregated recipes', () => {
  it('every entry cites where its deployment and its limits were read', () => {
    assert.ok(DISAGG_RECIPES.length > 0);
    for (const e of DISAGG_RECIPES) {
      assert.match(e.source.commit, /^[0-9a-f]{40}$/);
      // A recipe file, or the Dynamo launch script a configuration's SCRIPT_MODE runs.
      assert.match(e.recipe.path, /\.yaml$|\/slurm_jobs\/scripts\/.+\.sh$/);
      assert.match(e.recipe.commit, /^[0-9a-f]{40}$/);
      // TensorRT-LLM recipes all set max_batch_size; an SGLang decode worker may run the engine's default.
      if (e.speculative === 'none' && e.backend === 'trtllm')
        assert.ok(e.decode.maxBatchSize, `${e.recipe.path}: decode limit`);
    }
  });

  it('a row without worker counts runs its recipe: workers, degrees and engine limits', () => {
    const job = jobOf(mapRow(row(ROWS.c450)));
    const d = disaggregated(job);
    // 1 prefill worker of attention DP 4 (TP4 EP4); 6 decode workers of TP8 EP8 attention.
    assert.deepEqual([d.prefill.plan.tp, d.prefill.plan.dp * job.parts, d.prefill.plan.ep], [1, 4, 4]);
    assert.deepEqual([d.decode.plan.tp, d.decode.plan.dp * job.parts, d.decode.plan.ep], [8, 6, 8]);
    // The recipe's limits, even where below the clients per worker (450 / 6 = 75 > 64).
    assert.equal(d.decode.scheduler.maxNumSeqs, 64);
    assert.equal(d.prefill.scheduler.maxNumSeqs, 8);
    assert.equal(d.prefill.scheduler.maxNumBatchedTokens, 10240);
  });

  it('a concurrency run with and without MTP is ambiguous', () => {
    const ambiguous = mapRow(row(ROWS.c10));
    assert.equal(ambiguous.modelled, false);
    assert.match(ambiguous.modelled ? '' : ambiguous.reason, /with and without MTP/);
  });

  it("an MTP recipe's row decodes with MTP of the recipe's k at the default acceptance", () => {
    // c875 ran only ctx1_gen5_dep8_batch16_eplb0_mtp3: num_nextn_predict_layers 3.
    const job = jobOf(mapRow(row(ROWS.c875)));
    const d = disaggregated(job);
    assert.deepEqual(d.decode.speculation, { method: 'mtp', k: 3 });
    // The prefill pool is given none of its own: the simulator loads the decode pool's drafter there.
    assert.equal(d.prefill.speculation, undefined);
    assert.deepEqual([d.decode.plan.tp, d.decode.plan.dp * job.parts, d.decode.plan.ep], [1, 40, 8]);
    assert.match(job.description, /mtp k=3/);
  });

  it("an MTP recipe's row runs its recipe file's limits: a decode batch below the clients queues them", () => {
    // ctx1_gen5_dep8_batch16_eplb0_mtp3.yaml: decode max_batch_size 16 per attention-DP rank (40 ranks
    // for 875 clients), prefill max_batch_size 8 and max_num_tokens 10240.
    const job = jobOf(mapRow(row(ROWS.c875)));
    const d = disaggregated(job);
    assert.equal(d.decode.scheduler.maxNumSeqs, 16);
    assert.equal(d.prefill.scheduler.maxNumSeqs, 8);
    assert.equal(d.prefill.scheduler.maxNumBatchedTokens, 10240);
  });

  it('every srt-slurm TensorRT-LLM recipe, MTP included, gives its decode and prefill limits', () => {
    for (const e of DISAGG_RECIPES) {
      if (e.backend !== 'trtllm' || e.recipe.repo !== 'connorcarpenter15/srt-slurm') continue;
      assert.ok(e.decode.maxBatchSize, `${e.recipe.path}: decode limit`);
      assert.ok(e.prefill.maxBatchSize && e.prefill.maxNumTokens, `${e.recipe.path}: prefill limits`);
      // Every MTP file read sets the decode max_batch_size its name gives (…_batch256_…); some STP files
      // were edited after they were named, so the name is a check of the transcription, not a source.
      const named = /_batch(\d+)_/.exec(e.recipe.path)?.[1];
      if (e.speculative === 'mtp') assert.equal(e.decode.maxBatchSize, Number(named), e.recipe.path);
    }
  });

  it("a disaggregated TensorRT-LLM row's attention-DP ranks do not balance prompts; aggregated ones do", () => {
    // The recipe files set no attention_dp_config (TensorRT-LLM's default: no balancing), where
    // InferenceMAX's aggregated launch sets enable_balance with timeout_iters 60.
    const job = jobOf(mapRow(row(ROWS.c875)));
    const d = disaggregated(job);
    assert.equal(d.decode.scheduler.attentionDpBalanceIters, undefined);
    assert.equal(d.prefill.scheduler.attentionDpBalanceIters, undefined);
    const plan = d.decode.plan;
    assert.deepEqual(attentionDpBalanceOf('trtllm', plan, row(ROWS.c875), false), {
      attentionDpBalanceIters: 60,
    });
    assert.deepEqual(attentionDpBalanceOf('trtllm', plan, row(ROWS.c875), true), {});
  });

  it('every MTP entry, and only those, gives its speculative tokens', () => {
    for (const e of DISAGG_RECIPES) {
      if (e.speculative === 'mtp') assert.ok(e.mtpTokens !== undefined || e.recipeUnread, e.recipe.path);
      else assert.equal(e.mtpTokens, undefined, e.recipe.path);
      // The recipe files name their MTP depth (…_mtp3.yaml); one names none (…_mtp.yaml, read as 3).
      const named = /_mtp(\d+)(_\d+)?\.yaml$/.exec(e.recipe.path)?.[1];
      if (e.speculative === 'mtp' && named) assert.equal(e.mtpTokens, Number(named), e.recipe.path);
    }
  });

  it("a row's configuration settles which recipe ran it, and its limits apply", () => {
    const fileRows = [row(ROWS.cfg320c180), row(ROWS.cfg320c100)];
    assert.equal(recipeOf(fileRows[0], 180).kind, 'ambiguous');
    const settled = recipeOf(
      fileRows[0],
      180,
      fileRows.map((r, i) => ({ row: r, concurrency: [180, 100][i] })),
    );
    assert.equal(settled.kind, 'found');
    const job = jobOf(mapRow(fileRows[0], { fileRows }));
    assert.equal(disaggregated(job).decode.scheduler.maxNumSeqs, 32);
    // Alone, the row keeps its own counts and a batch limit that admits every client.
    const alone = jobOf(mapRow(fileRows[0]));
    assert.ok((disaggregated(alone).decode.scheduler.maxNumSeqs ?? 0) >= 36);
  });

  it("a row whose source writes its image nvcr.io#nvidia/… matches the configuration's image", () => {
    assert.ok(namesImage('image=nvcr.io#nvidia/ai-dynamo/x:1', 'nvcr.io/nvidia/ai-dynamo/x:1'));
    assert.ok(namesImage('image=nvcr.io/nvidia/ai-dynamo/x:1', 'nvcr.io#nvidia/ai-dynamo/x:1'));
    assert.ok(!namesImage('image=nvcr.io#nvidia/ai-dynamo/x:1', 'nvcr.io/nvidia/ai-dynamo/x:2'));
    const match = recipeOf(row(ROWS.gb300c24), 24);
    assert.notEqual(match.kind, 'none');
    assert.equal(
      match.kind === 'none' ? '' : 'entry' in match ? match.entry.config : '',
      'dsr1-fp4-gb300-dynamo-trt',
    );
  });

  it("a concurrency only the recipe file runs fits its entry, with the file's limits", () => {
    const match = recipeOf(row(ROWS.b300c10), 10);
    assert.equal(match.kind, 'found');
    assert.match(match.kind === 'found' ? match.entry.recipe.path : '', /ctx1_gen8_tp8_batch2_eplb0_mtp0_16/);
    const d = disaggregated(jobOf(mapRow(row(ROWS.b300c10))));
    assert.equal(d.decode.scheduler.maxNumSeqs, 1);
  });

  it("a concurrency the recipe file does not run keeps the deployment but not the file's limits", () => {
    const job = jobOf(mapRow(row(ROWS.b300c12)));
    const d = disaggregated(job);
    // 8 decode workers of TP8, as the configuration says; the file's max_batch_size 1 is not applied.
    assert.deepEqual([d.decode.plan.tp, d.decode.plan.dp * job.parts], [8, 8]);
    assert.ok((d.decode.scheduler.maxNumSeqs ?? 0) >= 2);
    assert.notEqual(d.prefill.scheduler.maxNumBatchedTokens, 8320);
  });

  it('a concurrency run in two deployments of the same mode is ambiguous, and says so', () => {
    const mapping = mapRow(row(ROWS.b300c256));
    assert.equal(mapping.modelled, false);
    assert.match(mapping.modelled ? '' : mapping.reason, /several deployments/);
  });

  it("a configuration's own engine settings serve as its limits", () => {
    const job = jobOf(mapRow(row(ROWS.gptossC16)));
    const d = disaggregated(job);
    assert.deepEqual([d.decode.plan.tp, d.decode.plan.dp * job.parts], [2, 4]);
    assert.equal(d.decode.scheduler.maxNumSeqs, 32);
    assert.equal(d.prefill.scheduler.maxNumBatchedTokens, 20000);
  });

  it("SGLang's limits are the server's, read per attention-DP rank", () => {
    // mid_curve.yaml's decode: --max-running-requests 67584, --chunked-prefill-size 786432 over DP 32.
    const decode = {
      workers: 1,
      tp: 32,
      ep: 32,
      attentionDp: true,
      maxRunningRequests: 67584,
      chunkedPrefillSize: 786432,
    };
    // 786432 / 32 = 24576, above the engine's default --max-prefill-tokens of 16384.
    assert.deepEqual(recipeLimits(decode), { maxBatchSize: 2112, maxNumTokens: 16384 });
    // Its prefill: 65536 / 4 = 16384 per rank, under its --max-prefill-tokens 32768.
    const prefill = {
      workers: 4,
      tp: 4,
      ep: 4,
      attentionDp: true,
      maxRunningRequests: 30000,
      chunkedPrefillSize: 65536,
      maxPrefillTokens: 32768,
    };
    assert.deepEqual(recipeLimits(prefill), { maxBatchSize: 7500, maxNumTokens: 16384 });
    // Without attention DP the server is one scheduler: its flags as written.
    const tp = {
      workers: 10,
      tp: 4,
      ep: 1,
      attentionDp: false,
      maxRunningRequests: 30000,
      chunkedPrefillSize: 131072,
      maxPrefillTokens: 524288,
    };
    assert.deepEqual(recipeLimits(tp), { maxBatchSize: 30000, maxNumTokens: 131072 });
    // TensorRT-LLM's are per rank already.
    const trt = { workers: 2, tp: 8, ep: 8, attentionDp: true, maxBatchSize: 64, maxNumTokens: 8192 };
    assert.deepEqual(recipeLimits(trt), { maxBatchSize: 64, maxNumTokens: 8192 });
  });

  it('an SGLang row without worker counts runs the recipe whose decode width it records', () => {
    const wide = disaggregated(jobOf(mapRow(row(ROWS.sglangDep48))));
    // 4 prefill workers of DEP4; 1 decode worker of DEP48 (--max-running-requests 67584 / 48 = 1408).
    assert.deepEqual([wide.prefill.plan.tp, wide.prefill.plan.dp, wide.prefill.plan.ep], [1, 16, 4]);
    assert.deepEqual([wide.decode.plan.tp, wide.decode.plan.dp, wide.decode.plan.ep], [1, 48, 48]);
    assert.equal(wide.decode.scheduler.maxNumSeqs, 1408);
    // --ep-num-redundant-experts 32: 256 + 32 expert slots, 6 on each of the 48 ranks.
    assert.equal(wide.decode.plan.redundantExperts, 32);
    assert.equal(wide.prefill.plan.redundantExperts, undefined);
    assert.equal(wide.prefill.scheduler.maxNumBatchedTokens, 16384);
    // --moe-a2a-backend deepep --deepep-mode low_latency on the decode pool; the fp4 prefill pool sets none.
    assert.equal(wide.decode.plan.allToAll, 'deepep-low-latency');
    assert.equal(wide.prefill.plan.allToAll, undefined);
    const mid = disaggregated(jobOf(mapRow(row(ROWS.sglangDep32))));
    assert.deepEqual([mid.decode.plan.dp, mid.decode.scheduler.maxNumSeqs], [32, 2112]);
  });

  it("a DEP48 decode pool runs its launch script's redundant experts, DeepEP and limits", () => {
    const job = disaggregated(jobOf(mapRow(row(ROWS.sglangDec2025Dep48))));
    assert.deepEqual([job.decode.plan.tp, job.decode.plan.dp, job.decode.plan.ep], [1, 48, 48]);
    // --ep-num-redundant-experts 32: 256 + 32 slots, 6 per rank (256 alone do not divide over 48).
    assert.equal(job.decode.plan.redundantExperts, 32);
    assert.equal(job.decode.plan.allToAll, 'deepep-low-latency');
    // --max-running-requests 67584 over 48 ranks; the prefill's 30000 over its 4 ranks.
    assert.equal(job.decode.scheduler.maxNumSeqs, 1408);
    assert.equal(job.prefill.scheduler.maxNumSeqs, 7500);
    assert.equal(job.prefill.plan.allToAll, undefined);
    // 1k1k-max-tpt.sh sets the same flags on its DEP32 decode worker (256 + 32 slots, 9 per rank).
    const top = disaggregated(jobOf(mapRow(row(ROWS.sglangDec2025Dep32))));
    assert.deepEqual([top.decode.plan.dp, top.decode.plan.redundantExperts], [32, 32]);
    assert.equal(top.decode.plan.allToAll, 'deepep-low-latency');
    assert.equal(top.decode.scheduler.maxNumSeqs, 2112);
  });

  it('an attention-DP pool of moe_expert_parallel_size 1 runs MoE TP over its ranks', () => {
    const sharded = disaggregated(jobOf(mapRow(row(ROWS.b300c1075))));
    // Prefill TP4 attention DP and decode TP8 attention DP, both moe_expert_parallel_size 1: moe_tp 4 and 8.
    assert.equal(sharded.prefill.plan.moeTensorParallel, true);
    assert.equal(sharded.decode.plan.moeTensorParallel, true);
    assert.deepEqual([sharded.decode.plan.tp, sharded.decode.plan.ep], [1, 8]);
    const dep8 = disaggregated(jobOf(mapRow(row(ROWS.b300c3072))));
    // moe_expert_parallel_size 8: whole experts, the all-to-all.
    assert.equal(dep8.decode.plan.moeTensorParallel, undefined);
    assert.equal(dep8.prefill.plan.moeTensorParallel, true);
    // TensorRT-LLM's Mapping is the source: another engine's record of the same degrees keeps EP.
    assert.equal(
      disaggregated(jobOf(mapRow(row(ROWS.sglangCfg641)))).prefill.plan.moeTensorParallel,
      undefined,
    );
  });

  it('an nvfp4 DeepEP decode pool dispatches NVFP4 where its recipe sets SGLANG_MOE_NVFP4_DISPATCH=1', () => {
    // max_tpt.yaml's decode_environment sets it; 1k1k-max-tpt.sh, SGLANG_CUTEDSL_MOE_NVFP4_DISPATCH=1.
    assert.equal(jobOf(mapRow(row(ROWS.sglangDep48))).config.engine?.nvfp4Dispatch, true);
    assert.equal(jobOf(mapRow(row(ROWS.sglangDec2025Dep32))).config.engine?.nvfp4Dispatch, true);
    // low_latency.yaml runs no DeepEP and sets none.
    assert.equal(jobOf(mapRow(row(ROWS.sglangLowLatency))).config.engine?.nvfp4Dispatch, undefined);
  });

  it('an nvfp4 pair runs q_b_proj in fp8 where its recipe sets SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1', () => {
    // max_tpt.yaml's prefill_environment and decode_environment both set it; 1k1k-max-tpt.sh both commands.
    assert.equal(jobOf(mapRow(row(ROWS.sglangDep48))).config.engine?.fp8QBProj, true);
    assert.equal(jobOf(mapRow(row(ROWS.sglangDec2025Dep32))).config.engine?.fp8QBProj, true);
    // low_latency.yaml sets neither.
    assert.equal(jobOf(mapRow(row(ROWS.sglangLowLatency))).config.engine?.fp8QBProj, undefined);
  });

  it('a Dec 2025 row runs the degrees and limits of the script its SCRIPT_MODE ran, where it is stored', () => {
    const low = disaggregated(jobOf(mapRow(row(ROWS.sglangDec2025LowLatency8k))));
    // --tp-size 4 --dp-size 1 --ep-size 1 on both pools: TP attention and TP experts, whatever the
    // configuration's dp-attn says.
    assert.deepEqual([low.prefill.plan.tp, low.prefill.plan.dp, low.prefill.plan.ep], [4, 1, 1]);
    assert.deepEqual([low.decode.plan.tp, low.decode.plan.dp, low.decode.plan.ep], [4, 4, 1]);
    assert.equal(low.prefill.scheduler.maxNumSeqs, 512);
    assert.equal(low.prefill.scheduler.schedulerRecvInterval, 10);
    assert.equal(low.decode.scheduler.schedulerRecvInterval, 10);
    // 1k1k-low-latency.sh: the same TP4 servers (no --enable-dp-attention, --expert-parallel-size 1),
    // two decode workers, whatever the configuration's comment ("DEP4") and dp-attn say.
    const low1k = disaggregated(jobOf(mapRow(row(ROWS.sglangDec2025LowLatency1k))));
    assert.deepEqual([low1k.prefill.plan.tp, low1k.prefill.plan.dp, low1k.prefill.plan.ep], [4, 1, 1]);
    assert.deepEqual([low1k.decode.plan.tp, low1k.decode.plan.dp, low1k.decode.plan.ep], [4, 2, 1]);
    assert.equal(low1k.prefill.scheduler.maxNumSeqs, 512);
    assert.equal(low1k.prefill.scheduler.chunkedPrefillSize, 8192);
    assert.equal(low1k.decode.scheduler.schedulerRecvInterval, 10);
    // The dump's rows of those runs (the same TTFT and TPOT) run the script's degrees too, not the labels.
    for (const dump of [ROWS.sglangDec2025LowLatency1kDump, ROWS.sglangDec2025LowLatency8kDump]) {
      const pools = disaggregated(jobOf(mapRow(row(dump))));
      assert.deepEqual([pools.decode.plan.tp, pools.decode.plan.ep], [4, 1], dump.slice(0, 60));
      assert.equal(pools.decode.scheduler.schedulerRecvInterval, 10);
    }
    const both = mapRow(row(ROWS.sglangDec2025Both8k));
    assert.ok(!both.modelled && /several deployments/.test(both.reason));
    // Only max-tpt ran c8192: its workers are known, how its script split their GPUs is not.
    const unread = mapRow(row(ROWS.sglangDec2025MaxTpt8k));
    assert.ok(!unread.modelled && /launch script .* not stored/.test(unread.reason));
  });

  it("a Dec 2025 GB200 fp8 row runs its max-tpt script's DeepEP, redundant experts and limits", () => {
    // gb200-fp8/disagg/8k1k-max-tpt.sh: prefill --moe-a2a-backend deepep --deepep-mode normal, decode
    // low_latency, --ep-num-redundant-experts 32 on both; --max-running-requests 30000 / 8192.
    const job8k = jobOf(mapRow(row(ROWS.sglangDec2025Fp8MaxTpt8k)));
    const d8k = disaggregated(job8k);
    // Five 8-GPU workers of 8 attention-DP ranks each, experts over each worker's 8 GPUs.
    assert.deepEqual(
      [d8k.prefill.plan.tp, d8k.prefill.plan.dp * job8k.parts, d8k.prefill.plan.ep],
      [1, 40, 8],
    );
    assert.deepEqual([d8k.prefill.plan.allToAll, d8k.prefill.plan.redundantExperts], ['deepep-normal', 32]);
    assert.deepEqual([d8k.decode.plan.dp * job8k.parts, d8k.decode.plan.ep], [32, 32]);
    assert.deepEqual(
      [d8k.decode.plan.allToAll, d8k.decode.plan.redundantExperts],
      ['deepep-low-latency', 32],
    );
    // 1k1k-max-tpt.sh at c4096 in two entries (2 prefill workers + DEP32 decode, 3 + DEP48): the row's
    // worker counts name the first, though it records the configuration's tp: 1 as both entries do.
    const job1k = jobOf(mapRow(row(ROWS.sglangDec2025Fp8MaxTpt1k)));
    const d1k = disaggregated(job1k);
    assert.equal(d1k.decode.plan.dp * job1k.parts, 32);
    assert.equal(d1k.prefill.plan.allToAll, 'deepep-normal');
    assert.equal(d1k.decode.plan.allToAll, 'deepep-low-latency');
    assert.equal(d1k.decode.plan.redundantExperts, 32);
  });

  it('a B200 fp8 SGLang row runs the one recipe of its concurrency, DeepGEMM off as the recipe sets it', () => {
    const job = jobOf(mapRow(row(ROWS.sglangB200Fp8c256)));
    const d = disaggregated(job);
    // 1 TEP8 prefill worker and 3 TEP8 decode workers, --max-running-requests 512 each.
    assert.deepEqual([d.prefill.plan.tp, d.prefill.plan.dp * job.parts, d.prefill.plan.ep], [8, 1, 8]);
    assert.deepEqual([d.decode.plan.tp, d.decode.plan.dp * job.parts, d.decode.plan.ep], [8, 3, 8]);
    assert.equal(d.decode.scheduler.maxNumSeqs, 512);
    // SGLANG_ENABLE_JIT_DEEPGEMM=false in both pools' environment.
    assert.equal(job.config.engine?.deepGemm, false);
    const mtpOnly = mapRow(row(ROWS.sglangB200Fp8c8));
    assert.ok(!mtpOnly.modelled && /only an MTP recipe/.test(mtpOnly.reason));
    const both = mapRow(row(ROWS.sglangB200Fp8c4));
    assert.ok(!both.modelled && /with and without MTP/.test(both.reason));
  });

  it("an SGLang recipe's --scheduler-recv-interval reaches each pool's scheduler, and only where set", () => {
    const gated = disaggregated(jobOf(mapRow(row(ROWS.sglangLowLatency))));
    assert.equal(gated.prefill.scheduler.schedulerRecvInterval, 10);
    assert.equal(gated.decode.scheduler.schedulerRecvInterval, 10);
    // max_tpt.yaml sets none: both pools keep the engine's default.
    const ungated = disaggregated(jobOf(mapRow(row(ROWS.sglangDep48))));
    assert.equal(ungated.prefill.scheduler.schedulerRecvInterval, undefined);
    assert.equal(ungated.decode.scheduler.schedulerRecvInterval, undefined);
    // Per scheduler, so not divided over attention-DP ranks as the server-wide limits are.
    const pool = { workers: 1, tp: 8, ep: 8, attentionDp: true, schedulerRecvInterval: 10 };
    assert.deepEqual(recipeLimits(pool), { schedulerRecvInterval: 10 });
  });

  it("the GB200/GB300 SGLang recipes' DeepEP: low-latency in attention-DP decode, normal in fp8 attention-DP prefill", () => {
    const sglangGb = DISAGG_RECIPES.filter(
      (e) => e.backend === 'sglang' && /^recipes\/gb[23]00-/.test(e.recipe.path),
    );
    assert.ok(sglangGb.length > 0);
    for (const e of sglangGb) {
      assert.equal(e.decode.allToAll, e.decode.attentionDp ? 'deepep-low-latency' : undefined, e.recipe.path);
      const prefillDeepEp = e.prefill.attentionDp && e.precision === 'fp8';
      assert.equal(e.prefill.allToAll, prefillDeepEp ? 'deepep-normal' : undefined, e.recipe.path);
    }
  });

  it("a vLLM row recording its attention-DP prefill as TP runs the recipe's degrees and limits", () => {
    const job = jobOf(mapRow(row(ROWS.vllmKimi8k)));
    const d = disaggregated(job);
    // Prefill: one worker of vLLM attention DP 4 (tensor-parallel-size 1, data-parallel-size 4) over EP 4.
    assert.deepEqual([d.prefill.plan.tp, d.prefill.plan.dp * job.parts, d.prefill.plan.ep], [1, 4, 4]);
    // Decode: four TP4 × EP4 workers, as recorded.
    assert.deepEqual([d.decode.plan.tp, d.decode.plan.dp * job.parts, d.decode.plan.ep], [4, 4, 4]);
    // --max-num-seqs and --max-num-batched-tokens per engine core: 64 and 16384 per prefill DP rank,
    // 16 and 10240 per decode worker (128 clients over 4 × 16 decode seats: half of them queue).
    assert.equal(d.prefill.scheduler.maxNumSeqs, 64);
    assert.equal(d.prefill.scheduler.maxNumBatchedTokens, 16384);
    assert.equal(d.decode.scheduler.maxNumSeqs, 16);
    assert.equal(d.decode.scheduler.maxNumBatchedTokens, 10240);
    // The 1k/1k recipe: the same degrees, at --max-num-seqs 1024 in both pools.
    const short = disaggregated(jobOf(mapRow(row(ROWS.vllmKimi1k))));
    assert.deepEqual([short.prefill.plan.tp, short.prefill.plan.ep], [1, 4]);
    assert.equal(short.decode.scheduler.maxNumSeqs, 1024);
    // A deployment no stored recipe runs keeps the degrees its row records.
    const unread = disaggregated(jobOf(mapRow(row(ROWS.vllmKimi697))));
    assert.deepEqual([unread.prefill.plan.tp, unread.decode.plan.tp], [4, 16]);
  });

  it('a row names an image only whole', () => {
    const source = 'db-dump; lmsysorg/sglang:v0.5.8.post1-cu130-runtime';
    assert.ok(namesImage(source, 'lmsysorg/sglang:v0.5.8.post1-cu130-runtime'));
    assert.ok(!namesImage(source, 'lmsysorg/sglang:v0.5.8.post1-cu130'));
    assert.ok(
      namesImage('x; image=lmsysorg/sglang:v0.5.8.post1-cu130', 'lmsysorg/sglang:v0.5.8.post1-cu130'),
    );
    // The configuration writes nvcr.io#nvidia/… where the rows write nvcr.io/nvidia/….
    assert.ok(namesImage(IMAGE, 'nvcr.io#nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1'));
    assert.ok(!namesImage(`${IMAGE}2`, 'nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post1'));
  });
});
