// The accuracy benchmark's per-row CSV: one line per row, predicted beside measured, quoted where needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RowResult } from '../../../../bench/accuracy/metrics.js';
import { rowsCsv } from '../../../../bench/accuracy/rows-csv.js';

const partition = { engine: 'vllm', gpu: 'h100_sxm', family: 'llama', mode: 'agg' as const };

describe('accuracy benchmark: rows as CSV', () => {
  it('writes a header, a modelled row with its errors and a row not modelled with its reason', () => {
    const rows: RowResult[] = [
      {
        id: 'a',
        partition,
        model: 'm',
        isl: 1024,
        osl: 128,
        concurrency: 8,
        measured: { ttftMs: 100, tpotMs: 10 },
        modelled: true,
        deployment: 'TP2 vllm-v1, fp8/fp8 KV',
        predicted: { ttftMs: 80, tpotMs: 11 },
        error: { ttft: -0.2, tpot: 0.1 },
      },
      {
        id: 'b',
        partition,
        model: 'm',
        isl: 1,
        osl: 1,
        concurrency: null,
        measured: { ttftMs: 1, tpotMs: 1 },
        modelled: false,
        reason: 'no concurrency recorded',
      },
    ];
    const lines = rowsCsv(rows).trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.ok(
      lines[0].startsWith('id,engine,gpu,family,mode,isl,osl,concurrency,deployment,modelled,reason'),
    );
    assert.equal(
      lines[1],
      'a,vllm,h100_sxm,llama,agg,1024,128,8,"TP2 vllm-v1, fp8/fp8 KV",true,,100,80,-0.2,10,11,0.1',
    );
    assert.equal(lines[2], 'b,vllm,h100_sxm,llama,agg,1,1,,,false,no concurrency recorded,1,,,1,,');
  });
});
