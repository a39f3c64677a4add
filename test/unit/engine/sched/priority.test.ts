import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enqueueWaiting } from '../../../../src/engine/sched/core.js';
import { Deque } from '../../../../src/engine/sched/deque.js';
import { newSchedRequest, type SchedRequest, servedBefore } from '../../../../src/engine/sched/request.js';
import { TestReplica } from '../../helpers/replica.js';

/** Adds a request of `priority` through the arrival path (`enqueueWaiting`). */
function arrive(
  rep: TestReplica,
  id: number,
  prompt: number,
  output: number,
  priority: number,
): SchedRequest {
  const r = newSchedRequest(id, prompt, output, [], priority);
  rep.targets.set(id, output);
  enqueueWaiting(rep.state, r);
  return r;
}

const waitingIds = (rep: TestReplica) =>
  Array.from({ length: rep.state.waiting.length }, (_, i) => rep.state.waiting.at(i).id);

describe('priority scheduling', () => {
  it('keeps an ordered deque ordered, ties after their equals, across wrap-around and growth', () => {
    const d = new Deque<number>(2);
    d.pushBack(5);
    d.shift();
    for (const x of [3, 1, 4, 1, 5, 9, 2, 6]) d.insertOrdered(x, (a, b) => a < b);
    assert.deepEqual(
      Array.from({ length: d.length }, (_, i) => d.at(i)),
      [1, 1, 2, 3, 4, 5, 6, 9],
    );
  });

  it('queues arrivals by priority then arrival under priority, in arrival order under fcfs', () => {
    for (const [policy, expected] of [
      ['priority', [2, 0, 3, 1]],
      ['fcfs', [0, 1, 2, 3]],
    ] as const) {
      const rep = new TestReplica('vllm-v1', 1000, { schedulingPolicy: policy });
      arrive(rep, 0, 100, 5, 1);
      arrive(rep, 1, 100, 5, 2);
      arrive(rep, 2, 100, 5, 0);
      arrive(rep, 3, 100, 5, 1);
      assert.deepEqual(waitingIds(rep), expected, policy);
    }
    assert.ok(servedBefore(newSchedRequest(9, 1, 1, [], 0), newSchedRequest(1, 1, 1, [], 1)));
  });

  it('preempts the lowest-priority running request, not the newest, when KV runs out', () => {
    for (const [policy, victim] of [
      ['priority', 0],
      ['fcfs', 1],
    ] as const) {
      // Two 64-token prompts fill 8 of 9 blocks; the low-priority one, admitted a step earlier, takes
      // the last block first, and the other's next block must come from a preemption.
      const rep = new TestReplica('vllm-v1', 9, { schedulingPolicy: policy, maxNumBatchedTokens: 4096 });
      const low = arrive(rep, 0, 64, 40, 5);
      rep.step();
      const high = arrive(rep, 1, 64, 40, 0);
      rep.step();
      for (let i = 0; i < 30 && low.preemptions + high.preemptions === 0; i++) rep.step();
      const preempted = [low, high].find((r) => r.preemptions > 0);
      assert.equal(preempted?.id, victim, policy);
      rep.runToCompletion();
      assert.equal(rep.finished.length, 2);
    }
  });
});
