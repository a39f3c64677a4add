import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { settingPath } from '../../../src/extension/setting-path.js';

describe('paths in settings', () => {
  const folder = join('/', 'work', 'project');
  const home = join('/', 'home', 'me');

  it('reads a relative path from the workspace folder, not from the worker’s working folder', () => {
    assert.equal(settingPath('perf-db', folder, home), join(folder, 'perf-db'));
    assert.equal(settingPath(join('data', 'trace.csv'), folder, home), join(folder, 'data', 'trace.csv'));
  });

  it('expands ~ to the home folder, which VS Code leaves as written', () => {
    assert.equal(settingPath('~/perf-db', folder, home), join(home, 'perf-db'));
    assert.equal(settingPath('~', folder, home), home);
  });

  it('keeps absolute paths, and relative ones where no folder is open', () => {
    assert.equal(settingPath(join('/', 'data', 'db'), folder, home), join('/', 'data', 'db'));
    assert.equal(settingPath('perf-db', undefined, home), 'perf-db');
  });

  it('leaves a blank setting blank (unset), and trims the spaces around a path', () => {
    assert.equal(settingPath('  ', folder, home), '');
    assert.equal(settingPath(` ${join('/', 'data', 'db')} `, folder, home), join('/', 'data', 'db'));
  });
});
