import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrivalOrder } from '../../../../src/engine/sim/arrival-order.js';

const at = (...arrivals: number[]) => arrivals.map((arrival) => ({ arrival }));

describe('arrival order', () => {
  it('is null for requests already in order, ties included', () => {
    assert.equal(arrivalOrder(at(0, 1, 1, 2)), null);
    assert.equal(arrivalOrder([]), null);
  });

  it('sorts by arrival time, ties in the given order', () => {
    assert.deepEqual(arrivalOrder(at(2, 1, 0, 1)), [2, 1, 3, 0]);
  });

  it('sorts within groups, each group after the one before it', () => {
    const pairs = (i: number) => Math.floor(i / 2);
    // Pairs (5, 0), (3, 4), (1, 2): each pair sorted, the pairs kept in their order.
    assert.deepEqual(arrivalOrder(at(5, 0, 3, 4, 1, 2), pairs), [1, 0, 2, 3, 4, 5]);
    assert.equal(arrivalOrder(at(0, 5, 3, 4, 1, 2), pairs), null, 'a later group may start earlier');
  });
});
