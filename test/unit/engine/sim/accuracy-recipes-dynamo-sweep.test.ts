// Disaggregated recipes of the runs InferenceMAX's GB200 launch script made with Dynamo's performance
// sweep (Nov–Dec 2025): client counts of a listed concurrency × decode workers, rows that record the run's
// total GPUs as tp (some labelled 'agg'), rows that name no image, and configurations whose written tp is
// not the one that ran. Real rows copied from silicon-calibration.csv.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DISAGG_RECIPES, namesAnImage, recipeOf } from '../../../../bench/accuracy/disagg-recipes.js';
import { mapRow } from '../../../../bench/accuracy/map-row.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const ROWS = {
  // No image, tp 36 for both pools (the run's GPUs: 1 prefill worker of 4 + 4 TEP8 decode workers), 564
  // clients: the STP entry's listed 141 × 4 decode workers.
  c564: '2026_04_06_deepseek_r1_gb200_trtllm_fp4_disagg_1024x1024_c564_tp36_ep1_1088,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=564; measured=2025-12-05T00:00:00.000Z; wip=False,trtllm,,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,36,1,1,36,1,,,36,1,1,36,1,1979.3342264723485,16.64147121919771',
  // The same export labels runs 'agg' with tp_size their GPUs: 144 clients is the MTP entry's 36 × 4.
  agg144:
    '2026_04_06_deepseek_r1_gb200_trtllm_fp4_agg_1024x1024_c144_tp36_ep1_26,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=144; measured=2025-11-17T00:00:00.000Z; wip=False,trtllm,,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,1024,1024,nvfp4,nvfp4,144,36,1,1,36,1,,,,,,,,,,,,,,,1079.3598176870646,7.703240124469489',
  // 4 clients: 1 × 4 decode workers in both the MTP and the STP TEP8 entries.
  agg4: '2026_04_06_deepseek_r1_gb200_trtllm_fp4_agg_1024x1024_c4_tp36_ep1_18,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=4; measured=2025-11-17T00:00:00.000Z; wip=False,trtllm,,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,1024,1024,nvfp4,nvfp4,4,36,1,1,36,1,,,,,,,,,,,,,,,232.93180256223422,6.369108152176305',
  // Per-worker degrees and the image: 2 prefill workers of 4 + 1 DEP16 decode worker at 2048.
  c2048:
    '2026_04_06_deepseek_r1_gb200_trtllm_fp4_disagg_1024x1024_c2048_tp4_ep4_1145,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=2048; measured=2025-12-19T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.5.1-rc0.pre3,trtllm,0.5.1-rc0.pre3,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,4,1,1,1,4,,,16,1,1,4,4,1588.164067604282,25.008586913567562',
  // SGLang, tp 1 as the configuration writes it; 2048 ran on 4 prefill workers of DEP4 + 1 decode of DEP48.
  sglang2048:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_1024x1024_c2048_tp1_ep1_1197,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=2048; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,2074.4397656439105,17.785910902460714',
  // 8192 is in both the mid-curve (decode DEP48) and the top-of-curve (DEP32) lists.
  sglang8192:
    '2026_04_06_deepseek_r1_gb200_sglang_fp4_disagg_1024x1024_c8192_tp1_ep1_1200,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=8192; measured=2025-12-21T00:00:00.000Z; wip=False; image=lmsysorg/sglang:v0.5.5.post2,sglang,0.5.5.post2,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,1024,1024,nvfp4,nvfp4,,,,,,,,,1,1,1,1,1,,,1,1,1,1,1,18679.25368150204,25.343497762427734',
};
const row = (line: string): SiliconRow => parseSiliconCsv(`${HEADER}\n${line}\n`, 'test.csv')[0];

