import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EpGroup } from '../../../../src/engine/sim/ep-group.js';
import { fewestActiveRank, rankDispatchOf } from '../../../../src/engine/sim/rank-dispatch.js';
import type { SimReplica } from '../../../../src/engine/sim/replica.js';
import { Router } from '../../../../src/engine/sim/router.js';

/** A rank holding `prompts` (one request each, running) and `waiting` prompt tokens not yet scheduled. */
function rank(index: number, prompts: readonly number[], waiting: readonly number[] = []): SimReplica {
  const running = prompts.map((promptTokens) => ({ promptTokens }));
  return {
    index,
    epGroup: null,
    kv: { totalBlocks: 64, blocksPerHash: 1 },
    state: {
      running,
      swapped: { length: 0, at: () => undefined },
      outstanding: () => running.length + waiting.length,
    },
    incoming: { count: 0 },
    waitingTokens: () => waiting.reduce((a, b) => a + b, 0),
  } as unknown as SimReplica;
}

/** One server: the ranks joined in one EP group. */
function server(ranks: SimReplica[]): SimReplica[] {
  const group = new EpGroup();
  for (const r of ranks) {
    group.ranks.push(r);
    (r as { epGroup: EpGroup | null }).epGroup = group;
  }
  return ranks;
}

describe("TensorRT-LLM's attention-DP server balances its ranks", () => {
  it('gives a request to the rank with the fewest prompt tokens among those below the expected share', () => {
    // 3 + 2 + 2 + 3 active and one new: expected max(⌈11 / 4⌉, 3) = 3, so ranks 1 and 2 only; rank 2 has
    // fewer prompt tokens. Rank 3 has the fewest tokens of all, but is at the share.
    const ranks = [
      rank(0, [900, 900, 900]),
      rank(1, [1000, 1000]),
      rank(2, [900, 800]),
      rank(3, [10, 10, 10]),
    ];
    assert.equal(fewestActiveRank(ranks).index, 2);
  });

  it('counts the requests a rank holds for its scheduler as active, with their prompts', () => {
    const ranks = [rank(0, [500], [500]), rank(1, [600])];
    assert.equal(fewestActiveRank(ranks).index, 1);
  });

  it('with every rank at the same count, the fewest prompt tokens wins, ties to the lowest rank', () => {
    assert.equal(fewestActiveRank([rank(0, [800]), rank(1, [700]), rank(2, [700])]).index, 1);
  });

  it("the pool's round-robin picks the server; the server, not the turn, picks the rank", () => {
    const ranks = server([
      rank(0, [1000, 1000]),
      rank(1, [1000, 1000]),
      rank(2, [1000]),
      rank(3, [1000, 1000]),
    ]);
    const router = new Router('round-robin', ranks, 'fewest-active');
    const request = { id: 0, promptTokens: 1000, blockHashes: [] };
    assert.equal(router.choose(request).index, 2, 'in turn would be rank 0, which is full');
  });
});

describe('which servers dispatch to their own ranks', () => {
  it('TensorRT-LLM in every role; SGLang by bootstrap room on a disaggregated prefill; others by the router', () => {
    const trtllm = { id: 'trtllm' } as never;
    const sglang = { id: 'sglang' } as never;
    assert.equal(rankDispatchOf(trtllm, 'mixed', false), 'fewest-active');
    assert.equal(rankDispatchOf(trtllm, 'prefill', true), 'fewest-active');
    assert.equal(rankDispatchOf(trtllm, 'decode', true), 'fewest-active');
    assert.equal(rankDispatchOf(sglang, 'prefill', true), 'bootstrap-room');
    assert.equal(rankDispatchOf(sglang, 'decode', true), null);
    assert.equal(rankDispatchOf({ id: 'vllm' } as never, 'decode', true), null);
    assert.equal(rankDispatchOf(undefined, 'decode', true), null);
  });
});
