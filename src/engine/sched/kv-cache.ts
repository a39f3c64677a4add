import type { HostKvTier } from './host-tier.js';
import type { SchedRequest } from './request.js';

/**
 * The paged KV cache as a scheduler needs it: how many blocks are free, and growing or releasing a
 * request's blocks. This implementation only counts blocks (the simulator needs no block tables); a
 * real engine implements the same interface over its physical block table.
 */
export interface KvBlockManager {
  readonly blockSize: number;
  readonly totalBlocks: number;
  /** Blocks an allocation can use now: free ones plus cached blocks no running request holds (evictable). */
  availableBlocks(): number;
  /** Blocks holding live requests' KV (cached-but-evictable blocks not counted). */
  usedBlocks(): number;
  /** Blocks a sequence of `tokens` tokens holds, whole (see KvSequenceShape). */
  blocksFor(tokens: number): number;
  /** More blocks `r` needs to hold `tokens` tokens. */
  blocksNeeded(r: SchedRequest, tokens: number): number;
  /** Grows `r`'s blocks to hold `tokens` tokens; false (and no change) if they are not available. */
  growTo(r: SchedRequest, tokens: number): boolean;
  /** Releases everything `r` holds; its full prompt blocks stay cached when prefix caching is on. */
  release(r: SchedRequest): void;
  /**
   * Looks up `r`'s prompt prefix in the cache and takes a reference on the hit blocks; sets and returns
   * the tokens found. Called on admission of a request with nothing computed.
   */
  acquirePrefix(r: SchedRequest): number;
  /**
   * Of the tokens the last `acquirePrefix` found, how many came from a host tier (`HostKvTier`): they
   * are loaded over the host link, into blocks of the request's own. 0 without a host tier.
   */
  readonly hostHitTokens: number;
  /** Publishes `r`'s full prompt blocks to the prefix cache once its prompt is computed. */
  publishPrefix(r: SchedRequest): void;
  readonly prefixCachingEnabled: boolean;
}

/**
 * What a sequence holds where not every layer keeps every token, in blocks of `blockSize` tokens of the
 * full layers' bytes (model/geometry.ts KvBlockShape): a sequence of t tokens holds
 * ceil(fullShare·t / B) + ceil(slidingShare·min(t, window) / B) + stateBlocks blocks. Sliding-window
 * layers keep their last `window` tokens (slidingShare: their bytes per token over the unit's);
 * linear-attention layers a constant state. A model without full layers counts in its sliding layers'
 * bytes (fullShare 0, slidingShare 1). Absent: every layer keeps every token, ceil(t / B).
 */
export interface KvSequenceShape {
  fullShare: number;
  slidingShare: number;
  window: number;
  stateBlocks: number;
}

/** Room for each request's own prefix hashes (2^20 hashes: 512 M tokens at 512 tokens a hash). */
const OWN_HASHES_PER_REQUEST = 2 ** 20;

interface CacheEntry {
  hash: number;
  refs: number;
  /** Pins holding it for a session's next turn (`pin`): evicted only when nothing unpinned is left. */
  pins: number;
  /** LRU list links, only meaningful while `refs` is 0. */
  prev: CacheEntry | null;
  next: CacheEntry | null;
}

/**
 * Counting block manager with vLLM-style automatic prefix caching: cached blocks are keyed by a hash
 * of the prefix up to them (traces give these as `hash_ids`, one per `hashBlockTokens` tokens). A
 * cached block that no request references is evictable, least recently used first.
 */
export class CountingKvBlockManager implements KvBlockManager {
  private free: number;
  private evictable = 0;
  private readonly cache = new Map<number, CacheEntry>();
  private readonly spareEntries: CacheEntry[] = [];
  /** LRU list of evictable entries: head is the oldest. */
  private lruHead: CacheEntry | null = null;
  private lruTail: CacheEntry | null = null;
  /** KV blocks one prefix hash covers. */
  readonly blocksPerHash: number;
  /** Whether every layer keeps every token: blocksFor(t) = ceil(t / B), the hot path. */
  private readonly uniform: boolean;
  private readonly fullShare: number;
  private readonly slidingShare: number;
  private readonly window: number;
  private readonly stateBlocks: number;
  /** Where evicted cached blocks go, with KV offload to host memory; null without. */
  private hostTier: HostKvTier | null = null;
  hostHitTokens = 0;

