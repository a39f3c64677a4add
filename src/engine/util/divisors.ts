/**
 * The divisors of a positive integer, ascending. Trial division up to √n only: each divisor d ≤ √n
 * gives its partner n / d, so even an absurd GPU count (10^11) answers in well under a second.
 */
export function divisors(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 1) return [];
  const low: number[] = [];
  const high: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    low.push(d);
    if (d * d !== n) high.push(n / d);
  }
  return low.concat(high.reverse());
}
