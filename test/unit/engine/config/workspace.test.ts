import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseWorkspaceConfig, workspaceConfigJsonSchema } from '../../../../src/engine/config/index.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

describe('servetune.json', () => {
  test('a workload spec, SLOs in seconds', () => {
    const config = parseWorkspaceConfig(
      JSON.stringify({
        workload: { spec: 'poisson rate=4' },
        slo: { ttft: 2, tpot: 0.05 },
        hardware: 'h100-sxm',
      }),
    );
    assert.deepEqual(config.slo, { ttft: 2, tpot: 0.05 });
  });

  test('a trace workload', () => {
    const config = parseWorkspaceConfig(JSON.stringify({ workload: { trace: 'traces/conv.csv', rate: 4 } }));
    assert.deepEqual(config.workload, { trace: 'traces/conv.csv', rate: 4 });
  });

  test('errors name the file and the field', () => {
    assert.throws(
      () => parseWorkspaceConfig(JSON.stringify({ slo: { ttft: -1 } }), 'ws/servetune.json'),
      (error: unknown) => isServeTuneError(error) && error.message.startsWith('ws/servetune.json: slo.ttft:'),
    );
    assert.throws(
      () => parseWorkspaceConfig('{ "slo": ', 'servetune.json'),
      (error: unknown) => isServeTuneError(error) && /not valid JSON/.test(error.message),
    );
    assert.throws(() => parseWorkspaceConfig(JSON.stringify({ slos: {} })), /servetune.json: \(root\)/);
  });

  test('the committed JSON schema matches the zod schema (regenerate: npx tsx scripts/write-schemas.ts)', () => {
    const committed = JSON.parse(readFileSync('schemas/servetune.schema.json', 'utf8'));
    assert.deepEqual(committed, workspaceConfigJsonSchema());
  });
});
