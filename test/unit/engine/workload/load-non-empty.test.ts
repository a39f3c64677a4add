import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { loadNonEmptyWorkload } from '../../../../src/engine/workload/load.js';

const SPEC = 'poisson:rate=2,prompt=fixed(64),output=fixed(8),n=10';
const refusal = () => ({ message: 'none kept', flag: '--skip' });

describe('loadNonEmptyWorkload', () => {
  it('gives the workload its cuts keep', () => {
    assert.equal(loadNonEmptyWorkload(SPEC, { skip: 4 }, refusal).requests.length, 6);
  });

  it("refuses one its cuts leave empty, in the caller's words and naming the caller's flag", () => {
    assert.throws(
      () => loadNonEmptyWorkload(SPEC, { skip: 10 }, refusal),
      (error) =>
        isServeTuneError(error) &&
        error.message === 'none kept' &&
        error.code === 'invalid-argument' &&
        error.where === '--skip',
    );
  });
});
