import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSchedRequest } from '../../../../src/engine/sched/request.js';
import { HeldRequests } from '../../../../src/engine/sim/held-requests.js';
import type { SimRequest } from '../../../../src/engine/sim/replica.js';
import { TestReplica } from '../../helpers/replica.js';

const request = (id: number) => newSchedRequest(id, 100, 10, []) as SimRequest;

describe('HeldRequests', () => {
  it('releases what it holds into the waiting queue in arrival order, once', () => {
    const replica = new TestReplica('vllm-v1', 1024);
    const held = new HeldRequests();
    assert.equal(held.releaseInto(replica.state), false);
    for (const id of [7, 3, 5]) held.hold(request(id));
    assert.equal(held.count, 3);
    assert.equal(held.releaseInto(replica.state), true);
    assert.equal(held.count, 0);
    const waiting = replica.state.waiting;
    assert.deepEqual(
      Array.from({ length: waiting.length }, (_, i) => waiting.at(i).id),
      [7, 3, 5],
    );
    assert.equal(held.releaseInto(replica.state), false);
    assert.equal(waiting.length, 3);
  });

  it('take empties it and leaves the taken requests readable until the next hold', () => {
    const held = new HeldRequests();
    held.hold(request(1));
    held.hold(request(2));
    assert.equal(held.take(), 2);
    assert.equal(held.count, 0);
    assert.deepEqual([held.at(0).id, held.at(1).id], [1, 2]);
    held.hold(request(9));
    assert.equal(held.at(0).id, 9);
    assert.equal(held.take(), 1);
  });
});