describe('accuracy benchmark: recipes of the Dynamo performance-sweep runs', () => {
  it('entries read from a benchmark client cite it', () => {
    const swept = DISAGG_RECIPES.filter((e) => e.concurrencyPerDecodeWorker);
    assert.ok(swept.length > 0);
    for (const e of swept) assert.ok(e.client?.some((s) => s.path.endsWith('scripts/bench.sh')));
  });

  it('a run recorded by its total GPUs, without image, runs listed concurrency × decode workers', () => {
    const match = recipeOf(row(ROWS.c564), 564);
    assert.equal(match.kind, 'found');
    if (match.kind !== 'found') return;
    assert.deepEqual(match.entry.concurrencies, [1, 2, 4, 8, 16, 32, 64, 141]);
    assert.deepEqual([match.entry.prefill.workers, match.entry.prefill.tp], [1, 4]);
    assert.deepEqual([match.entry.decode.workers, match.entry.decode.tp], [4, 8]);
    assert.equal(match.entry.decode.maxBatchSize, 128);
  });

  it('a row naming no image fits only while the configuration ran; one naming another image does not', () => {
    const later = ROWS.c564.replace('measured=2025-12-05', 'measured=2026-01-20');
    assert.equal(recipeOf(row(later), 564).kind, 'none');
    const otherImage = ROWS.c564.replace(
      'wip=False,',
      'wip=False; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post2,',
    );
    assert.equal(recipeOf(row(otherImage), 564).kind, 'none');
  });

  it('an image is named by `image=` or by a database dump bare field, not by a date', () => {
    assert.ok(namesAnImage('source_file=x.csv; measured=2025-12-05T00:00:00Z; image=lmsysorg/sglang:v0.5.5'));
    assert.ok(
      namesAnImage('db-dump/2026-04-27; config_id=1; nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:1.1.0'),
    );
    assert.ok(!namesAnImage('source_file=2026-04-06.csv; measured=2025-11-17T00:00:00.000Z; wip=False'));
  });

  it("an 'agg' row of a multinode run is modelled as its recipe's disaggregated deployment", () => {
    const mapping = mapRow(row(ROWS.agg144));
    assert.ok(mapping.modelled, mapping.modelled ? '' : mapping.reason);
    const d = mapping.job.config.deployment;
    assert.equal(d.kind, 'disaggregated');
    if (d.kind !== 'disaggregated') return;
    assert.deepEqual([d.prefill.plan.tp, d.prefill.plan.dp * mapping.job.parts], [4, 1]);
    assert.deepEqual([d.decode.plan.tp, d.decode.plan.dp * mapping.job.parts], [8, 4]);
    assert.deepEqual(d.decode.speculation, { method: 'mtp', k: 3 });
    assert.equal(mapping.job.rowConcurrency, 144);
  });

  it("an 'agg' row whose concurrency ran with and without MTP stays unmodelled, saying so", () => {
    const mapping = mapRow(row(ROWS.agg4));
    assert.ok(!mapping.modelled);
    assert.match(mapping.modelled ? '' : mapping.reason, /'agg' row.*with and without MTP/);
  });

  it('per-worker degrees with the image still fit; a listed concurrency of one decode worker is unscaled', () => {
    const match = recipeOf(row(ROWS.c2048), 2048);
    assert.equal(match.kind, 'found');
    if (match.kind !== 'found') return;
    assert.deepEqual([match.entry.prefill.workers, match.entry.decode.tp], [2, 16]);
  });

  it('a configuration whose written tp is not the one that ran is matched by that written tp', () => {
    const match = recipeOf(row(ROWS.sglang2048), 2048);
    assert.equal(match.kind, 'found');
    if (match.kind !== 'found') return;
    assert.deepEqual([match.entry.prefill.workers, match.entry.prefill.tp], [4, 4]);
    assert.deepEqual([match.entry.decode.workers, match.entry.decode.tp], [1, 48]);
    assert.equal(recipeOf(row(ROWS.sglang8192), 8192).kind, 'ambiguous');
  });

  it('a recipe whose EP does not divide the experts, with no redundant slots recorded, is not simulated', () => {
    // recipes/gb200-fp4/8k1k/mid-curve.yaml as transcribed: a DEP48 decode pool, no redundant slots.
    const undivided = row(
      'x,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=512; measured=2026-02-08T05:50:14Z; wip=False; image=lmsysorg/sglang:v0.5.8-cu130,sglang,0.5.8,deepseek-ai/DeepSeek-R1,gb200,fp4,disagg,8192,1024,nvfp4,nvfp4,,,,,,,,,4,1,1,4,1,,,48,1,1,1,48,1000,20',
    );
    const mapping = mapRow(undivided);
    assert.ok(!mapping.modelled);
    assert.match(mapping.modelled ? '' : mapping.reason, /EP 48 does not divide the 256 experts/);
    // The Dec 2025 DEP48 run records its script's 32 redundant slots: 256 + 32 divide over 48.
    assert.ok(mapRow(row(ROWS.sglang2048)).modelled);
  });
});
