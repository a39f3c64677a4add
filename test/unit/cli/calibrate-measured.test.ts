import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = 'dist/cli.mjs';

describe('calibrate --measured with a file that is no measured run', {
  skip: !existsSync(cli) && 'dist/cli.mjs not built',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-measured-'));
  const measured = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    const run = spawnSync(
      process.execPath,
      [cli, 'calibrate', '--measured', path, '--model', 'llama-3.1-8b', '--hardware', 'h100-sxm'],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 1, run.stderr);
    return run.stderr;
  };

  it('names the whole file, not an empty field, when it is not an object', () => {
    const stderr = measured('array.json', '[1, 2]');
    assert.match(stderr, /array\.json: not a run summary: the file as a whole: /);
    assert.doesNotMatch(stderr, /field ''/);
  });

  it('says a run summary is of another schema version', () => {
    assert.match(
      measured('v2.json', '{"schemaVersion": 2, "kind": "measured"}'),
      /v2\.json: not a run summary this ServeTune reads: its schemaVersion is 2, and this ServeTune reads version 1/,
    );
  });
});
