import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConfigFile } from '../../../src/extension/configs/candidate.js';

const MANIFEST = '{\n  "apiVersion": "apps/v1",\n  "kind": "Deployment"\n}\n';

describe('which editor documents are checked as serving configs', () => {
  it('YAML and shell scripts by name or language, whatever their text', () => {
    assert.equal(
      isConfigFile('/w/deploy.yaml', 'yaml', () => ''),
      true,
    );
    assert.equal(
      isConfigFile('/w/serve.sh', 'shellscript', () => ''),
      true,
    );
    assert.equal(
      isConfigFile('/w/compose', 'dockercompose', () => ''),
      true,
    );
  });

  it('a JSON Kubernetes manifest, by extension or by language', () => {
    assert.equal(
      isConfigFile('/w/deploy.json', 'json', () => MANIFEST),
      true,
    );
    assert.equal(
      isConfigFile('/w/deploy.json', 'plaintext', () => MANIFEST),
      true,
    );
    assert.equal(
      isConfigFile('/w/untitled', 'json', () => MANIFEST),
      true,
    );
  });

  it('not other JSON, and never servetune.json', () => {
    assert.equal(
      isConfigFile('/w/package.json', 'json', () => '{"name": "x"}'),
      false,
    );
    assert.equal(
      isConfigFile('/w/servetune.json', 'json', () => MANIFEST),
      false,
    );
    assert.equal(
      isConfigFile('/w/notes.txt', 'plaintext', () => MANIFEST),
      false,
    );
  });
});
