import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostKvTier } from '../../../../src/engine/sched/host-tier.js';
import { TestReplica } from '../../helpers/replica.js';

describe('KV pinning', () => {
  it('evicts pinned prefix blocks only after every unpinned one, and as LRU again once unpinned', () => {
    // 12 blocks of 16 tokens, 64 tokens a hash: two cached one-hash prefixes, then a prompt needing room.
    const replica = new TestReplica('vllm-v1', 12, {}, { hashBlockTokens: 64 });
    replica.add(65, 1, [100]);
    replica.runToCompletion();
    replica.add(65, 1, [200]);
    replica.runToCompletion();
    assert.equal(replica.kv.pin([100, 999]), 1, 'only what is cached is pinned');
    replica.add(65, 1, [300]);
    replica.runToCompletion();
    assert.equal(replica.kv.cachedPrefixTokens([100]), 64, 'the older but pinned prefix stayed');
    assert.equal(replica.kv.cachedPrefixTokens([200]), 0);
    replica.kv.unpin([100], 1);
    replica.add(65, 1, [400]);
    replica.runToCompletion();
    assert.equal(replica.kv.cachedPrefixTokens([300]), 64);
    assert.equal(replica.kv.cachedPrefixTokens([100]), 0, 'unpinned, it went as the least recently used');
  });
});

describe('KV offload to host memory', () => {
  it('keeps the most recently stored or hit hashes up to its capacity', () => {
    const tier = new HostKvTier(2);
    tier.store(1);
    tier.store(2);
    assert.ok(tier.hit(1), '1 is now the most recent');
    tier.store(3);
    assert.equal(tier.size, 2);
    assert.ok(tier.hit(1) && tier.hit(3));
    assert.ok(!tier.hit(2), 'the least recently used went');
    const none = new HostKvTier(0);
    none.store(1);
    assert.ok(!none.hit(1));
  });

  it('finds a prefix evicted from the GPU in host memory and copies it in over the host link', () => {
    // 12 blocks of 16 tokens, 64 tokens a hash: the third prompt evicts the first one's cached prefix.
    const run = (withTier: boolean) => {
      const replica = new TestReplica('vllm-v1', 12, {}, { hashBlockTokens: 64 });
      if (withTier) replica.kv.attachHostTier(new HostKvTier(100));
      for (const hashes of [[100, 101], [200, 201], [300]]) {
        replica.add(140, 1, hashes);
        replica.runToCompletion();
      }
      assert.equal(replica.kv.cachedPrefixTokens([100]), 0, 'evicted from the GPU');
      const again = replica.add(140, 1, [100, 101]);
      replica.plan.reset();
      replica.policy.schedule(replica.state, replica.plan);
      return { again, swapIn: replica.plan.swapInTokens, host: replica.state.hostHitTokens };
    };
    const offloaded = run(true);
    assert.equal(offloaded.again.cachedPromptTokens, 128, 'both blocks from host memory');
    assert.equal(offloaded.again.scheduledTokens, 140 - 128);
    assert.equal(offloaded.swapIn, 128);
    assert.equal(offloaded.host, 128);
    const plain = run(false);
    assert.equal(plain.again.cachedPromptTokens, 0);
    assert.equal(plain.swapIn, 0);
  });
});
