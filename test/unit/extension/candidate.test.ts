import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_CONFIG_FILE_BYTES, readInputText } from '../../../src/engine/util/files.js';
import { configTooLarge, isConfigFile } from '../../../src/extension/configs/candidate.js';

const MANIFEST = '{\n  "apiVersion": "apps/v1",\n  "kind": "Deployment"\n}\n';

/** [path, language, text, checked] */
type Case = [string, string, string, boolean];

function assertCases(cases: Case[]): void {
  for (const [path, language, text, checked] of cases)
    assert.equal(
      isConfigFile(path, language, () => text),
      checked,
      `${path} (${language})`,
    );
}

describe('which editor documents are checked as serving configs', () => {
  it('YAML and shell scripts by name or language, whatever their text', () => {
    assertCases([
      ['/w/deploy.yaml', 'yaml', '', true],
      ['/w/serve.sh', 'shellscript', '', true],
      ['/w/compose', 'dockercompose', '', true],
    ]);
  });

  it('a JSON Kubernetes manifest, by extension or by language', () => {
    assertCases([
      ['/w/deploy.json', 'json', MANIFEST, true],
      ['/w/deploy.json', 'plaintext', MANIFEST, true],
      ['/w/untitled', 'json', MANIFEST, true],
    ]);
  });

  it('not other JSON, and never servetune.json', () => {
    assertCases([
      ['/w/package.json', 'json', '{"name": "x"}', false],
      ['/w/servetune.json', 'json', MANIFEST, false],
      ['/w/notes.txt', 'plaintext', MANIFEST, false],
    ]);
  });
});

describe('a config too large for the worker is not sent to it', () => {
  it('says what `servetune check` says of the same file, and nothing for one that fits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-large-'));
    const path = join(dir, 'deploy.json');
    // A manifest just over the limit (what `check` reads with readInputText), padded in a string.
    const text = `{"apiVersion": "apps/v1", "kind": "Deployment", "pad": "${'x'.repeat(MAX_CONFIG_FILE_BYTES)}"}\n`;
    writeFileSync(path, text);
    assert.throws(
      () => readInputText(path, MAX_CONFIG_FILE_BYTES),
      (error: Error) => {
        assert.equal(configTooLarge(path, text), error.message);
        return true;
      },
    );
    assert.match(
      configTooLarge(path, text) ?? '',
      /deploy\.json: 2\.00 MiB is larger than the 2\.00 MiB such a file may be \(docs\/limits\.md\)$/,
    );
    assert.equal(configTooLarge(path, MANIFEST), undefined);
    // Counted in UTF-8 bytes: 700,000 three-byte characters are over 2 MiB, though 700,000 long.
    assert.notEqual(configTooLarge(path, '\u20ac'.repeat(700_000)), undefined);
    assert.equal(configTooLarge(path, 'x'.repeat(MAX_CONFIG_FILE_BYTES)), undefined);
  });
});
