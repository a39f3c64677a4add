import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConfigFile } from '../../../src/extension/configs/candidate.js';

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
