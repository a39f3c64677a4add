import type { WorkloadRequest } from '../workload/types.js';
import type { SimRequest } from './replica.js';

/** The arrival order of a workload with sessions: first turns as a stream, later turns after them. */
export interface SessionOrder {
  /** Indices into the workload: the `streamLength` first turns in arrival order, then the later turns. */
  order: number[];
  /** How many of `order` arrive at their own time; the rest are sent as the turn before them finishes. */
  streamLength: number;
}

/** Whether any request of `source` is a later turn of a session (so sends depend on completions). */
export function hasSessions(source: readonly WorkloadRequest[]): boolean {
  for (const r of source) if (r.session !== undefined) return true;
  return false;
}

/**
 * `order` (indices into `source` by arrival) split into the requests that arrive at their own time
 * (every request outside a session, and the earliest turn present of each session) and the later
 * turns, each sent when the turn before it finishes.
 */
export function sessionOrder(source: readonly WorkloadRequest[], order: readonly number[]): SessionOrder {
  const firstTurn = new Map<number, number>();
  for (const r of source) {
    if (r.session === undefined) continue;
    const turn = r.turn ?? 0;
    if (turn < (firstTurn.get(r.session) ?? Number.POSITIVE_INFINITY)) firstTurn.set(r.session, turn);
  }
  const stream: number[] = [];
  const later: number[] = [];
  for (const i of order) {
    const { session, turn } = source[i];
    if (session === undefined || (turn ?? 0) === firstTurn.get(session)) stream.push(i);
    else later.push(i);
  }
  return { order: stream.concat(later), streamLength: stream.length };
}

/**
 * Links each session turn to the next (`nextTurn`, by index in `requests`, which follow `sessionOrder`):
 * turns in order of `turn` within a session.
 */
export function linkTurns(
  source: readonly WorkloadRequest[],
  order: readonly number[],
  requests: SimRequest[],
): void {
  const last = new Map<number, SimRequest>();
  const byTurn = requests
    .map((r, i) => ({ r, w: source[order[i]] }))
    .filter((x) => x.w.session !== undefined)
    .sort((a, b) => (a.w.turn ?? 0) - (b.w.turn ?? 0) || a.r.id - b.r.id);
  for (const { r, w } of byTurn) {
    const previous = last.get(w.session!);
    if (previous) previous.nextTurn = r.id;
    last.set(w.session!, r);
  }
}