  constructor(
    readonly totalBlocks: number,
    readonly blockSize: number,
    readonly hashBlockTokens: number,
    readonly prefixCachingEnabled: boolean,
    shape?: KvSequenceShape,
  ) {
    this.free = totalBlocks;
    this.blocksPerHash = Math.max(1, Math.ceil(hashBlockTokens / blockSize));
    this.fullShare = shape?.fullShare ?? 1;
    this.slidingShare = shape?.slidingShare ?? 0;
    this.window = shape?.window ?? 0;
    this.stateBlocks = shape?.stateBlocks ?? 0;
    this.uniform = this.fullShare === 1 && this.slidingShare === 0 && this.stateBlocks === 0;
  }

  /** Keeps evicted cached blocks in `tier`, and finds prompt prefixes there after the GPU cache. */
  attachHostTier(tier: HostKvTier): void {
    this.hostTier = tier;
  }

  blocksFor(tokens: number): number {
    if (this.uniform) return Math.ceil(tokens / this.blockSize);
    if (tokens <= 0) return 0;
    return (
      Math.ceil((this.fullShare * tokens) / this.blockSize) +
      Math.ceil((this.slidingShare * Math.min(tokens, this.window)) / this.blockSize) +
      this.stateBlocks
    );
  }

  availableBlocks(): number {
    return this.free + this.evictable;
  }

  usedBlocks(): number {
    return this.totalBlocks - this.free - this.evictable;
  }

  /** Blocks holding cached prefixes that no request references: evictable, taken when needed. */
  cachedBlocks(): number {
    return this.evictable;
  }

  blocksNeeded(r: SchedRequest, tokens: number): number {
    const held = r.blocks + r.sharedHashes * this.blocksPerHash;
    const need = this.blocksFor(tokens) - held;
    return Math.max(need, 0);
  }

  growTo(r: SchedRequest, tokens: number): boolean {
    const need = this.blocksNeeded(r, tokens);
    if (need === 0) return true;
    if (need > this.free + this.evictable) return false;
    while (this.free < need) this.evictOldest();
    this.free -= need;
    r.blocks += need;
    return true;
  }

  release(r: SchedRequest): void {
    // The full blocks it computed stay cached (a preempted request finds them again when recomputed).
    if (this.prefixCachingEnabled && !r.prefixPublished)
      this.publishUpTo(r, Math.min(r.computed, r.promptTokens));
    this.free += r.blocks;
    r.blocks = 0;
    // Last blocks first, as vLLM v1 frees them: they are evicted first, so the prefix stays reachable.
    for (let i = r.sharedHashes - 1; i >= 0; i--) {
      const entry = this.cache.get(this.hashAt(r, i));
      if (entry) this.unref(entry);
    }
    r.sharedHashes = 0;
    r.prefixPublished = false;
  }

  acquirePrefix(r: SchedRequest): number {
    r.cachedPromptTokens = 0;
    this.hostHitTokens = 0;
    if (!this.prefixCachingEnabled || r.computed > 0) return 0;
    // Only full blocks of the prompt can be shared, and the last prompt token is always recomputed.
    const usable = Math.min(this.hashCount(r), Math.floor((r.promptTokens - 1) / this.hashBlockTokensOf()));
    let hits = 0;
    while (hits < usable) {
      const entry = this.cache.get(this.hashAt(r, hits));
      if (!entry) break;
      if (entry.refs === 0) {
        this.unlink(entry);
        this.evictable -= this.blocksPerHash;
      }
      entry.refs++;
      hits++;
    }
    r.sharedHashes = hits;
    // The prefix may go on in host memory: those blocks are loaded into the request's own blocks.
    let hostHits = 0;
    const tier = this.hostTier;
    if (tier !== null)
      while (hits + hostHits < usable && tier.hit(r.blockHashes[hits + hostHits])) hostHits++;
    this.hostHitTokens = hostHits * this.hashBlockTokensOf();
    const tokens = (hits + hostHits) * this.hashBlockTokensOf();
    r.computed = tokens;
    r.cachedPromptTokens = tokens;
    r.prefixPublished = false;
    return tokens;
  }

  publishPrefix(r: SchedRequest): void {
    r.prefixPublished = true;
    if (this.prefixCachingEnabled) this.publishUpTo(r, r.promptTokens);
  }

