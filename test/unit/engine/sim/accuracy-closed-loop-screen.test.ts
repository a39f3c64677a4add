// A vLLM row whose clients mostly wait for a first token although vLLM's scheduler had room for all of
// them is flagged as a measurement no steady closed loop produces, and still predicted and scored (rows copied
// from silicon-calibration.csv).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ClosedLoopEvidence,
  clientsDecoding,
  UNREACHABLE_WAIT,
  unreachableWait,
} from '../../../../bench/accuracy/closed-loop-screen.js';
import { heldOutSummary } from '../../../../bench/accuracy/held-out-summary.js';
import { mapRow } from '../../../../bench/accuracy/map-row.js';
import type { RowResult } from '../../../../bench/accuracy/metrics.js';
import type { Partition } from '../../../../bench/accuracy/partition.js';
import { renderReport } from '../../../../bench/accuracy/report.js';
import { parseSiliconCsv, type SiliconRow } from '../../../../bench/accuracy/rows.js';

const HEADER =
  'id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms';

const ROWS = {
  // 512 clients, TP4, vLLM 0.11.2: TTFT 24.3 s beside a TPOT of 5.5 ms.
  gptOssC512:
    '2026_04_06_gpt_oss_120b_h100_sxm_vllm_fp4_agg_8192x1024_c512_tp4_ep1_1130,source_file=2026-04-06.csv; model=GPT-OSS-120B; silicon_concurrency=512; measured=2025-12-08T00:00:00.000Z; wip=False; image=vllm/vllm-openai:v0.11.2,vllm,0.11.2,openai/gpt-oss-120b,h100_sxm,fp4,agg,8192,1024,nvfp4,nvfp4,512,4,1,1,4,1,,,,,,,,,,,,,,,24323.132184171118,5.45603323610344',
  gptOssC64:
    '2026_04_06_gpt_oss_120b_h100_sxm_vllm_fp4_agg_1024x1024_c64_tp2_ep1_381,source_file=2026-04-06.csv; model=GPT-OSS-120B; silicon_concurrency=64; measured=2026-03-27T00:00:00.000Z; wip=False; image=vllm/vllm-openai:v0.18.0,vllm,0.18.0,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,64,2,1,1,2,1,,,,,,,,,,,,,,,169.01517733494984,14.83189989301969',
  // 64 clients of 8k + 1k tokens on two H100s: the KV cache holds fewer of them, so they do wait.
  llamaKvBound:
    '2026_04_06_llama_3_1_70b_h100_sxm_vllm_fp8_agg_8192x1024_c64_tp2_ep1_773,source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=64; measured=2025-10-29T00:00:00.000Z; wip=False,vllm,,meta-llama/Llama-3.1-70B,h100_sxm,fp8,agg,8192,1024,fp8,fp8,64,2,1,1,2,1,,,,,,,,,,,,,,,59175.43255730125,52.406389465546475',
};

function row(line: string): SiliconRow {
  const [parsed] = parseSiliconCsv(`${HEADER}\n${line}\n`, 'rows.csv');
  assert.ok(parsed);
  return parsed;
}

/** 512 clients of 1k + 1k tokens, 100 decoding at a time by the measurement, room for all of them. */
const ROOMY: ClosedLoopEvidence = {
  clients: 512,
  ttftMs: 23_000,
  tpotMs: 5.6,
  meanPromptTokens: 1024,
  meanOutputTokens: 1024,
  maxNumSeqs: 512,
  maxNumBatchedTokens: 8192,
  kvSequences: 1000,
};

