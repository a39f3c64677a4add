import type { PagedKvCache } from '../../kernels/layer.js';
import type { KvBlockManager } from '../../sched/kv-cache.js';
import type { SchedRequest } from '../../sched/request.js';

/**
 * The scheduler's KV block manager over the engine's physical paged cache: every grow takes real
 * blocks from the cache's free list into the request's block table, and a release returns them at
 * once. Prefix caching is not implemented here (random-weight prompts share nothing worth caching).
 */
export class PagedKvBlockManager implements KvBlockManager {
  readonly prefixCachingEnabled = false;
  /** No host tier: nothing is ever loaded from host memory. */
  readonly hostHitTokens = 0;
  private readonly tables = new Map<number, number[]>();

  constructor(private readonly cache: PagedKvCache) {}

  get blockSize(): number {
    return this.cache.config.blockSize;
  }

  get totalBlocks(): number {
    return this.cache.config.blocks;
  }

  availableBlocks(): number {
    return this.cache.freeBlocks;
  }

  usedBlocks(): number {
    return this.totalBlocks - this.cache.freeBlocks;
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  blocksNeeded(r: SchedRequest, tokens: number): number {
    const held = this.tables.get(r.id)?.length ?? 0;
    return Math.max(0, Math.ceil(tokens / this.blockSize) - held);
  }

  growTo(r: SchedRequest, tokens: number): boolean {
    const need = this.blocksNeeded(r, tokens);
    if (need === 0) return true;
    if (need > this.cache.freeBlocks) return false;
    let table = this.tables.get(r.id);
    if (!table) {
      table = [];
      this.tables.set(r.id, table);
    }
    table.push(...this.cache.allocate(need));
    r.blocks += need;
    return true;
  }

  release(r: SchedRequest): void {
    const table = this.tables.get(r.id);
    if (table) this.cache.release(table);
    this.tables.delete(r.id);
    r.blocks = 0;
    r.prefixPublished = false;
  }

  acquirePrefix(r: SchedRequest): number {
    r.cachedPromptTokens = 0;
    return 0;
  }

  publishPrefix(r: SchedRequest): void {
    r.prefixPublished = true;
  }

  /** The request's physical blocks, in token order. */
  blockTable(r: SchedRequest): readonly number[] {
    return this.tables.get(r.id) ?? [];
  }
}