  /** Makes `r`'s own blocks for its first `tokens` prompt tokens (whole hashes) shared cache entries. */
  private publishUpTo(r: SchedRequest, tokens: number): void {
    const full = Math.min(this.hashCount(r), Math.floor(tokens / this.hashBlockTokensOf()));
    for (let i = r.sharedHashes; i < full; i++) {
      // The request's own blocks for this prefix become shared cache entries; if another request
      // published the same prefix first, this copy is dropped and the shared one referenced instead.
      if (r.blocks < this.blocksPerHash) break;
      const hash = this.hashAt(r, i);
      const existing = this.cache.get(hash);
      if (existing) {
        if (existing.refs === 0) {
          this.unlink(existing);
          this.evictable -= this.blocksPerHash;
        }
        existing.refs++;
        this.free += this.blocksPerHash;
      } else {
        this.cache.set(hash, this.newEntry(hash));
      }
      r.blocks -= this.blocksPerHash;
      r.sharedHashes = i + 1;
    }
  }

  /**
   * Prefix hashes `r` has: the trace's, or where it gives none, the request's own (an engine hashes
   * every full block of what it computed, so only the request itself can hit them).
   */
  private hashCount(r: SchedRequest): number {
    const given = r.blockHashes.length;
    return given > 0 ? given : Math.floor(r.promptTokens / this.hashBlockTokens);
  }

  /** Own hashes are negative (trace hashes are not) and unique per request id. */
  private hashAt(r: SchedRequest, i: number): number {
    return r.blockHashes.length > 0 ? r.blockHashes[i] : -(r.id * OWN_HASHES_PER_REQUEST + i) - 1;
  }

  /** A cache entry, reusing one an eviction freed (the simulator's hot loop allocates nothing). */
  private newEntry(hash: number): CacheEntry {
    const entry = this.spareEntries.pop();
    if (!entry) return { hash, refs: 1, pins: 0, prev: null, next: null };
    entry.hash = hash;
    entry.refs = 1;
    entry.pins = 0;
    return entry;
  }

  /**
   * Pins the leading cached blocks of `hashes` (a finished session turn's prompt) for its next turn:
   * they stay evictable, but go only when nothing unpinned is left. Returns how many, for `unpin`.
   */
  pin(hashes: readonly number[]): number {
    let n = 0;
    while (n < hashes.length) {
      const entry = this.cache.get(hashes[n]);
      if (!entry) break;
      entry.pins++;
      n++;
    }
    return n;
  }

  /** Releases what `pin(hashes)` pinned (`count` blocks); those evicted meanwhile are gone already. */
  unpin(hashes: readonly number[], count: number): void {
    for (let i = 0; i < count; i++) {
      const entry = this.cache.get(hashes[i]);
      if (entry && entry.pins > 0) entry.pins--;
    }
  }

  /** Prefix tokens of `hashes` this cache holds now. */
  cachedPrefixTokens(hashes: readonly number[]): number {
    let hits = 0;
    while (hits < hashes.length && this.cache.has(hashes[hits])) hits++;
    return hits * this.hashBlockTokensOf();
  }

  private hashBlockTokensOf(): number {
    return this.hashBlockTokens;
  }

  private unref(entry: CacheEntry): void {
    entry.refs--;
    if (entry.refs > 0) return;
    this.linkTail(entry);
    this.evictable += this.blocksPerHash;
  }

  /** Most recently used goes to the tail. */
  private linkTail(entry: CacheEntry): void {
    entry.prev = this.lruTail;
    entry.next = null;
    if (this.lruTail) this.lruTail.next = entry;
    else this.lruHead = entry;
    this.lruTail = entry;
  }

  private unlink(entry: CacheEntry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.lruHead = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.lruTail = entry.prev;
    entry.prev = null;
    entry.next = null;
  }

  private evictOldest(): void {
    let entry = this.lruHead;
    // Pinned entries go last: each is passed over (to the tail) while the list may hold an unpinned one.
    for (let left = this.evictable / this.blocksPerHash - 1; entry && entry.pins > 0 && left > 0; left--) {
      this.unlink(entry);
      this.linkTail(entry);
      entry = this.lruHead;
    }
    if (!entry) throw new Error('KV cache accounting error: nothing to evict');
    this.unlink(entry);
    this.cache.delete(entry.hash);
    this.spareEntries.push(entry);
    if (this.hostTier !== null) this.hostTier.store(entry.hash);
    this.evictable -= this.blocksPerHash;
    this.free += this.blocksPerHash;
  }
}
