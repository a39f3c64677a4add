import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseWorkspaceConfig, WorkspaceConfig } from '../../../../src/engine/config/workspace.js';
import {
  findWorkspaceConfig,
  sloFromWorkspace,
  workloadFromWorkspace,
} from '../../../../src/engine/tune/inputs.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

// servetune.json under hostile input: any text is a config whose workload and SLO the search can take,
// or an error naming the file and the field; never a raw exception or ZodError. A config written out
// reads back the same.

const FILE = '/work/project/servetune.json';

function locatedOr<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    assert.ok(isServeTuneError(error), `threw ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(error.where?.startsWith(FILE), `where: ${error.where}`);
    assert.ok(error.message.startsWith(FILE), `message: ${error.message}`);
    return undefined;
  }
}

// biome-ignore format: a dense list of hostile values reads better packed
const hostile = fc.oneof(
  fc.constantFrom(0, -1, 1, 0.5, 1e308, 50, 90, 99, 100, '', 'x', '2', null, true, [], {}, { spec: '' }, { trace: 'a.csv', rate: -1 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const positive = fc.double({ min: 1e-6, max: 1e6, noNaN: true });
const valid = fc.record(
  {
    workload: fc.oneof(
      fc.record({ spec: fc.string({ minLength: 1, maxLength: 30 }) }),
      fc.record(
        {
          trace: fc.string({ minLength: 1, maxLength: 20 }),
          rate: positive,
          format: fc.constantFrom('azure-csv', 'mooncake-jsonl'),
        },
        { requiredKeys: ['trace'] },
      ),
    ),
    slo: fc.record(
      { ttft: positive, tbt: positive, tpot: positive, percentile: fc.constantFrom(50, 90, 99, 95, 1, 99.9) },
      { requiredKeys: [] },
    ),
    hardware: fc.string({ minLength: 1, maxLength: 12 }),
  },
  { requiredKeys: [] },
);

function readAll(text: string): void {
  const config = locatedOr(() => parseWorkspaceConfig(text, FILE));
  if (!config) return;
  const workload = locatedOr(() => workloadFromWorkspace(config, FILE));
  if (workload) assert.ok(workload.workload.length > 0);
  const slo = locatedOr(() => sloFromWorkspace(config, FILE));
  if (slo) {
    assert.ok(['p50', 'p90', 'p99'].includes(slo.percentile));
    // At least one target the search ranks by; one left out is absent (unconstrained), never NaN or 0.
    const given = [slo.ttft, slo.tbt, slo.tpot].filter((t) => t !== undefined);
    assert.ok(given.length > 0 && given.every((t) => t > 0 && Number.isFinite(t)));
  }
}

describe('servetune.json (property)', () => {
  it('round trip: a valid config written out reads back the same', () => {
    fc.assert(
      fc.property(valid, (config) => {
        const plain = JSON.parse(JSON.stringify(config));
        const read = parseWorkspaceConfig(JSON.stringify(config, null, 2), FILE);
        assert.deepEqual(read, WorkspaceConfig.parse(plain));
        readAll(JSON.stringify(config));
      }),
      { numRuns: 200 },
    );
  });

  it('any field set to anything, added or the whole text random: a config or a located error', () => {
    fc.assert(
      fc.property(
        valid,
        fc.constantFrom(
          'workload',
          'slo',
          'hardware',
          '$schema',
          'extra',
          'slo.ttft',
          'slo.percentile',
          'workload.rate',
        ),
        hostile,
        (config, key, value) => {
          const copy = JSON.parse(JSON.stringify(config)) as Record<string, Record<string, unknown>>;
          const [outer, inner] = key.split('.') as [string, string | undefined];
          if (inner && copy[outer] && typeof copy[outer] === 'object') copy[outer][inner] = value;
          else (copy as Record<string, unknown>)[outer] = value;
          readAll(JSON.stringify(copy));
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => readAll(text)));
  });

  it('found from a folder below it, and a folder of that name is skipped, not read', () => {
    const root = mkdtempSync(join(tmpdir(), 'servetune-ws-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'a', 'b', 'servetune.json'), { recursive: true });
    writeFileSync(join(root, 'servetune.json'), '{"slo":{"ttft":1,"tbt":0.1,"percentile":90}}');
    const found = findWorkspaceConfig(join(root, 'a', 'b'));
    assert.equal(found?.path, join(root, 'servetune.json'));
  });
});