describe('accuracy benchmark: closed-loop consistency of a vLLM measurement', () => {
  it('counts the clients decoding by Little’s law over a client’s cycle', () => {
    // decode 999 × 10 ms = 9.99 s, cycle 19.98 s: half of 100 clients decode.
    const decoding = clientsDecoding({ clients: 100, ttftMs: 9990, tpotMs: 10, meanOutputTokens: 1000 });
    assert.ok(Math.abs(decoding - 50) < 1e-9);
  });

  it('screens a row whose clients mostly wait while every vLLM limit has room', () => {
    // 1023 × 5.6 ms decoding against a 23 s wait: 102 of the 512 clients decode, 80% wait.
    assert.ok(Math.abs(clientsDecoding(ROOMY) - 102.3) < 0.5);
    assert.equal(unreachableWait(ROOMY), UNREACHABLE_WAIT);
  });

  it('keeps a row where a vLLM limit explains the wait, or where most clients decode', () => {
    assert.equal(unreachableWait({ ...ROOMY, kvSequences: 400 }), undefined);
    assert.equal(unreachableWait({ ...ROOMY, maxNumSeqs: 256 }), undefined);
    // 205 clients decoding 101-token outputs of 8k prompts need 16.8k prompt tokens a step: more than
    // the 8192-token budget holds beside the decodes, so prompts wait for the budget.
    const budgetBound = { ...ROOMY, ttftMs: 840, meanPromptTokens: 8192, meanOutputTokens: 101 };
    assert.ok(clientsDecoding(budgetBound) < 0.5 * 512);
    assert.equal(unreachableWait(budgetBound), undefined);
    assert.equal(unreachableWait({ ...ROOMY, ttftMs: 2_000 }), undefined);
  });

  it('maps the measured rows: the unreachable one stays modelled and carries the flag', () => {
    const screened = mapRow(row(ROWS.gptOssC512));
    assert.ok(screened.modelled, 'a flagged row is still simulated');
    assert.equal(screened.flag?.finding, UNREACHABLE_WAIT);
    // 1023 × 5.456 ms decoding beside a 24.3 s wait (mean output 0.9 × 1024 − 1): about 83% waiting.
    assert.ok(screened.flag && screened.flag.clientsWaiting > 0.8 && screened.flag.clientsWaiting < 0.86);
    for (const line of [ROWS.gptOssC64, ROWS.llamaKvBound]) {
      const kept = mapRow(row(line));
      assert.ok(kept.modelled && kept.flag === undefined);
    }
  });

  it('reports flagged rows apart while the headline and targets count them', () => {
    const partition: Partition = { engine: 'vllm', gpu: 'h100-sxm', family: 'gpt-oss', mode: 'agg' };
    const result = (id: string, tpotError: number, flagged: boolean): RowResult => ({
      id,
      partition,
      model: 'openai/gpt-oss-120b',
      isl: 1024,
      osl: 1024,
      concurrency: flagged ? 512 : 64,
      measured: { ttftMs: 1000, tpotMs: 10 },
      modelled: true,
      deployment: 'TP4 vllm-v1',
      predicted: { ttftMs: 1100, tpotMs: 10 * (1 + tpotError) },
      error: { ttft: 0.1, tpot: tpotError },
      ...(flagged ? { flag: { finding: UNREACHABLE_WAIT, clientsWaiting: 0.82 } } : {}),
    });
    const results = [result('flagged_c512', 3, true), result('kept_c64', 0.1, false)];
    const run = {
      machine: 'test',
      commit: 'test',
      date: 'test',
      csv: 'rows.csv',
      wallSeconds: 1,
      selection: null,
    };
    const md = renderReport(results, run, heldOutSummary([]));
    // Headline over both rows: TPOT MAPE (300% + 10%) / 2.
    assert.match(md, /\| all rows \| 2 \/ 2 \| 10\.0% \| \+10\.0% \| 155\.0% \|/);
    assert.match(md, /\| overall TPOT MAPE ≤ 10% \| 155\.0% \| \*\*no\*\* \|/);
    const section = md.split('## Rows whose measurement no steady closed loop produces')[1];
    assert.ok(section, 'the report has the flagged rows section');
    assert.match(
      section,
      /\| flagged_c512 \| 512 \| 82% \| 1000 → 1100 \(\+10\.0%\) \| 10\.0 → 40\.0 \(\+300\.0%\) \|/,
    );
    assert.ok(!section.split('\n## ')[0]?.includes('kept_c64'));
    assert.match(
      section,
      /Secondary figure, not the headline: without the flagged rows \(1\), over 1 modelled rows, TTFT MAPE 10\.0%, TPOT MAPE 10\.0%/,
    );
  });
});
