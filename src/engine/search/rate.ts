/**
 * Highest request rate at which a predicate (the SLOs hold) is true, for many configurations at once so
 * each round's evaluations can run in parallel. The predicate is taken to be monotone in the rate: more
 * traffic never lowers latency. Search: from the start rate, double (or halve) until the answer flips,
 * then bisect to a relative precision.
 */
interface RateSearchOptions {
  start: number;
  /** Stop bisecting when hi/lo is within 1 + precision. */
  precision: number;
  /** At most this many doublings or halvings from the start. */
  maxSteps: number;
}

export const DEFAULT_RATE_SEARCH: Omit<RateSearchOptions, 'start'> = { precision: 0.05, maxSteps: 6 };

interface Bracket<T> {
  lo: number | null; // highest rate known to hold
  atLo: T | null; // what the evaluation at `lo` returned
  hi: number | null; // lowest rate known to fail
  next: number | null;
  steps: number;
}

export async function maxRatesUnderSlo<T = undefined>(
  count: number,
  holdsAt: (rounds: { index: number; rate: number }[]) => Promise<{ holds: boolean; payload: T }[]>,
  options: RateSearchOptions,
): Promise<{ rate: number | null; payload: T | null }[]> {
  const brackets: Bracket<T>[] = Array.from({ length: count }, () => ({
    lo: null,
    atLo: null,
    hi: null,
    next: options.start,
    steps: 0,
  }));
  for (;;) {
    const round = brackets.flatMap((b, index) => (b.next === null ? [] : [{ index, rate: b.next }]));
    if (round.length === 0) break;
    const answers = await holdsAt(round);
    round.forEach(({ index, rate }, k) => {
      const b = brackets[index];
      if (answers[k].holds) {
        b.lo = rate;
        b.atLo = answers[k].payload;
      } else {
        b.hi = rate;
      }
      b.next = nextRate(b, options);
    });
  }
  return brackets.map((b) => ({ rate: b.lo, payload: b.atLo }));
}

function nextRate<T>(b: Bracket<T>, options: RateSearchOptions): number | null {
  if (b.lo !== null && b.hi !== null) {
    if (b.hi / b.lo <= 1 + options.precision) return null;
    return Math.sqrt(b.lo * b.hi);
  }
  b.steps++;
  if (b.steps > options.maxSteps) return null;
  if (b.lo !== null) return b.lo * 2;
  return b.hi! / 2;
}
