import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapLeft, heapRoom } from '../../../../src/engine/util/heap.js';

describe('heap room', () => {
  it('says what is left of the heap: its limit less what is in use', () => {
    assert.equal(heapLeft({ heap_size_limit: 4096, used_heap_size: 1024 }), 3072);
    const now = heapRoom();
    const left = heapLeft();
    assert.ok(left > 0 && left < now.heap_size_limit, `${left} of ${now.heap_size_limit}`);
  });
});
