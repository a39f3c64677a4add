import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { enumeratePlans, MAX_GPUS } from '../../../../src/engine/memory/plans.js';
import { findModel } from '../../../../src/engine/model/catalog.js';
import { SearchInput } from '../../../../src/engine/search/run.js';
import { Slo } from '../../../../src/engine/search/schema.js';
import { TuneBlockInput } from '../../../../src/engine/tune/schema.js';
import { divisors } from '../../../../src/engine/util/divisors.js';
import {
  checkInputFile,
  invalidUtf8Offset,
  MAX_CONFIG_FILE_BYTES,
  readConfigIfFile,
  readInputText,
} from '../../../../src/engine/util/files.js';

describe('divisors', () => {
  it('are every divisor, ascending, as trial division up to n finds them', () => {
    for (let n = 1; n <= 400; n++) {
      const slow = Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
      assert.deepEqual(divisors(n), slow, String(n));
    }
  });

  it('of an absurd GPU count take no time', () => {
    const started = performance.now();
    assert.deepEqual(
      divisors(99_999_999_999),
      [1, 3, 9, 21649, 64947, 194841, 513239, 1539717, 4619151, 11111111111, 33333333333, 99999999999],
    );
    assert.ok(performance.now() - started < 1000, 'the divisors of 10^11 in under a second');
  });

  it('bound the plans of a cluster to MAX_GPUS, which enumerate at once', () => {
    const model = findModel('llama-3.1-8b')!;
    const dtypes = { weightDtype: 'bf16', kvDtype: 'bf16' } as const;
    const started = performance.now();
    const report = enumeratePlans(model, getHardware('h100-sxm'), MAX_GPUS, dtypes);
    assert.ok(report.plans.length > 0);
    assert.ok(performance.now() - started < 5000, `plans of ${MAX_GPUS} GPUs in under 5 s`);
    assert.throws(
      () => enumeratePlans(model, getHardware('h100-sxm'), 99_999_999_999, dtypes),
      /--gpus must be a whole number from 1 to 100,000, got 99999999999/,
    );
  });
});

describe('thread counts', () => {
  it('the worker protocol refuses more threads than cores, saying how many there are', () => {
    const cores = availableParallelism();
    const search = {
      model: 'llama-3.1-8b',
      hardware: 'h100-sxm',
      gpus: 1,
      workload: 'poisson:rate=1,n=5',
      slo: Slo.parse({ ttft: 2, tbt: 0.1, form: 'percentile' }),
    };
    assert.equal(SearchInput.parse({ ...search, threads: cores }).threads, cores);
    const refused = SearchInput.safeParse({ ...search, threads: 2000 });
    assert.equal(refused.success, false);
    assert.match(refused.error!.issues[0].message, new RegExp(`more than this machine's ${cores} cores`));
    const tune = { path: 'x.sh', workload: 'poisson:rate=1,n=5', slo: search.slo };
    assert.equal(TuneBlockInput.safeParse({ ...tune, threads: 99_999 }).success, false);
    assert.equal(TuneBlockInput.safeParse({ ...tune, threads: 0 }).success, true);
  });
});

describe('files given to a flag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-'));

  it('must be regular files within the limit; the message names flag, path and limit', () => {
    const small = join(dir, 'small.json');
    writeFileSync(small, '{"a": 1}');
    assert.equal(readInputText(small, 1024, '--calibration'), '{"a": 1}');
    assert.throws(
      () => readInputText(small, 4, '--calibration'),
      /--calibration .*small\.json: 0\.00 MiB is larger than the 0\.00 MiB/,
    );
    assert.throws(
      () => checkInputFile('/dev/zero', 1024, '--op-tables'),
      /--op-tables \/dev\/zero: not a regular file \(a device, pipe or socket\)/,
    );
    assert.throws(() => checkInputFile(dir, 1024, '--profile'), /not a regular file \(a folder\)/);
    assert.throws(
      () => checkInputFile(join(dir, 'none'), 1024, '--profile'),
      /--profile .*none: no such file/,
    );
  });

  it('config files: absent is undefined, too large is an error naming the 2 MiB limit', () => {
    assert.equal(readConfigIfFile(join(dir, 'absent.yaml')), undefined);
    assert.equal(readConfigIfFile(dir), undefined);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, MAX_CONFIG_FILE_BYTES + 1);
    assert.throws(
      () => readConfigIfFile(big),
      /big\.yaml: 2\.00 MiB is larger than the 2\.00 MiB such a file may be/,
    );
  });

  it('the first byte that is not UTF-8 is found by its offset', () => {
    const text = new TextEncoder().encode('ab é 日本 😀');
    assert.equal(invalidUtf8Offset(text), undefined);
    for (const [bytes, offset] of [
      [[0x61, 0xff, 0x62], 1],
      [[0x61, 0x62, 0xc3], 2], // cut off
      [[0xc0, 0x80], 0], // overlong
      [[0x61, 0xed, 0xa0, 0x80], 1], // surrogate
      [[0xe6, 0x97, 0x41], 0],
    ] as const) {
      assert.equal(invalidUtf8Offset(Uint8Array.from(bytes)), offset, JSON.stringify(bytes));
    }
  });
});
