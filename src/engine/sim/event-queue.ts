/**
 * A binary min-heap of timed events in typed arrays (no object per event). Ties break by insertion
 * order, so a run is deterministic. An event is a kind and two integer arguments.
 */
export class EventQueue {
  private times = new Float64Array(64);
  private seqs = new Float64Array(64);
  private kinds = new Int32Array(64);
  private args = new Int32Array(64 * 2);
  private size = 0;
  private sequence = 0;
  /** The popped event. */
  time = 0;
  kind = 0;
  a = 0;
  b = 0;

  get length(): number {
    return this.size;
  }

  peekTime(): number {
    return this.size > 0 ? this.times[0] : Number.POSITIVE_INFINITY;
  }

  push(time: number, kind: number, a: number, b: number): void {
    if (this.size === this.times.length) this.grow();
    let i = this.size++;
    const seq = this.sequence++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent];
      if (pt < time || (pt === time && this.seqs[parent] < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, time, seq, kind, a, b);
  }

  /** Removes the earliest event into `time`, `kind`, `a`, `b`. */
  pop(): void {
    this.time = this.times[0];
    this.kind = this.kinds[0];
    this.a = this.args[0];
    this.b = this.args[1];
    const last = --this.size;
    if (last === 0) return;
    const time = this.times[last];
    const seq = this.seqs[last];
    const kind = this.kinds[last];
    const a = this.args[2 * last];
    const b = this.args[2 * last + 1];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (
        right < last &&
        (this.times[right] < this.times[child] ||
          (this.times[right] === this.times[child] && this.seqs[right] < this.seqs[child]))
      ) {
        child = right;
      }
      const ct = this.times[child];
      if (time < ct || (time === ct && seq < this.seqs[child])) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, time, seq, kind, a, b);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from];
    this.seqs[to] = this.seqs[from];
    this.kinds[to] = this.kinds[from];
    this.args[2 * to] = this.args[2 * from];
    this.args[2 * to + 1] = this.args[2 * from + 1];
  }

  private set(i: number, time: number, seq: number, kind: number, a: number, b: number): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    this.kinds[i] = kind;
    this.args[2 * i] = a;
    this.args[2 * i + 1] = b;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    times.set(this.times);
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    const kinds = new Int32Array(n);
    kinds.set(this.kinds);
    const args = new Int32Array(n * 2);
    args.set(this.args);
    this.times = times;
    this.seqs = seqs;
    this.kinds = kinds;
    this.args = args;
  }
}
