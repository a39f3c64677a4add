import { Deque } from '../sched/deque.js';
import type { SchedRequest } from '../sched/request.js';
import type { SimReplica } from './replica.js';

/**
 * The attention-data-parallel ranks of one expert-parallel group (`StepModel.lockstepGroup`): every MoE
 * layer's dispatch and combine join all of them, so they step together, a rank with nothing to run
 * joining with an empty batch, and a rank's new work waits for the group's step in flight to end.
 */
export class EpGroup {
  readonly ranks: SimReplica[] = [];
  /** Ranks whose part of the group's step is in flight. */
  inFlight = 0;
  /** Steps since prompts last started (`attentionDpBalanceIters`). */
  private promptWaitSteps = 0;
  /** A rank's waiting requests while its prompts are held back (reused, rank by rank). */
  private readonly held = new Deque<SchedRequest>(64);

  /**
   * Whether new prompts may start in the group's next step, as TensorRT-LLM's attention-DP balancing
   * decides (`attention_dp_config.enable_balance`, `batching_wait_iters` 0): at once where every rank
   * has a prompt waiting and room for it; else not until `timeout` steps have passed since prompts
   * last started, or a rank has nothing to decode. So the ranks' prefills tend to run in the same
   * step, rather than each stalling every rank's decodes on its own. `timeout` 0: always.
   */
  promptsMayStart(timeout: number): boolean {
    if (timeout <= 0) return true;
    let everyRankWaits = true;
    let everyRankDecodes = true;
    for (const rank of this.ranks) {
      const { waiting, running, config } = rank.state;
      if (waiting.length === 0 || running.length >= config.maxNumSeqs) everyRankWaits = false;
      if (running.length === 0) everyRankDecodes = false;
    }
    if (everyRankWaits || ++this.promptWaitSteps >= timeout || !everyRankDecodes) {
      this.promptWaitSteps = 0;
      return true;
    }
    return false;
  }

  /** Takes `rank`'s waiting requests out of its scheduler's sight (`restorePrompts` puts them back). */
  holdPrompts(rank: SimReplica): void {
    const waiting = rank.state.waiting;
    while (waiting.length > 0) this.held.pushBack(waiting.shift()!);
  }

  /** Puts the held requests back in `rank`'s queue, in their order, behind any its scheduler queued. */
  restorePrompts(rank: SimReplica): void {
    const waiting = rank.state.waiting;
    while (this.held.length > 0) waiting.pushBack(this.held.shift()!);
  }
}
