/**
 * The order in which requests arrive, as indices into `requests`: by group (`groupOf`, e.g. a block
 * served after the one before it), then by arrival time, ties in the given order. `null` where that is
 * the given order already (a workload is normally sorted), so that nothing is sorted or allocated.
 */
export function arrivalOrder(
  requests: readonly { arrival: number }[],
  groupOf: (index: number) => number = sameGroup,
): number[] | null {
  let sorted = true;
  for (let i = 1; i < requests.length; i++) {
    if (requests[i].arrival < requests[i - 1].arrival && groupOf(i) === groupOf(i - 1)) sorted = false;
  }
  if (sorted) return null;
  return requests
    .map((_, i) => i)
    .sort((a, b) => groupOf(a) - groupOf(b) || requests[a].arrival - requests[b].arrival || a - b);
}

function sameGroup(): number {
  return 0;
}
