import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSimulationFits, SIMULATED_REQUEST_BYTES } from '../../../../src/engine/sim/memory-budget.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import { runInSmallHeap } from '../../helpers/small-heap.js';

const MIB = 1024 ** 2;

describe('simulation memory budget', () => {
  it('lets a run through while the heap left holds its requests, and refuses it past that', () => {
    const heap = { heap_size_limit: 4096 * MIB, used_heap_size: 1024 * MIB };
    const fits = Math.floor((3072 * MIB) / SIMULATED_REQUEST_BYTES);
    assert.doesNotThrow(() => checkSimulationFits(fits, heap));
    assert.throws(
      () => checkSimulationFits(fits + 1, heap),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.where === '--requests' &&
        /requests need about 3\.0 GiB .* than the 3\.0 GiB left of this process's 4\.0 GiB heap/.test(
          error.message,
        ) &&
        /--max-old-space-size/.test(error.message),
    );
  });

  it('turns a run too large for the heap into an error, not a V8 out-of-memory abort', () => {
    // 300,000 requests need about 120 MB of simulator state: past a 96 MiB heap, which still holds
    // the workload itself. Without the check Node aborts (status 134) mid-run.
    const printed = runInSmallHeap(
      96,
      `const { loadWorkload } = (await import('./src/engine/workload/load.ts')).default;
      const { simulate } = (await import('./src/engine/sim/simulate.ts')).default;
      const workload = loadWorkload('poisson:rate=1000,n=300000,prompt=fixed(10),output=fixed(1)');
      const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' };
      const pool = { plan, scheduler: { policy: 'vllm-v1' } };
      simulate({ model: 'llama-3.1-8b', hardware: 'h100-sxm', deployment: { kind: 'colocated', pool } }, workload);
      console.log('ran');`,
    );
    assert.match(printed, /^ServeTuneError: simulate: 300,000 requests need about/);
  });
});
