import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCalibration } from '../../../../src/engine/calibrate/load.js';
import { parseWorkspaceConfig } from '../../../../src/engine/config/workspace.js';
import { modelFromHfConfig } from '../../../../src/engine/model/hf-config.js';
import { readDeviceProfile } from '../../../../src/engine/perf/report.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { JsonSyntaxError, otherSchemaVersion, parseJsonText } from '../../../../src/engine/util/json-text.js';

const BOM = '\uFEFF';

describe('JSON files as users save them', () => {
  it('skips a byte-order mark, which JSON.parse refuses as an invisible token', () => {
    assert.throws(() => JSON.parse(`${BOM}{"a":1}`));
    assert.deepEqual(parseJsonText(`${BOM}{"a":1}`), { a: 1 });
  });

  it('places a syntax error by line and column, not by character offset', () => {
    const text = '{\n  "a": 1,\n  "b" 2\n}';
    assert.throws(
      () => parseJsonText(text),
      (error: unknown) =>
        error instanceof JsonSyntaxError && /^line 3, column 7: Unexpected number$/.test(error.message),
    );
    assert.throws(
      () => parseJsonText(`${BOM}{"a":1,}`),
      (error: unknown) =>
        error instanceof JsonSyntaxError &&
        /^line 1, column 8: Expected double-quoted property name$/.test(error.message),
    );
    assert.throws(() => parseJsonText(''), /Unexpected end of JSON input/);
  });

  it('reads servetune.json, calibrations, profiles and config.json saved with a byte-order mark', () => {
    assert.equal(parseWorkspaceConfig(`${BOM}{"hardware":"h100-sxm"}`).hardware, 'h100-sxm');
    assert.throws(
      () => parseWorkspaceConfig('{\n  "hardware": "h100-sxm",\n}', 'ws/servetune.json'),
      (error: unknown) =>
        isServeTuneError(error) &&
        /^ws\/servetune\.json: not valid JSON \(line 3, column 1: /.test(error.message),
    );
    const dir = mkdtempSync(join(tmpdir(), 'servetune-json-'));
    const calibration = join(dir, 'calibration.json');
    writeFileSync(calibration, `${BOM}{"schemaVersion": 1}`);
    // Past the mark, the file is judged on its fields, not refused for its first character.
    assert.throws(() => readCalibration(calibration), /not a calibration: field/);
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, `${BOM}{"schemaVersion": 1}`);
    assert.throws(() => readDeviceProfile(profile), /not a device profile/);
    assert.throws(
      () => modelFromHfConfig(`${BOM}{}`, 'config.json'),
      (error: unknown) => {
        return isServeTuneError(error) && !/not valid JSON/.test(error.message);
      },
    );
  });

  it('says a file is of another schema version, rather than naming the first field it fails', () => {
    assert.equal(otherSchemaVersion({ schemaVersion: 1 }, 1), undefined);
    assert.equal(otherSchemaVersion({ kind: 'x' }, 1), undefined);
    assert.match(
      otherSchemaVersion({ schemaVersion: 2 }, 1) ?? '',
      /schemaVersion is 2, and this ServeTune reads version 1/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'servetune-json-'));
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, '{"schemaVersion": 2, "device": {}}');
    assert.throws(
      () => readDeviceProfile(profile),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.where === `${profile}:schemaVersion` &&
        /not a device profile this ServeTune reads: its schemaVersion is 2/.test(error.message),
    );
  });
});
