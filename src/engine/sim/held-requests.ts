import { enqueueWaiting } from '../sched/core.js';
import type { ReplicaState } from '../sched/state.js';
import type { SimRequest } from './replica.js';

/**
 * Requests a replica keeps from its scheduler for a while (arrivals during an overlap scheduler's step,
 * KV that landed mid-step, SGLang decode servers' recv gate), in arrival order. One reused buffer: once
 * grown to the most ever held, holding and releasing allocate nothing, as the simulator's hot loop needs.
 */
export class HeldRequests {
  private readonly items: SimRequest[] = [];
  private size = 0;

  /** How many it holds now. */
  get count(): number {
    return this.size;
  }

  hold(r: SimRequest): void {
    this.items[this.size++] = r;
  }

  /** The `i`-th held request, oldest first; after `take`, until the next `hold`, those just taken. */
  at(i: number): SimRequest {
    return this.items[i];
  }

  /** Empties it, leaving the requests readable with `at`; returns how many it held. */
  take(): number {
    const count = this.size;
    this.size = 0;
    return count;
  }

  /** Moves every held request into `state`'s waiting queue, oldest first; true where there were any. */
  releaseInto(state: ReplicaState): boolean {
    const count = this.take();
    for (let i = 0; i < count; i++) enqueueWaiting(state, this.items[i]);
    return count > 0;
  }
}
