import type { MeasuredRequest } from './requests-file.js';

/**
 * Runs served one after another as one run on one clock: each run's times moved so that it starts when
 * the previous one ended (its last response's end), its requests numbered on from the previous run's.
 * A workload served in blocks, with other work between them, is so summarized as if served back to back,
 * as `simulate` with validation's `servedClient({ blockRequests })` predicts it.
 */
export function backToBack(runs: readonly (readonly MeasuredRequest[])[]): MeasuredRequest[] {
  const out: MeasuredRequest[] = [];
  let offset = 0;
  let indexOffset = 0;
  for (const run of runs) {
    let end = 0;
    let maxIndex = -1;
    for (const m of run) {
      out.push({
        ...m,
        index: m.index + indexOffset,
        scheduledAt: m.scheduledAt + offset,
        sentAt: m.sentAt + offset,
        tokenTimes: m.tokenTimes.map((t) => t + offset),
        finishedAt: m.finishedAt + offset,
      });
      end = Math.max(end, m.finishedAt);
      maxIndex = Math.max(maxIndex, m.index);
    }
    offset += end;
    indexOffset += maxIndex + 1;
  }
  return out;
}
