import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCalibrationAndNote } from '../../../../src/engine/calibrate/load.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { emptyProfile, timing } from '../../helpers/profile.js';

describe('a profile used for another device', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-transfer-'));
  const write = (name: string, profile: object) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };
  const h100 = getHardware('h100-sxm');
  const vulkan = write(
    'vulkan.json',
    emptyProfile({
      adapter: { ...emptyProfile().adapter, description: 'llvmpipe (LLVM 15.0.6)' },
      gemm: [
        {
          m: 256,
          n: 256,
          k: 256,
          dtype: 'f32',
          kernel: 'tiled',
          time: timing(1e-3),
          flopsPerSecond: 3.3e10,
          bytesPerSecond: 0,
        },
      ],
    } as never),
  );

  it('says which device measured it, that it is not the target, and what is carried over', () => {
    const { note } = loadCalibrationAndNote({ profile: vulkan }, h100);
    assert.ok(note, 'a note is given');
    assert.match(note, /llvmpipe \(LLVM 15\.0\.6\)/);
    assert.match(note, /not on NVIDIA H100/);
    assert.match(note, /carried over: the measured efficiency .* of gemm/);
    assert.match(note, /not carried: .*launch.*overhead/);
    assert.match(note, /error of this transfer has not been measured/);
  });

  it('says nothing for a profile of the target itself, or without a profile', () => {
    const own = write('own.json', emptyProfile({ catalogId: 'h100-sxm' }));
    assert.equal(loadCalibrationAndNote({ profile: own }, h100).note, undefined);
    assert.equal(loadCalibrationAndNote({}, h100).note, undefined);
  });
});
