import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouterName, SimulationConfigInput } from '../../../../src/engine/sim/config.js';
import type { SimReplica } from '../../../../src/engine/sim/replica.js';
import { RoutedPrefixes } from '../../../../src/engine/sim/routed-prefixes.js';
import { Router } from '../../../../src/engine/sim/router.js';
import { simulate } from '../../../../src/engine/sim/simulate.js';
import type { Workload } from '../../../../src/engine/workload/types.js';

const replicated = (router: RouterName, dp: number): SimulationConfigInput => ({
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  router,
  deployment: {
    kind: 'colocated',
    pool: {
      plan: { tp: 1, pp: 1, dp, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      scheduler: { policy: 'vllm-v1', maxModelLen: 8192, enablePrefixCaching: true },
    },
  },
});

describe('prefix-affinity routing', () => {
  it('a prefix every request shares (a system prompt) does not pull the traffic onto one replica', () => {
    // Each prompt: one shared 512-token block, then blocks of its own. Every warm replica holds the
    // shared block, so it says nothing about where a request's cache is; routed by it, every request
    // would go to the first replica that holds it.
    const requests = Array.from({ length: 400 }, (_, i) => ({
      arrival: i * 0.01,
      promptTokens: 4000,
      outputTokens: 50,
      hashIds: [7, ...Array.from({ length: 7 }, (_, j) => 1000 + i * 10 + j)],
    }));
    const w: Workload = { source: 'system prompt', hashBlockTokens: 512, requests };
    const affinity = simulate(replicated('prefix-affinity', 8), w);
    const least = simulate(replicated('least-outstanding', 8), w);
    assert.equal(affinity.requests.completed, 400);
    assert.equal(affinity.ttft!.mean, least.ttft!.mean, 'routed as least-outstanding is');
    assert.equal(affinity.tpot!.mean, least.tpot!.mean);
  });

  it('requests that share most of their prompt follow each other before any of it is cached', () => {
    // Twelve requests with the same 3072-token prefix arrive within 11 ms, before the first one's
    // prefill is done: nothing is cached yet, but the router remembers where it sent that prefix.
    const requests = Array.from({ length: 12 }, (_, i) => ({
      arrival: i * 0.001,
      promptTokens: 3500,
      outputTokens: 20,
      hashIds: [1, 2, 3, 4, 5, 6, 100 + i],
    }));
    const w: Workload = { source: 'burst', hashBlockTokens: 512, requests };
    const affinity = simulate(replicated('prefix-affinity', 4), w);
    const least = simulate(replicated('least-outstanding', 4), w);
    assert.equal(affinity.requests.completed, 12);
    assert.ok(
      affinity.prefixCache!.hitRate > least.prefixCache!.hitRate,
      `hit rate ${affinity.prefixCache!.hitRate} against ${least.prefixCache!.hitRate} scattered`,
    );
  });
});

describe('least-outstanding', () => {
  it('counts the requests a replica holds for its next step (overlap scheduling) as its own', () => {
    // Two arrivals within one step must not both go to the replica that looked least busy before the first.
    const replica = (outstanding: number, incoming: number) =>
      ({
        kv: { totalBlocks: 64, blocksPerHash: 1 },
        state: { outstanding: () => outstanding },
        incoming: { count: incoming },
      }) as unknown as SimReplica;
    const busy = replica(3, 2);
    const idle = replica(4, 0);
    const router = new Router('least-outstanding', [busy, idle]);
    assert.equal(router.choose({ id: 0, promptTokens: 100, blockHashes: [] }), idle);
  });

  it("counts a vLLM decode replica's KV pulls not yet read as its own", () => {
    const replica = (outstanding: number, pulls: number) =>
      ({
        kv: { totalBlocks: 64, blocksPerHash: 1 },
        state: { outstanding: () => outstanding },
        incoming: { count: 0 },
        kvLoads: { count: pulls },
      }) as unknown as SimReplica;
    const pulling = replica(1, 2);
    const other = replica(2, 0);
    const router = new Router('least-outstanding', [pulling, other]);
    assert.equal(router.choose({ id: 0, promptTokens: 100, blockHashes: [] }), other);
  });
});

describe('RoutedPrefixes', () => {
  it('matches the leading hashes routed to a replica, and forgets the least recently routed first', () => {
    const routed = new RoutedPrefixes([3, 3]);
    routed.record(0, [1, 2, 3]);
    assert.equal(routed.matched(0, [1, 2, 9]), 2);
    assert.equal(routed.matched(0, [2, 3]), 2);
    assert.equal(routed.matched(1, [1, 2, 3]), 0, 'another replica was sent none of it');
    routed.record(0, [1, 4]); // 1 is routed again; 2 is now the oldest and goes
    assert.equal(routed.matched(0, [1, 2]), 1);
    assert.equal(routed.matched(0, [3, 1, 4]), 3);
  });
});
