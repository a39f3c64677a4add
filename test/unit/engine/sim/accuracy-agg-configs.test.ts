// Whether an aggregated measured row decoded with MTP: the benchmark configuration its image, lengths,
// concurrency and plan fit (agg-configs.json), and the depth its script set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGG_CONFIGS, aggConfigOf } from '../../../../bench/accuracy/agg-configs.js';
import { mapRow } from '../../../../bench/accuracy/map-row.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const ROWS = {
  /** dsr1-fp4-b200-trt-mtp's image, TP8 without attention DP at 4 clients: MTP=3. */
  mtpTp8:
    '2026_03_25_deepseek_r1_b200_sxm_trtllm_fp4_agg_1024x1024_c4_tp8_0_ep1_0_975,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=4; measured=2026-02-06T17:21:58Z; wip=False; image=nvcr.io#nvidia/tensorrt-llm/release:1.2.0rc6.post3,trtllm,1.2.0rc6.post3,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,4,8,1,1,8,1,,,,,,,,,,,,,,,209.5620051579317,4.3391186993341835',
  /** The same image with attention DP over 8 GPUs, EP 8, 64 clients: MTP=1. */
  mtpDp8:
    '2026_03_25_deepseek_r1_b200_sxm_trtllm_fp4_agg_1024x1024_c64_tp8_0_ep8_0_976,source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=64; measured=2026-02-06T17:21:58Z; wip=False; image=nvcr.io#nvidia/tensorrt-llm/release:1.2.0rc6.post3,trtllm,1.2.0rc6.post3,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,8,1,1,8,1,8,,,,,,,,,,,,,,,1085.456209500262,12.289469945639713',
  /** dsr1-fp4-b200-trt's image (no spec decoding), the same plan and clients. */
  stpTp8:
    'dsr1_b200_trtllm_fp4_agg_1024x1024_c4_cfg91,db-dump/2026-04-27; config_id=91; silicon_concurrency=4; measured=2026-02-03T00:00:00.000Z; workflow_run_id=253; nvcr.io/nvidia/tensorrt-llm/release:1.2.0rc6.post2,trtllm,1.2.0rc6.post2,deepseek-ai/DeepSeek-V3,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,4,8,1,1,8,1,,,,,,,,,,,,,,,158.6640574852936,7.188679216208173',
  /** H200: dsr1-fp8-h200-trt and dsr1-fp8-h200-trt-mtp ran the same image. */
  h200: '2026_04_06_deepseek_r1_h200_sxm_trtllm_fp8_agg_1024x1024_c256_tp8_ep8_2011,source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=256; measured=2026-01-14T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/tensorrt-llm/release:1.1.0rc2.post2,trtllm,1.1.0rc2.post2,deepseek-ai/DeepSeek-R1,h200_sxm,fp8,agg,1024,1024,fp8,fp8,4,1,1,64,8,8,,,,,,,,,,,,,,,2997.5119234055455,37.23075320372353',
  /** SGLang on B200: dsr1-fp8-b200-sglang and dsr1-fp8-b200-sglang-mtp ran the same image. */
  sglangB200:
    'dsr1_b200_sglang_fp8_agg_1024x1024_c4_cfg87,db-dump/2026-04-27; config_id=87; silicon_concurrency=4; measured=2026-03-25T00:00:00.000Z; workflow_run_id=337; lmsysorg/sglang:v0.5.9-cu130,sglang,0.5.9,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,agg,1024,1024,fp8,fp8_block,4,8,1,1,8,1,,,,,,,,,,,,,,,183.1796007230878,8.759961854292433',
};

function row(name: keyof typeof ROWS): SiliconRow {
  const [parsed] = parseSiliconCsv(`${HEADER}\n${ROWS[name]}\n`, `${name}.csv`);
  assert.ok(parsed);
  return parsed;
}

function mapRowOk(r: SiliconRow) {
  const mapped = mapRow(r);
  assert.ok(mapped.modelled, mapped.modelled ? '' : mapped.reason);
  return mapped.job;
}

function colocatedPool(r: SiliconRow) {
  const mapped = mapRow(r);
  assert.ok(mapped.modelled, mapped.modelled ? '' : mapped.reason);
  assert.equal(mapped.job.config.deployment.kind, 'colocated');
  return { pool: mapped.job.config.deployment.pool, description: mapped.job.description };
}

