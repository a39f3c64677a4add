import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';
import {
  checkDrawnRequestsFit,
  checkSimulationFits,
  DRAWN_REQUEST_BYTES,
  SIMULATED_REQUEST_BYTES,
} from '../../../../src/engine/workload/request-memory.js';
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
        /requests need about 3072 MiB .* than the 3072 MiB left of this process's 4096 MiB heap/.test(
          error.message,
        ) &&
        /--max-old-space-size/.test(error.message),
    );
  });

  it('counts requests still to draw twice: as drawn ones and as simulated ones', () => {
    const heap = { heap_size_limit: 4096 * MIB, used_heap_size: 1024 * MIB };
    const fits = Math.floor((3072 * MIB) / (DRAWN_REQUEST_BYTES + SIMULATED_REQUEST_BYTES));
    assert.doesNotThrow(() => checkDrawnRequestsFit(fits, heap));
    assert.throws(() => checkDrawnRequestsFit(fits + 1, heap), /requests need about 3072 MiB of memory/);
  });

  it('turns a run too large for the heap into an error, not a V8 out-of-memory abort', () => {
    // 300,000 requests need about 120 MB of simulator state: past a 96 MiB heap, which still holds
    // the workload itself (built here, not drawn from a spec, which is refused before drawing).
    const printed = runInSmallHeap(
      96,
      `const { simulate } = (await import('./src/engine/sim/simulate.ts')).default;
      const requests = Array.from({ length: 300000 }, (_, i) => ({ arrival: i / 1000, promptTokens: 10, outputTokens: 1 }));
      const workload = { source: 'built', requests, hashBlockTokens: 16 };
      const plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' };
      const pool = { plan, scheduler: { policy: 'vllm-v1' } };
      simulate({ model: 'llama-3.1-8b', hardware: 'h100-sxm', deployment: { kind: 'colocated', pool } }, workload);
      console.log('ran');`,
    );
    assert.match(printed, /^ServeTuneError: simulate: 300,000 requests need about/);
  });

  it('refuses a spec whose requests would not fit before drawing one (every command loads specs so)', () => {
    // 2,000,000 drawn requests alone take about 150 MB: drawing them in a 96 MiB heap was a V8 abort.
    const printed = runInSmallHeap(
      96,
      `const { loadWorkload } = (await import('./src/engine/workload/load.ts')).default;
      loadWorkload('poisson:rate=1000,n=2000000,prompt=fixed(10),output=fixed(1)');
      console.log('drawn');`,
    );
    assert.match(printed, /^ServeTuneError: simulate: 2,000,000 requests need about 954 MiB of memory/);
  });
});
