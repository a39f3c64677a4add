import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { Calibration } from '../../../../src/engine/perf/calibration.js';
import { calibrationForTarget, readDeviceProfile } from '../../../../src/engine/perf/report.js';
import type { DeviceProfile } from '../../../../src/engine/profile/schema.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { emptyProfile } from '../../helpers/profile.js';

// Device profiles (`--profile`) under hostile input: a profile file with any field changed is read
// and turned into a calibration of finite numbers, or refused with an error naming the file and the
// field; never a raw exception. A profile written out reads back the same.

const dir = mkdtempSync(join(tmpdir(), 'servetune-profile-prop-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function written(json: unknown): string {
  const file = join(dir, `p${files++}.json`);
  writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
}

const seconds = fc.oneof(
  fc.double({ min: 1e-9, max: 10, noNaN: true }),
  fc.constantFrom(0, 5e-324, 1e-300, 1e300),
);
const timingOf = (median: number) => ({ median, p10: median, p90: median, samples: 5 });
const size = fc.oneof(fc.integer({ min: 1, max: 65_536 }), fc.constantFrom(1, 2 ** 31, 2 ** 52));
const rate = fc.oneof(fc.double({ min: 0, max: 1e16, noNaN: true }), fc.constantFrom(0, 1e300));

const gemm = fc.record({
  kernel: fc.constantFrom('tiled', 'naive', 'gemv'),
  dtype: fc.constantFrom('f32', 'f16'),
  m: size,
  n: size,
  k: size,
  time: seconds.map(timingOf),
  flopsPerSecond: rate,
  bytesPerSecond: rate,
});
const copy = fc.record({ bytes: size, time: seconds.map(timingOf), bytesPerSecond: rate });
const decode = fc.record({
  dtype: fc.constantFrom('f32', 'f16'),
  batch: size,
  context: size,
  heads: fc.constantFrom(8, 32),
  kvHeads: fc.constantFrom(1, 8),
  headDim: fc.constantFrom(64, 128),
  blockSize: fc.constantFrom(16, 32),
  time: seconds.map(timingOf),
  bytesPerSecond: rate,
});

const profiles = fc
  .record({
    gemm: fc.array(gemm, { maxLength: 6 }),
    copy: fc.array(copy, { maxLength: 3 }),
    decodeAttention: fc.array(decode, { maxLength: 3 }),
    peak: rate,
    bandwidth: rate,
    catalogId: fc.constantFrom(null, 'h100-sxm', 'l40s', 'no-such-gpu'),
  })
  .map(
    ({ peak, bandwidth, ...rest }): DeviceProfile =>
      emptyProfile({
        ...rest,
        derived: {
          peakFlopsPerSecond: { f32: peak, f16: peak * 2 },
          copyBytesPerSecond: bandwidth,
          efficiency: null,
        },
      } as Partial<DeviceProfile>),
  );

function locatedOr<T>(file: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    assert.ok(isServeTuneError(error), `threw ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(error.where?.startsWith(file), `where: ${error.where}`);
    return undefined;
  }
}

function assertFiniteCalibration(calibration: Calibration): void {
  assert.ok(Calibration.safeParse(calibration).success, 'a valid calibration');
  JSON.stringify(calibration, (key, value) => {
    if (typeof value === 'number') assert.ok(Number.isFinite(value), `${key} = ${value}`);
    return value;
  });
}

describe('device profile reader (property)', () => {
  it('any measured tables: read back the same, and a calibration of finite numbers or a located error', () => {
    fc.assert(
      fc.property(profiles, fc.constantFrom('h100-sxm', 'l40s', 'a100-40gb-sxm'), (profile, target) => {
        const file = written(profile);
        const read = readDeviceProfile(file);
        assert.deepEqual(read, JSON.parse(JSON.stringify(profile)), 'round trip');
        const calibration = locatedOr(file, () => calibrationForTarget(read, getHardware(target)));
        if (calibration) assertFiniteCalibration(calibration);
      }),
      { numRuns: 150 },
    );
  });

  it('a field changed to anything, or any text: a profile or an error naming the file and field', () => {
    const hostile = fc.oneof(
      fc.constantFrom(null, -1, 0, 1.5, 'x', [], {}, true, 1e308),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const keys = Object.keys(emptyProfile());
    fc.assert(
      fc.property(profiles, fc.constantFrom(...keys), hostile, (profile, key, value) => {
        const file = written({ ...profile, [key]: value });
        locatedOr(file, () => readDeviceProfile(file));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const file = written(text);
        locatedOr(file, () => readDeviceProfile(file));
      }),
      { numRuns: 100 },
    );
  });
});