describe('accuracy benchmark: aggregated rows that ran MTP', () => {
  it("models a row of the MTP configuration's image with its script's depth: 3 with TP attention", () => {
    const match = aggConfigOf(row('mtpTp8'), 4, { tp: 8, attentionDp: 1, moeTp: 8, moeEp: 1 });
    assert.equal(match.kind, 'speculative');
    assert.ok(match.kind === 'speculative' && match.entry.config === 'dsr1-fp4-b200-trt-mtp');
    const { pool, description } = colocatedPool(row('mtpTp8'));
    assert.deepEqual(pool.speculation, { method: 'mtp', k: 3 });
    assert.match(description, /mtp k=3/);
  });

  it('takes depth 1 where the configuration ran attention DP', () => {
    const { pool, description } = colocatedPool(row('mtpDp8'));
    assert.deepEqual(pool.speculation, { method: 'mtp', k: 1 });
    assert.match(description, /DP8.*mtp k=1/);
  });

  it("runs an MTP row at its script's max_batch_size and max_num_tokens, per rank under attention DP", () => {
    // dsr1_fp4_b200_trt_mtp.sh: MAX_BATCH_SIZE=$CONC, or $((CONC/TP)) with DP_ATTENTION=true;
    // MAX_NUM_TOKENS=$(( ((MTP+1)*MAX_BATCH_SIZE+ISL+64+63)/64*64 )).
    const dp = colocatedPool(row('mtpDp8')).pool.scheduler;
    assert.equal(dp?.maxNumSeqs, 64 / 8);
    assert.equal(dp?.maxNumBatchedTokens, Math.floor((2 * 8 + 1024 + 127) / 64) * 64);
    const tp = colocatedPool(row('mtpTp8')).pool.scheduler;
    assert.equal(tp?.maxNumSeqs, 4);
    assert.equal(tp?.maxNumBatchedTokens, Math.floor((4 * 4 + 1024 + 127) / 64) * 64);
  });

  it('lets a TensorRT-LLM attention-DP server give each request to its least busy rank', () => {
    // executor_request_queue.py `_balance_requests_across_ranks`: the rank with room and fewest tokens.
    assert.equal(mapRowOk(row('mtpDp8')).config.router, 'least-outstanding');
    assert.equal(mapRowOk(row('mtpTp8')).config.router, 'round-robin');
  });

  it("leaves a row of the non-speculative configuration at the engine's batch limits", () => {
    const stp = colocatedPool(row('stpTp8')).pool.scheduler;
    assert.notEqual(stp?.maxNumBatchedTokens, Math.floor((4 + 1024 + 127) / 64) * 64);
  });

  it("leaves rows of the non-speculative configuration's image without speculation", () => {
    const match = aggConfigOf(row('stpTp8'), 4, { tp: 8, attentionDp: 1, moeTp: 8, moeEp: 1 });
    assert.ok(match.kind === 'found' && match.entry.config === 'dsr1-fp4-b200-trt');
    assert.equal(colocatedPool(row('stpTp8')).pool.speculation, undefined);
  });

  it('leaves rows whose image ran configurations of both modes as they are (ambiguous)', () => {
    const match = aggConfigOf(row('h200'), 256, { tp: 1, attentionDp: 8, moeTp: 1, moeEp: 8 });
    assert.equal(match.kind, 'ambiguous');
    assert.equal(colocatedPool(row('h200')).pool.speculation, undefined);
  });

  it('treats SGLang rows whose MTP and non-MTP configurations shared the image as ambiguous', () => {
    const degrees = { tp: 8, attentionDp: 1, moeTp: 8, moeEp: 1 };
    const match = aggConfigOf(row('sglangB200'), 4, degrees);
    assert.ok(match.kind === 'ambiguous');
    assert.deepEqual(match.entries.map((e) => e.speculative).sort(), ['mtp', 'none']);
    assert.equal(colocatedPool(row('sglangB200')).pool.speculation, undefined);
    // The image is matched whole: …:v0.5.9-cu130-amd64 is another image.
    const amd64 = {
      ...row('sglangB200'),
      silicon_data_source: row('sglangB200').silicon_data_source.replace('cu130', 'cu130-amd64'),
    };
    assert.equal(aggConfigOf(amd64, 4, degrees).kind, 'none');
  });

  it("says nothing of a row outside its configuration's search space, or of another source", () => {
    const degrees = { tp: 8, attentionDp: 1, moeTp: 8, moeEp: 1 };
    assert.equal(aggConfigOf(row('mtpTp8'), 512, degrees).kind, 'none');
    assert.equal(aggConfigOf(row('mtpTp8'), 4, { ...degrees, tp: 2 }).kind, 'none');
    assert.equal(aggConfigOf(row('mtpTp8'), 4, degrees, []).kind, 'none');
    const other = {
      ...row('mtpTp8'),
      silicon_data_source: 'source_file=elsewhere.csv; silicon_concurrency=4',
    };
    assert.equal(aggConfigOf(other, 4, degrees).kind, 'none');
  });

  it('every entry cites its configuration, and every MTP depth its script, at full commits', () => {
    assert.ok(AGG_CONFIGS.some((e) => e.mtpTokens !== undefined));
    for (const e of AGG_CONFIGS) {
      assert.match(e.source.commit, /^[0-9a-f]{40}$/);
      if (!e.mtpTokens) continue;
      assert.equal(e.speculative, 'mtp');
      assert.match(e.script?.commit ?? '', /^[0-9a-f]{40}$/);
      assert.ok(e.mtpTokens.attentionTp >= e.mtpTokens.attentionDp);
    }
  });
});
