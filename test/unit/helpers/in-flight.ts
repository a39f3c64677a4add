/**
 * The most requests in flight at any instant, from each request's send and finish times. A finish at t
 * frees its place before a send at t, as a closed-loop client sends its next request when one finishes.
 */
export function peakInFlight(spans: readonly { start: number; end: number }[]): number {
  const events = spans.flatMap((s) => [
    [s.start, 1],
    [s.end, -1],
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0;
  let peak = 0;
  for (const [, step] of events) {
    inFlight += step;
    peak = Math.max(peak, inFlight);
  }
  return peak;
}
