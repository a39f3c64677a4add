import { roomRank } from './bootstrap-room.js';
import type { RouterName } from './config.js';
import type { EpGroup } from './ep-group.js';
import { fewestActiveRank, type RankDispatch } from './rank-dispatch.js';
import type { SimReplica } from './replica.js';
import { RoutedPrefixes } from './routed-prefixes.js';

/** What routing looks at in a request: its prompt's length and prefix block hashes. */
interface RoutedRequest {
  /** Its index in the run: the stand-in for its bootstrap room where ranks are picked by room. */
  readonly id: number;
  readonly promptTokens: number;
  readonly blockHashes: readonly number[];
}

/**
 * Spreads arrivals over a pool's replicas. Deterministic: ties go to the lowest index.
 * - round-robin: in turn;
 * - least-outstanding: fewest requests waiting, running or swapped, or arrived and not yet scheduled;
 * - least-kv: lowest KV use, counting the blocks the waiting requests will need;
 * - prefix-affinity: as cache-aware routers do (SGLang's router, its defaults), the replica that was sent
 *   the longest prefix of the request (`RoutedPrefixes`), the least busy of those sent as much, when that
 *   prefix is at least half the prompt and the replica is not much busier than the least loaded one;
 *   otherwise least-outstanding. Without the share, a prefix every request shares (a system prompt) is
 *   on every warm replica and decides nothing, yet would send all traffic to one of them.
 * Where the engine's server dispatches to its own attention-DP ranks (`RankDispatch`: an SGLang
 * disaggregated prefill pool by bootstrap room, a TensorRT-LLM server by balancing), the policy picks the
 * server, an EP group of attention-DP ranks (in turn for round-robin, else the group of the replica it
 * picks), and the engine's dispatch the rank inside it.
 */
export class Router {
  private next = 0;
  /** Outstanding requests by which a cache hit may exceed the least loaded replica and still win. */
  private static readonly AFFINITY_SLACK = 32;
  /** The least share of the prompt a cached prefix must cover to route by it. */
  private static readonly AFFINITY_MIN_SHARE = 0.5;

  private readonly routedPrefixes: RoutedPrefixes;
  /** The servers that pick their own rank for a request: the replicas' EP groups (empty: none do). */
  private readonly serverGroups: readonly EpGroup[];
  private nextGroup = 0;

  constructor(
    readonly name: RouterName,
    private readonly replicas: readonly SimReplica[],
    private readonly dispatch: RankDispatch = null,
    private readonly seed = 0,
  ) {
    this.routedPrefixes = new RoutedPrefixes(
      replicas.map((r) => Math.floor(r.kv.totalBlocks / r.kv.blocksPerHash)),
    );
    const groups = new Set<EpGroup>();
    if (dispatch !== null) for (const r of replicas) if (r.epGroup !== null) groups.add(r.epGroup);
    this.serverGroups = [...groups];
  }

  choose(request: RoutedRequest): SimReplica {
    if (this.serverGroups.length === 0) return this.byPolicy(request);
    let group: EpGroup;
    if (this.name === 'round-robin') {
      group = this.serverGroups[this.nextGroup];
      this.nextGroup = (this.nextGroup + 1) % this.serverGroups.length;
    } else {
      const picked = this.byPolicy(request);
      if (picked.epGroup === null) return picked;
      group = picked.epGroup;
    }
    return this.dispatch === 'fewest-active'
      ? fewestActiveRank(group.ranks)
      : group.ranks[roomRank(request.id, this.seed, group.ranks.length)];
  }

  private byPolicy(request: RoutedRequest): SimReplica {
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
        const chosen = this.byPrefix(request);
        this.routedPrefixes.record(chosen.index, request.blockHashes);
        return chosen;
      }
    }
  }

  private byPrefix({ blockHashes, promptTokens }: RoutedRequest): SimReplica {
    const least = this.leastOutstanding();
    if (blockHashes.length === 0) return least;
    let best = least;
    let bestHashes = 0;
    for (const r of this.replicas) {
      const matched = this.routedPrefixes.matched(r.index, blockHashes);
      if (
        matched > bestHashes ||
        (matched === bestHashes && matched > 0 && r.state.outstanding() < best.state.outstanding())
      ) {
        best = r;
        bestHashes = matched;
      }
    }
    if (bestHashes * best.kv.hashBlockTokens < Router.AFFINITY_MIN_SHARE * promptTokens) return least;
    if (best.state.outstanding() > least.state.outstanding() + Router.AFFINITY_SLACK) return least;
    return best;
  }

  private leastOutstanding(): SimReplica {
    let best = this.replicas[0];
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const r of this.replicas) {
      // Requests held for the scheduler's next look (overlap scheduling, vLLM's KV pulls) are the
      // replica's already.
      const load = r.state.outstanding() + r.incoming.count + (r.kvLoads?.count ?? 0);
      if (load < bestLoad) {
        best = r;
        bestLoad = load;
      }
    }
    return best;
  }
}
