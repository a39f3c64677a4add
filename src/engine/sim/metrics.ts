import { percentileSorted } from '../util/stats.js';
import type { MetricSummary } from './summary.js';

/** Summary of exact samples (sorted in place). */
export function summarize(values: Float64Array): MetricSummary | null {
  const n = values.length;
  if (n === 0) return null;
  values.sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  return {
    count: n,
    mean: sum / n,
    p50: percentileSorted(values, 50),
    p90: percentileSorted(values, 90),
    p99: percentileSorted(values, 99),
    min: values[0],
    max: values[n - 1],
  };
}

const HISTOGRAM_MIN = 1e-7;
const HISTOGRAM_RATIO = 1.001;
const LOG_RATIO = Math.log(HISTOGRAM_RATIO);
const HISTOGRAM_BINS = Math.ceil(Math.log(1e5 / HISTOGRAM_MIN) / LOG_RATIO) + 2;

/**
 * Inter-token latencies are too many to keep (one per output token): a log-spaced histogram with
 * 0.1% wide bins keeps percentiles within 0.1%, with exact count, mean, min and max. Consecutive equal
 * gaps (every decode of one step) are added as one weighted sample.
 */
export class GapHistogram {
  private readonly bins = new Float64Array(HISTOGRAM_BINS);
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;
  private pendingValue = -1;
  private pendingCount = 0;

  add(value: number): void {
    if (value === this.pendingValue) {
      this.pendingCount++;
      return;
    }
    this.flush();
    this.pendingValue = value;
    this.pendingCount = 1;
  }

  private flush(): void {
    const n = this.pendingCount;
    if (n === 0) return;
    const v = this.pendingValue;
    this.pendingCount = 0;
    this.pendingValue = -1;
    this.count += n;
    this.sum += v * n;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    let bin = v <= HISTOGRAM_MIN ? 0 : Math.floor(Math.log(v / HISTOGRAM_MIN) / LOG_RATIO) + 1;
    if (bin >= HISTOGRAM_BINS) bin = HISTOGRAM_BINS - 1;
    this.bins[bin] += n;
  }

  summary(): MetricSummary | null {
    this.flush();
    if (this.count === 0) return null;
    const quantile = (q: number) => {
      const target = (q / 100) * (this.count - 1);
      let seen = 0;
      for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
        seen += this.bins[bin];
        if (seen > target) {
          if (bin === 0) return this.min;
          // Geometric centre of the bin, clamped to the observed range.
          const centre = HISTOGRAM_MIN * HISTOGRAM_RATIO ** (bin - 0.5);
          return Math.min(this.max, Math.max(this.min, centre));
        }
      }
      return this.max;
    };
    return {
      count: this.count,
      mean: this.sum / this.count,
      p50: quantile(50),
      p90: quantile(90),
      p99: quantile(99),
      min: this.min,
      max: this.max,
    };
  }
}

/**
 * A time-weighted series of bounded size: samples land in buckets whose width doubles (merging pairs)
 * whenever the run outgrows them, so memory stays fixed however long the run.
 */
export class BucketedSeries {
  private width: number;
  private readonly weighted: Float64Array;
  private readonly weights: Float64Array;
  private total = 0;
  private totalWeight = 0;
  private peak = 0;

  constructor(
    private readonly points: number,
    initialWidth = 0.01,
  ) {
    this.width = initialWidth;
    this.weighted = new Float64Array(points);
    this.weights = new Float64Array(points);
  }

  add(time: number, duration: number, value: number): void {
    let bucket = Math.floor(time / this.width);
    while (bucket >= this.points) {
      this.mergePairs();
      bucket = Math.floor(time / this.width);
    }
    this.weighted[bucket] += value * duration;
    this.weights[bucket] += duration;
    this.total += value * duration;
    this.totalWeight += duration;
    if (value > this.peak) this.peak = value;
  }

  private mergePairs(): void {
    const half = this.points >> 1;
    for (let i = 0; i < half; i++) {
      this.weighted[i] = this.weighted[2 * i] + (2 * i + 1 < this.points ? this.weighted[2 * i + 1] : 0);
      this.weights[i] = this.weights[2 * i] + (2 * i + 1 < this.points ? this.weights[2 * i + 1] : 0);
    }
    for (let i = half; i < this.points; i++) {
      this.weighted[i] = 0;
      this.weights[i] = 0;
    }
    this.width *= 2;
  }

  result(): { mean: number; peak: number; series: { t: number[]; value: number[] } } | null {
    if (this.totalWeight === 0) return null;
    const t: number[] = [];
    const value: number[] = [];
    for (let i = 0; i < this.points; i++) {
      if (this.weights[i] > 0) {
        t.push((i + 0.5) * this.width);
        value.push(this.weighted[i] / this.weights[i]);
      }
    }
    return { mean: this.total / this.totalWeight, peak: this.peak, series: { t, value } };
  }
}
