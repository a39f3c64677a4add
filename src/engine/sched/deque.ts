/** A growable ring buffer: FIFO queue with cheap push at both ends (preempted requests go back to the front). */
export class Deque<T> {
  private items: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(capacity = 16) {
    this.items = new Array(Math.max(2, capacity));
  }

  get length(): number {
    return this.size;
  }

  at(index: number): T {
    return this.items[(this.head + index) % this.items.length] as T;
  }

  peek(): T | undefined {
    return this.size > 0 ? this.items[this.head] : undefined;
  }

  pushBack(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
  }

  pushFront(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return item;
  }

  /**
   * Inserts `item` before the first item it comes `before` (after any it ties with), keeping an ordered
   * queue ordered: O(n) moves, no allocation beyond growth.
   */
  insertOrdered(item: T, before: (a: T, b: T) => boolean): void {
    let index = this.size;
    while (index > 0 && before(item, this.at(index - 1))) index--;
    if (this.size === this.items.length) this.grow();
    const n = this.items.length;
    for (let i = this.size; i > index; i--)
      this.items[(this.head + i) % n] = this.items[(this.head + i - 1) % n];
    this.items[(this.head + index) % n] = item;
    this.size++;
  }

  /** Removes the item at `index` (O(n)); used for the rare out-of-order removal. */
  removeAt(index: number): T {
    const item = this.at(index);
    for (let i = index; i < this.size - 1; i++) {
      this.items[(this.head + i) % this.items.length] = this.items[(this.head + i + 1) % this.items.length];
    }
    this.items[(this.head + this.size - 1) % this.items.length] = undefined;
    this.size--;
    return item;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
