import { Rng } from '../workload/rng.js';

interface StepFactorModel {
  /** Equally probable factors of a step's time over the model's, sorted from the fastest (mean 1). */
  spread: readonly number[];
  /** The chance that a step keeps the previous held factor (slow spells last). */
  persistence: number;
  /**
   * The share of the spread, from the fastest factor up, that persistence holds; the rest (collector
   * pauses and other rare long steps, which do not come in spells) are drawn independently each step
   * at their own rate, and leave the held factor as it was. 1: every factor may be held.
   */
  heldShare: number;
}

/**
 * Each step's time factor, per replica, from one seeded stream. Every factor keeps its probability in
 * the long run (the spread's mean, and so the mean step time, is unchanged): a step is a rare long one
 * with the probability of the unheld share and draws it uniformly; otherwise it keeps its replica's
 * held factor with probability `persistence`, else draws a new one uniformly from the held share.
 */
export class StepFactors {
  private readonly held = new Map<object, number>();
  private readonly rng: Rng;
  private readonly heldCount: number;

  constructor(
    private readonly model: StepFactorModel,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    const n = model.spread.length;
    this.heldCount = Math.max(1, Math.min(n, Math.round(model.heldShare * n)));
  }

  next(replica: object): number {
    const { spread, persistence } = this.model;
    const n = spread.length;
    const held = this.heldCount;
    if (held < n) {
      const tailShare = (n - held) / n;
      const u = this.rng.next();
      if (u < tailShare)
        return spread[held + Math.min(n - held - 1, Math.floor((u / tailShare) * (n - held)))];
    }
    const previous = this.held.get(replica);
    const factor =
      previous !== undefined && persistence > 0 && this.rng.next() < persistence
        ? previous
        : spread[Math.min(held - 1, Math.floor(this.rng.next() * held))];
    this.held.set(replica, factor);
    return factor;
  }
}
