import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCalibration } from '../../../../src/engine/calibrate/load.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { defaultCalibrationFor } from '../../../../src/engine/perf/calibration.js';
import { calibrationForTarget } from '../../../../src/engine/perf/report.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { emptyProfile } from '../../helpers/profile.js';

describe('loadCalibration', () => {
  const hardware = getHardware('h100-sxm');
  const dir = mkdtempSync(join(tmpdir(), 'servetune-calibration-'));
  const saved = { ...defaultCalibrationFor(hardware), source: 'fit:test', stepOverheadSeconds: 2e-3 };
  const calibrationFile = join(dir, 'calibration.json');
  writeFileSync(calibrationFile, JSON.stringify(saved));
  const profile = emptyProfile();
  const profileFile = join(dir, 'profile.json');
  writeFileSync(profileFile, JSON.stringify(profile));

  it('neither: undefined, so the step model takes the device class defaults', () => {
    assert.equal(loadCalibration({}, hardware), undefined);
  });

  it('a saved calibration is read as it was written', () => {
    assert.deepEqual(loadCalibration({ calibration: calibrationFile }, hardware), saved);
  });

  it('a device profile is translated to the target GPU', () => {
    const loaded = loadCalibration({ profile: profileFile }, hardware);
    assert.deepEqual(loaded, calibrationForTarget(profile, hardware));
    assert.match(loaded?.source ?? '', /^profile:/);
  });

  it('both at once is refused, naming the flags', () => {
    assert.throws(
      () => loadCalibration({ calibration: calibrationFile, profile: profileFile }, hardware),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.where === '--calibration' &&
        /--profile or --calibration, not both/.test(error.message),
    );
  });

  it('a file that is not a calibration names the file and the field', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...saved, gemm: [] }));
    assert.throws(
      () => loadCalibration({ calibration: broken }, hardware),
      (error: unknown) =>
        isServeTuneError(error) && error.code === 'invalid-config' && error.where === `${broken}:gemm`,
    );
    assert.throws(
      () => loadCalibration({ calibration: join(dir, 'missing.json') }, hardware),
      (error: unknown) => isServeTuneError(error) && error.code === 'io',
    );
  });
});
