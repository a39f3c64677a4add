import { statSync } from 'node:fs';
import { ServeTuneError } from '../util/errors.js';
import { mibText } from '../util/files.js';
import { type HeapRoom, heapLeft, heapRoom } from '../util/heap.js';

/**
 * JS heap a trace takes per byte of its file while it is read and sorted: the densest format, an Azure
 * CSV of about 36 bytes a request, needed more than 400 MiB of heap for a 200 MiB file and ran in 500
 * MiB. Other formats spend more bytes of file per request, and so less heap per byte.
 */
export const TRACE_HEAP_BYTES_PER_FILE_BYTE = 2.5;

/**
 * Refuses, before reading a line, a trace whose requests would not fit the heap left: MAX_TRACE_FILE_BYTES
 * is what Node's largest default heap (4 GiB) holds, and a machine with less memory gets a smaller one,
 * where a trace within that limit aborted the run ("JavaScript heap out of memory", or the editor's
 * worker dying) after reading most of it.
 */
export function checkTraceFitsHeap(file: string, heap: HeapRoom = heapRoom()): void {
  const bytes = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  const need = bytes * TRACE_HEAP_BYTES_PER_FILE_BYTE;
  const left = heapLeft(heap);
  if (need <= left) return;
  throw new ServeTuneError(
    `${file}: a ${mibText(bytes)} trace needs about ${mibText(need)} of memory to read, more than the ${mibText(left)} left of this process's ${mibText(heap.heap_size_limit)} heap; cut it into parts (e.g. with split -l) or give Node more (NODE_OPTIONS=--max-old-space-size=<MiB>)`,
    'invalid-config',
    file,
  );
}
