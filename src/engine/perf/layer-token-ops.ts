import { type LayerCostSetup, layerTokenOps, type OpCost, sumCosts } from '../model/cost.js';
import type { LayerCollectives } from './layer-collectives.js';
import { measuredMoe } from './measured-layer.js';
import type { ResolvedOpTime } from './measured-ops.js';
import type { OpTimer, OpTimerSetup } from './op-timer.js';
import { MOE_KERNEL_OP, ROUTED_EXPERT_OPS, type RoutedExperts } from './routed-experts.js';
import type { BreakdownEntry } from './step-timing.js';

interface TimedOp {
  op: OpCost;
  time: ResolvedOpTime;
}

interface TokenEntries {
  beforeCore: BreakdownEntry[];
  afterCore: BreakdownEntry[];
}

/**
 * A layer's ops whose cost depends only on the batch's token count (linears, norms, activations, the
 * routed experts, collectives), timed op by op: as breakdown rows, or summed as a token-table point.
 */
export class LayerTokenOps {
  constructor(
    private readonly s: Pick<OpTimerSetup, 'measured' | 'engine'>,
    private readonly ops: OpTimer,
    private readonly comm: LayerCollectives,
    private readonly experts: RoutedExperts,
  ) {}

  /**
   * One layer's ops whose cost depends only on the batch's token count, with their time on one GPU:
   * the linears, norms and activations of model/cost.ts (the attention core excluded), and the
   * collectives: TP all-reduces after attention and after the FFN, or, for a MoE layer under EP, the
   * dispatch and combine all-to-all of the routed tokens instead of the FFN's all-reduce.
   */
  entries(setup: LayerCostSetup, tokens: number, group: string): TokenEntries {
    const timed = this.timedOps(setup, tokens);
    const entry = ({ op, time }: TimedOp) => this.ops.opEntry(op, time, group);
    return {
      beforeCore: timed.beforeCore.map(entry),
      afterCore: [...timed.afterCore.map(entry), ...this.comm.entries(setup, tokens, group)],
    };
  }

  /**
   * The sum of `entries`' seconds, without building them: a table point. `part`: every op ('all'),
   * all but the routed experts ('rank'), or the routed experts alone ('experts').
   */
  seconds(setup: LayerCostSetup, tokens: number, part: 'all' | 'rank' | 'experts'): number {
    const timed = this.timedOps(setup, tokens);
    let seconds = 0;
    const add = ({ op, time }: TimedOp) => {
      const routed = setup.layer.ffn.kind === 'moe' && ROUTED_EXPERT_OPS.has(op.name);
      if (part === 'all' || routed === (part === 'experts')) seconds += time.seconds;
    };
    for (const timedOp of timed.beforeCore) add(timedOp);
    for (const timedOp of timed.afterCore) add(timedOp);
    if (part === 'experts') return seconds;
    for (const collective of this.comm.entries(setup, tokens, '')) seconds += collective.seconds;
    return seconds;
  }

  /**
   * Each token-count op of one layer with its time. A MoE layer's routed experts (grouped gate/up,
   * activation, down, with the permute and finalize around them) are one fused kernel in the engines:
   * where the engine's MoE table covers them, its time is the grouped gate/up's and the others are
   * inside it.
   */
  private timedOps(setup: LayerCostSetup, tokens: number): { beforeCore: TimedOp[]; afterCore: TimedOp[] } {
    const ops = layerTokenOps(setup, tokens);
    const routed =
      setup.layer.ffn.kind === 'moe' ? ops.afterCore.filter((op) => ROUTED_EXPERT_OPS.has(op.name)) : [];
    // The measured kernel runs the tokens of the whole EP group (every attention-DP rank's batch).
    const dispatched = this.experts.dispatchesRoutedTokens(setup);
    const padded = this.experts.paddedDeepGemm(setup, tokens * setup.epGroupBatches, routed);
    const measuredExperts =
      this.s.measured && routed.length > 0 && !padded
        ? measuredMoe(
            this.s.measured,
            setup,
            tokens * setup.epGroupBatches,
            setup.weights.experts,
            sumCosts(routed),
            dispatched,
          )
        : undefined;
    const moe =
      measuredExperts && dispatched
        ? this.experts.notBelowRoofline(measuredExperts, routed, tokens * setup.epGroupBatches)
        : measuredExperts;
    const time = (op: OpCost): TimedOp => {
      const own = routed.includes(op) ? padded?.get(op.name) : undefined;
      if (own) return { op, time: own };
      if (moe && routed.includes(op)) {
        return {
          op,
          time:
            op.name === MOE_KERNEL_OP
              ? moe
              : { seconds: 0, source: () => `inside the fused MoE kernel (${MOE_KERNEL_OP})` },
        };
      }
      const into = this.ops.fusedInto(op.name, setup);
      if (into !== undefined) {
        const engine = this.s.engine?.id;
        return { op, time: { seconds: 0, source: () => `inside ${into} (${engine} fuses it)` } };
      }
      // The routed experts' GEMMs run the rows of the whole EP group.
      const rows = routed.includes(op) ? tokens * setup.epGroupBatches : tokens;
      return { op, time: this.ops.resolveOp(op, rows) };
    };
    return { beforeCore: ops.beforeCore.map(time), afterCore: ops.afterCore.map(time) };
  }
}
