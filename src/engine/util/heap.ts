import { getHeapStatistics } from 'node:v8';

/**
 * What checks of an input's size read of the JS heap: its limit and what is in use (bytes), as
 * v8.getHeapStatistics() gives them; a parameter of each check so tests can stand in for the heap.
 */
export interface HeapRoom {
  heap_size_limit: number;
  used_heap_size: number;
}

/** The heap of this process now. */
export function heapRoom(): HeapRoom {
  return getHeapStatistics();
}

/** Bytes of the heap not yet in use: what an input may still take before Node aborts. */
export function heapLeft(heap: HeapRoom = heapRoom()): number {
  return heap.heap_size_limit - heap.used_heap_size;
}
