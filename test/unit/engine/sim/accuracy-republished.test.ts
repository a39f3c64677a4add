// A gap-analysis row that republishes an InferenceMAX measurement is replayed with InferenceMAX's client
// (rows copied from silicon-calibration.csv: the same Kimi-K2.5 int4 H200 run in both exports).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapRow } from '../../../../bench/accuracy/map-row.js';
import { asMeasuredRun, inferenceMaxTwinOf } from '../../../../bench/accuracy/republished.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const INFERENCEMAX =
  '2026_04_06_kimi_k2_5_h200_sxm_vllm_int4_agg_1024x1024_c4_tp8_ep1_1292,source_file=2026-04-06.csv; model=Kimi-K2.5; silicon_concurrency=4; measured=2026-03-27T00:00:00.000Z; wip=False; image=vllm/vllm-openai:v0.16.0,vllm,0.16.0,moonshotai/Kimi-K2.5,h200_sxm,int4,agg,1024,1024,int4_wo,int4_wo,4,8,1,1,8,1,,,,,,,,,,,,,,,148.60638657119125,10.431417973710822';
const GAP_ANALYSIS =
  'kimi_k2_5_gap_analysis_kimi_k2_5_gap_analysis_h200_sxm_vllm_int4_agg_1024x1024_c4_tp8_ep1_33,source_file=kimi-k2.5-gap-analysis.csv; silicon_concurrency=4; aic_database_mode=SILICON,vllm,0.16.0,moonshotai/Kimi-K2.5,h200_sxm,int4,agg,1024,1024,int4_wo,int4_wo,4,8,1,1,8,1,,,,,,,,,,,,,,,148.61,10.43';

function rows(...lines: string[]): SiliconRow[] {
  return parseSiliconCsv(`${HEADER}\n${lines.join('\n')}\n`, 'rows.csv');
}

describe('accuracy benchmark: rows that republish an InferenceMAX measurement', () => {
  it('finds the InferenceMAX row whose means equal the row’s at the digits it gives', () => {
    const file = rows(INFERENCEMAX, GAP_ANALYSIS);
    const [inferenceMax, gap] = file;
    assert.ok(inferenceMax && gap);
    assert.equal(inferenceMaxTwinOf(gap, file), inferenceMax);
    // An InferenceMAX row is its own source.
    assert.equal(inferenceMaxTwinOf(inferenceMax, file), undefined);
    assert.equal(asMeasuredRun(gap, file).silicon_data_source, inferenceMax.silicon_data_source);
    assert.equal(asMeasuredRun(gap, file).id, gap.id);
  });

  it('a mean that differs at the row’s precision, or another concurrency, is another run', () => {
    const [inferenceMax, gap] = rows(INFERENCEMAX, GAP_ANALYSIS);
    assert.ok(inferenceMax && gap);
    const otherTtft = { ...gap, silicon_ttft_ms: 148.62 };
    assert.equal(inferenceMaxTwinOf(otherTtft, [inferenceMax, otherTtft]), undefined);
    const otherTpot = { ...gap, silicon_tpot_ms: 10.44 };
    assert.equal(inferenceMaxTwinOf(otherTpot, [inferenceMax, otherTpot]), undefined);
    const otherClients = {
      ...gap,
      silicon_data_source: gap.silicon_data_source.replace('silicon_concurrency=4', 'silicon_concurrency=8'),
    };
    assert.equal(inferenceMaxTwinOf(otherClients, [inferenceMax, otherClients]), undefined);
  });

  it('maps the republished row with InferenceMAX’s client: drawn lengths, ten requests each, no warm-up', () => {
    const file = rows(INFERENCEMAX, GAP_ANALYSIS);
    const gap = file[1];
    assert.ok(gap);
    const alone = mapRow(gap);
    assert.ok(alone.modelled);
    assert.equal(alone.job.warmUpRequests, 4);
    const m = mapRow(gap, { fileRows: file });
    assert.ok(m.modelled);
    assert.equal(m.id, gap.id);
    assert.equal(m.job.warmUpRequests, 0);
    assert.equal(m.job.workload, 'constant:rate=1000,prompt=uniform(819,1024),output=uniform(819,1024),n=40');
  });
});
