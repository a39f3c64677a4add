import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseWorkspaceConfig } from '../../../../src/engine/config/workspace.js';
import { workloadFromWorkspace } from '../../../../src/engine/tune/inputs.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'servetune-ws-trace-'));
const configPath = join(dir, 'servetune.json');
writeFileSync(join(dir, 'mooncake.jsonl'), '{"timestamp": 0, "input_length": 100, "output_length": 10}\n');
writeFileSync(
  join(dir, 'azure.csv'),
  'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,100,20\n',
);

const workloadOf = (workload: unknown) =>
  workloadFromWorkspace(parseWorkspaceConfig(JSON.stringify({ workload }), configPath), configPath);

describe('servetune.json trace', () => {
  it('names servetune.json and its field for a trace that is not there, not a --workload nobody typed', () => {
    assert.throws(
      () => workloadOf({ trace: 'missing.csv' }),
      (e: unknown) =>
        isServeTuneError(e) &&
        e.where === `${configPath}:workload.trace` &&
        e.message === `${configPath}: workload.trace: ${join(dir, 'missing.csv')}: no such file`,
    );
  });

  it('holds the file to the "format" it names, which the reader (telling it from the file) ignored', () => {
    assert.deepEqual(workloadOf({ trace: 'mooncake.jsonl', format: 'mooncake-jsonl' }), {
      workload: join(dir, 'mooncake.jsonl'),
    });
    assert.deepEqual(workloadOf({ trace: 'azure.csv', format: 'azure-csv', rate: 2 }), {
      workload: join(dir, 'azure.csv'),
      rate: 2,
    });
    assert.throws(
      () => workloadOf({ trace: 'mooncake.jsonl', format: 'azure-csv' }),
      (e: unknown) =>
        isServeTuneError(e) &&
        e.where === `${configPath}:workload.format` &&
        /workload\.format: "azure-csv", but .*mooncake\.jsonl is a Mooncake JSONL trace/.test(e.message),
    );
  });
});
