// `--op-tables`: the run says which ops and TP degrees the imported tables time, since simulate's
// summary does not show per-op sources and an op or TP they lack falls back silently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { opTablesNote } from '../../../src/cli/commands/calibration-tables.js';
import { emptyOpTables, importOpTablesCsv } from '../../../src/engine/perf/op-tables.js';

describe('the --op-tables note', () => {
  it('names the ops and TP degrees a Vidur mlp.csv holds', () => {
    const csv = [
      'num_tokens,num_tensor_parallel_workers,time_stats.mlp_up_proj.median,time_stats.attn_pre_proj.median',
      '32,1,0.1,0.03',
      '64,2,0.2,0.06',
      '',
    ].join('\n');
    const note = opTablesNote(importOpTablesCsv(csv, 'mlp.csv'));
    assert.match(note, /^op tables mlp\.csv: qkv_proj, gate_up_proj at TP 1, 2;/);
  });

  it('says when the tables hold no rows', () => {
    assert.match(opTablesNote(emptyOpTables('empty.csv')), /^op tables empty\.csv: no rows;/);
  });
});
