import type { RouterName } from './config.js';
import type { SimReplica } from './replica.js';

/**
 * Spreads arrivals over a pool's replicas. Deterministic: ties go to the lowest index.
 * - round-robin: in turn;
 * - least-outstanding: fewest requests waiting, running or swapped;
 * - least-kv: lowest KV use, counting the blocks the waiting requests will need;
 * - prefix-affinity: the replica whose prefix cache holds the longest prefix of the request, unless it is
 *   much busier than the least loaded one (then least-outstanding), as cache-aware routers do.
 */
export class Router {
  private next = 0;
  /** Outstanding requests by which a cache hit may exceed the least loaded replica and still win. */
  private static readonly AFFINITY_SLACK = 32;

  constructor(
    readonly name: RouterName,
    private readonly replicas: readonly SimReplica[],
  ) {}

  choose(hashIds: readonly number[]): SimReplica {
    const replicas = this.replicas;
    if (replicas.length === 1) return replicas[0];
    switch (this.name) {
      case 'round-robin': {
        const r = replicas[this.next];
        this.next = (this.next + 1) % replicas.length;
        return r;
      }
      case 'least-outstanding':
        return this.leastOutstanding();
      case 'least-kv': {
        let best = replicas[0];
        let bestLoad = Number.POSITIVE_INFINITY;
        for (const r of replicas) {
          const load = (r.kv.usedBlocks() + r.waitingTokens() / r.kv.blockSize) / r.kv.totalBlocks;
          if (load < bestLoad) {
            best = r;
            bestLoad = load;
          }
        }
        return best;
      }
      case 'prefix-affinity': {
        const least = this.leastOutstanding();
        if (hashIds.length === 0) return least;
        let best = least;
        let bestHit = 0;
        for (const r of replicas) {
          const hit = r.kv.cachedPrefixTokens(hashIds);
          if (hit > bestHit) {
            best = r;
            bestHit = hit;
          }
        }
        if (best.state.outstanding() > least.state.outstanding() + Router.AFFINITY_SLACK) return least;
        return best;
      }
    }
  }

  private leastOutstanding(): SimReplica {
    let best = this.replicas[0];
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const r of this.replicas) {
      const load = r.state.outstanding();
      if (load < bestLoad) {
        best = r;
        bestLoad = load;
      }
    }
    return best;
  }
}
