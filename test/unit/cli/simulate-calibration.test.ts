import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getHardware } from '../../../src/engine/hardware/catalog.js';
import { defaultCalibrationFor } from '../../../src/engine/perf/calibration.js';

const cli = 'dist/cli.mjs';
const args = ['--model', 'llama-3.1-8b', '--hardware', 'l40s', '--workload', 'poisson:rate=2,n=5'];

describe('servetune simulate --calibration', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('names the calibration file its step times were fitted with, in text and JSON', () => {
    const calibration = { ...defaultCalibrationFor(getHardware('l40s')), source: 'fit:test' };
    const file = join(mkdtempSync(join(tmpdir(), 'servetune-calibration-')), 'calibration.json');
    writeFileSync(file, JSON.stringify(calibration));
    const text = execFileSync('node', [cli, 'simulate', ...args, '--calibration', file]).toString();
    assert.ok(text.includes(`calibrated with ${file} (fit:test)`), text);
    const json = JSON.parse(
      execFileSync('node', [cli, 'simulate', ...args, '--calibration', file, '--json']).toString(),
    );
    assert.equal(json.calibrationFile, file);
    assert.doesNotMatch(execFileSync('node', [cli, 'simulate', ...args]).toString(), /calibrated with/);
  });
});
