import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  nearestVersion,
  sortVersionsNewestFirst,
  versionPosition,
} from '../../../../src/engine/opdb/version.js';

describe('engine versions', () => {
  it('order releases, release candidates and dev builds as semver does', () => {
    assert.deepEqual(sortVersionsNewestFirst(['1.0.0', '1.3.0rc20', '1.3.0rc23', '1.3.0', '0.9.1', 'v1.2']), [
      '1.3.0',
      '1.3.0rc23',
      '1.3.0rc20',
      'v1.2',
      '1.0.0',
      '0.9.1',
    ]);
    assert.ok(versionPosition('0.1.dev19262') < versionPosition('0.1.0'));
    assert.ok(versionPosition('0.1.dev19262') > versionPosition('0.0.9'));
    assert.ok(Number.isNaN(versionPosition('nightly')));
  });

  it('pick the nearest measured version, the newest when none is wanted', () => {
    const measured = ['0.14.0', '0.24.0', '0.22.0'];
    assert.equal(nearestVersion(measured), '0.24.0');
    assert.equal(nearestVersion(measured, '0.22.0'), '0.22.0');
    assert.equal(nearestVersion(measured, '0.21.1'), '0.22.0');
    assert.equal(nearestVersion(measured, '0.15'), '0.14.0');
    assert.equal(nearestVersion(measured, '1.0.0'), '0.24.0');
    assert.equal(nearestVersion(measured, 'v0.23.9'), '0.24.0');
    assert.equal(nearestVersion(['1.3.0rc20', '1.0.0'], '1.3.0'), '1.3.0rc20');
    assert.equal(nearestVersion(measured, 'nightly'), '0.24.0');
    assert.equal(nearestVersion([], '1.0'), undefined);
  });
});
