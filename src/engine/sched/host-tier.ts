/**
 * A second tier of prefix-cache blocks in host memory (LMCache, production-stack's CPU offloading, vLLM's
 * native offload): cached blocks evicted from the GPU are kept here, least recently used dropped first,
 * and a prompt whose prefix continues here loads those blocks over the host link instead of prefilling
 * them. Counted in prefix hashes (each `blocksPerHash` GPU blocks), as the GPU cache is.
 */
export class HostKvTier {
  /** Hashes held, oldest first (a Map keeps insertion order; a hit moves its hash to the end). */
  private readonly held = new Map<number, true>();

  constructor(readonly capacityHashes: number) {}

  get size(): number {
    return this.held.size;
  }

  /** A block left the GPU cache: keep it, dropping the least recently used beyond capacity. */
  store(hash: number): void {
    if (this.capacityHashes <= 0) return;
    this.held.delete(hash);
    this.held.set(hash, true);
    if (this.held.size > this.capacityHashes) {
      const oldest = this.held.keys().next().value as number;
      this.held.delete(oldest);
    }
  }

  /** Whether `hash` is held; a hit makes it the most recently used. */
  hit(hash: number): boolean {
    if (!this.held.has(hash)) return false;
    this.held.delete(hash);
    this.held.set(hash, true);
    return true;
  }
}
