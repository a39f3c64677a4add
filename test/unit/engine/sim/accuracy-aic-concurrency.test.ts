// An AIConfigurator gap-analysis row's batch_size is one worker's batch limit, not its client count: a
// row that records no silicon_concurrency is not modelled (a real row copied from the file).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapRow } from '../../../../bench/accuracy/map-row.js';
import { AIC_WORKER_BATCH, rowConcurrency } from '../../../../bench/accuracy/row-concurrency.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const WITHOUT_CLIENTS =
  'qwen3_32b_qwen3_32b_h100_sxm_vllm_agg_4000x1000_c_tp2_0_epnone_3,source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/vllm/0.12.0/qwen3_32b.csv; gtl_job_id=23364591; gtl_task_id=102487529; measured=2026-01-25; image=nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.8.0; dynamo_version=0.8.0,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,fp8,agg,4000,1000,fp8,fp8,48,2,1,,0,0,,,,,,,,,,,,,,,184.59487421875,11.631857811811813';

function parsed(line: string): SiliconRow {
  const [row] = parseSiliconCsv(`${HEADER}\n${line}\n`, 'rows.csv');
  assert.ok(row);
  return row;
}

describe('accuracy benchmark: the client count of a gap-analysis row', () => {
  it('is not read off batch_size, which is one worker’s max_batch_size', () => {
    const row = parsed(WITHOUT_CLIENTS);
    assert.equal(rowConcurrency(row), undefined);
    const m = mapRow(row);
    assert.equal(m.modelled, false);
    assert.equal(m.modelled ? '' : m.reason, AIC_WORKER_BATCH);
  });

  it('is its silicon_concurrency where the row records one', () => {
    const row = parsed(
      WITHOUT_CLIENTS.replace('dynamo_version=0.8.0,', 'dynamo_version=0.8.0; silicon_concurrency=48,'),
    );
    assert.equal(rowConcurrency(row), 48);
    assert.equal(mapRow(row).modelled, true);
  });

  it('another source’s aggregated row without one still runs batch_size clients', () => {
    const row = parsed(WITHOUT_CLIENTS.replace(/source_file=[^,]*,/, 'source_file=other.csv,'));
    assert.equal(rowConcurrency(row), 48);
  });
});
