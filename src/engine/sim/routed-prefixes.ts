/**
 * A cache-aware router's own view of what each replica holds: the prefix hashes of the requests it sent
 * there, recorded when it routes them, as SGLang's router keeps its approximate tree. Routing on the
 * replicas' real caches instead would miss every request that arrives while an earlier one with the same
 * prefix is still queued or in prefill (nothing is cached yet), and scatter them. Each replica's view
 * forgets its least recently routed hashes beyond what its KV cache could hold.
 */
export class RoutedPrefixes {
  /** Per replica, its hashes in the order last routed (a Map keeps insertion order: oldest first). */
  private readonly views: Map<number, true>[];

  constructor(private readonly capacities: readonly number[]) {
    this.views = capacities.map(() => new Map());
  }

  /** Leading hashes of `hashes` that were routed to `replica` and not forgotten since. */
  matched(replica: number, hashes: readonly number[]): number {
    const view = this.views[replica];
    let n = 0;
    while (n < hashes.length && view.has(hashes[n])) n++;
    return n;
  }

  record(replica: number, hashes: readonly number[]): void {
    const view = this.views[replica];
    for (const h of hashes) {
      view.delete(h);
      view.set(h, true);
    }
    const capacity = this.capacities[replica];
    for (const h of view.keys()) {
      if (view.size <= capacity) break;
      view.delete(h);
    }
  }
}
