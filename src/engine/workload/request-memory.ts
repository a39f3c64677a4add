import { ServeTuneError } from '../util/errors.js';
import { mibText } from '../util/files.js';
import { type HeapRoom, heapLeft, heapRoom } from '../util/heap.js';

/**
 * JS heap one simulated request holds until the run is summarized (its simulator state, records and
 * metrics), on top of the workload already loaded. Measured on `simulate` of
 * `poisson:rate=1000,n=1000000,prompt=fixed(10),output=fixed(1)`: it ran in a 500 MiB heap and ran out
 * of memory in 400 MiB, the workload itself taking about 100 MiB of that.
 */
export const SIMULATED_REQUEST_BYTES = 400;

/**
 * JS heap one drawn request of a spec holds (its arrival and lengths; a shared prefix or a session adds
 * its block hashes). Measured: 1,000,000 requests of `poisson:rate=1000,prompt=fixed(10),output=fixed(1)`
 * took 75 MB of heap after a collection; rounded up for the requests that carry more.
 */
export const DRAWN_REQUEST_BYTES = 100;

/**
 * Refuses a simulation of more requests than the heap left can hold, before any is built: past it
 * Node aborts with "JavaScript heap out of memory" and a V8 trace (the CLI exits 134, the editor's
 * worker dies) instead of an error that says what to change. `n=10000000` needs about 4 GiB, the
 * whole of Node's default heap on a 16 GB machine.
 */
export function checkSimulationFits(requests: number, heap: HeapRoom = heapRoom()): void {
  refuseUnlessFits(requests, requests * SIMULATED_REQUEST_BYTES, heap);
}

/**
 * `checkSimulationFits` for the requests a spec is about to draw, before drawing any: they take the heap
 * twice, as drawn requests and then as simulated ones. Drawing 10,000,000 took 5 s and 0.75 GiB before
 * the simulation's own check refused them.
 */
export function checkDrawnRequestsFit(requests: number, heap: HeapRoom = heapRoom()): void {
  refuseUnlessFits(requests, requests * (DRAWN_REQUEST_BYTES + SIMULATED_REQUEST_BYTES), heap);
}

function refuseUnlessFits(requests: number, need: number, heap: HeapRoom): void {
  const left = heapLeft(heap);
  if (need <= left) return;
  throw new ServeTuneError(
    `simulate: ${requests.toLocaleString('en-US')} requests need about ${mibText(need)} of memory to simulate, more than the ${mibText(left)} left of this process's ${mibText(heap.heap_size_limit)} heap; simulate fewer (--requests, --duration, or n= of the spec) or give Node more (NODE_OPTIONS=--max-old-space-size=<MiB>)`,
    'invalid-argument',
    '--requests',
  );
}
