import type { LayerCostSetup } from '../model/cost.js';
import { ACTIVATION_BYTES } from '../model/dtypes.js';
import { allReduceSeconds, allToAllSeconds, groupLink, type Link } from './comm.js';
import { type DeepEpPhase, deepEpDispatchBytesPerValue, deepEpKernelsFor, deepEpSeconds } from './deepep.js';
import { dispatchBytesPerGpu } from './expert-parallel.js';
import type { ResolvedOpTime } from './measured-ops.js';
import { moeTensorParallelMessages } from './moe-tensor-parallel.js';
import { measuredAllReduceSeconds } from './op-tables.js';
import type { OpTimerSetup } from './op-timer.js';
import type { BreakdownEntry } from './step-timing.js';
import { trtllmAllToAllBytes } from './trtllm-moe-alltoall.js';

/** What a layer's collectives read of the plan and the engine. */
export type CollectivesSetup = Pick<
  OpTimerSetup,
  'model' | 'hardware' | 'plan' | 'calibration' | 'opTables' | 'measured' | 'engine' | 'engineKernels'
>;

/**
 * The communication of one layer: TP all-reduces (imported table, the engine's measured kernel, or the
 * link model) and the EP dispatch and combine (DeepEP's kernels, TensorRT-LLM's once-per-rank
 * all-to-all, the measured NCCL all-to-all, or the link model).
 */
export class LayerCollectives {
  private readonly tpLink: Link;
  private readonly hiddenBytesPerToken: number;

  constructor(private readonly s: CollectivesSetup) {
    this.tpLink = groupLink(s.hardware, s.plan.tp);
    this.hiddenBytesPerToken = s.model.hiddenSize * ACTIVATION_BYTES;
  }

  /**
   * One layer's collectives: TP all-reduces after attention and after the FFN, or, for a MoE layer
   * whose EP group spans attention-DP ranks, the dispatch and combine all-to-all of the routed tokens
   * instead of the FFN's all-reduce. EP within one TP group (TP8 × EP8, no attention DP) holds every
   * token on every GPU already: each GPU runs its experts' share and the TP all-reduce sums the
   * partial outputs, as SGLang, vLLM and TensorRT-LLM run it without attention DP.
   * And the q/k norm's all-reduce where the norm spans all heads (MiniMax-M2).
   */
  entries(setup: LayerCostSetup, tokens: number, group: string): BreakdownEntry[] {
    const tp = this.s.plan.tp;
    const ffn = setup.layer.ffn;
    const useEp = ffn.kind === 'moe' && setup.ep > 1 && setup.epGroupBatches > 1;
    const hiddenBytes = tokens * this.hiddenBytesPerToken;
    const communication = (name: string, time: ResolvedOpTime | number, bytes: number): BreakdownEntry => {
      const entry: BreakdownEntry = {
        name,
        kind: 'communication',
        group,
        bound: 'communication',
        seconds: typeof time === 'number' ? time : time.seconds,
        calls: 1,
        flops: 0,
        bytes,
      };
      // Sources are for display: worked out only for a named group (a breakdown), never for a table point.
      if (group !== '')
        entry.source =
          typeof time === 'number' ? 'link model (bandwidth × efficiency + latency)' : time.source();
      return entry;
    };
    const entries: BreakdownEntry[] = [];
    if (tp > 1) {
      const time = this.allReduce(hiddenBytes, tp);
      entries.push(communication('tp_all_reduce_attention', time, hiddenBytes));
      if (!useEp) entries.push(communication('tp_all_reduce_mlp', time, hiddenBytes));
      // q and k norms over all heads: each token's two fp32 squared sums, summed over the TP group.
      if (this.s.model.qkNormAcrossHeads) {
        const normBytes = tokens * 2 * 4;
        entries.push(communication('tp_all_reduce_qk_norm', this.allReduce(normBytes, tp), normBytes));
      }
    }
    if (useEp && ffn.kind === 'moe' && setup.moeTensorParallel) {
      entries.push(...this.moeTensorParallelEntries(tokens, setup, communication));
    } else if (useEp && ffn.kind === 'moe') {
      const deepEp = this.deepEpTimes(tokens, ffn.topK, setup);
      const bytes = this.epAllToAllBytes(tokens, hiddenBytes, ffn, setup);
      const timed = (b: number) => this.s.measured?.allToAll(b, setup.ep) ?? this.linkAllToAll(b, setup.ep);
      entries.push(
        communication('ep_dispatch', deepEp?.dispatch ?? timed(bytes.dispatch), bytes.dispatch),
        communication('ep_combine', deepEp?.combine ?? timed(bytes.combine), bytes.combine),
      );
    }
    return entries;
  }

  /**
   * MoE TP over the group (perf/moe-tensor-parallel.ts): each attention-DP rank's tokens all-gathered
   * over the DP ranks before the experts (quantized where the engine does so), their 16-bit outputs
   * reduce-scattered back after; where a rank is itself TP-sharded (vLLM's DP × TP without EP), its TP
   * GPUs hold the same tokens, so the gather and scatter run over the DP ranks and the TP all-reduce
   * sums the slices after them. The measured NCCL tables where they cover the group, else the link
   * model at the same bytes per GPU as an all-to-all of the data each GPU receives.
   */
  private moeTensorParallelEntries(
    tokens: number,
    setup: LayerCostSetup,
    communication: (name: string, time: ResolvedOpTime | number, bytes: number) => BreakdownEntry,
  ): BreakdownEntry[] {
    const { tp } = this.s.plan;
    const dpRanks = setup.epGroupBatches;
    const messages = moeTensorParallelMessages({
      rankTokens: tokens,
      hidden: this.s.model.hiddenSize,
      groupRanks: dpRanks,
      weightDtype: this.s.plan.weightDtype,
      quantizesBeforeGather: this.s.engine?.id === 'trtllm',
    });
    const timed = (op: 'all_gather' | 'reduce_scatter', bytes: number) =>
      this.s.measured?.collective(op, bytes, dpRanks) ??
      this.linkAllToAll((bytes * (dpRanks - 1)) / dpRanks, dpRanks);
    const entries = [
      communication('moe_all_gather', timed('all_gather', messages.allGather), messages.allGather),
      communication(
        'moe_reduce_scatter',
        timed('reduce_scatter', messages.reduceScatter),
        messages.reduceScatter,
      ),
    ];
    if (tp > 1) {
      const hiddenBytes = tokens * this.hiddenBytesPerToken;
      entries.push(communication('tp_all_reduce_mlp', this.allReduce(hiddenBytes, tp), hiddenBytes));
    }
    return entries;
  }

  /**
   * Bytes a GPU sends in the EP dispatch and gets back in the combine (EngineKernels.epAllToAll):
   * TensorRT-LLM sends a token once to each rank holding one of its experts, nvfp4 activations quantized
   * before the dispatch (perf/trtllm-moe-alltoall.ts); the others' all-to-all the top-k copies in the
   * activation format.
   */
  private epAllToAllBytes(
    tokens: number,
    hiddenBytes: number,
    ffn: { topK: number; experts: number },
    setup: LayerCostSetup,
  ): { dispatch: number; combine: number } {
    if (this.s.engineKernels.epAllToAll === 'once-per-rank') {
      return trtllmAllToAllBytes({
        tokens,
        hidden: this.s.model.hiddenSize,
        experts: ffn.experts,
        topK: ffn.topK,
        tp: this.s.plan.tp,
        ep: setup.ep,
        imbalance: setup.expertImbalance,
        weightDtype: this.s.plan.weightDtype,
      });
    }
    const routed = dispatchBytesPerGpu(
      hiddenBytes,
      ffn.topK,
      this.s.plan.tp,
      setup.ep,
      setup.expertImbalance,
    );
    return { dispatch: routed, combine: routed };
  }

  /**
   * The EP dispatch and combine on DeepEP's kernels where the plan runs them (perf/deepep.ts): each rank
   * sends its share of the batch (a TP group's GPUs split its tokens), the busiest rank `imbalance` times
   * the mean; FP8 dispatch with FP8 weights, NVFP4 with nvfp4 weights where the engine dispatches them so
   * (ServingEngine.nvfp4Dispatch), else BF16. Undefined: NCCL.
   */
  private deepEpTimes(
    tokens: number,
    topK: number,
    setup: LayerCostSetup,
  ): { dispatch: ResolvedOpTime; combine: ResolvedOpTime } | undefined {
    const perRank = tokens / Math.min(this.s.plan.tp, setup.ep);
    const kernels = deepEpKernelsFor(this.s.plan.allToAll, perRank);
    if (!kernels) return undefined;
    const transfer = {
      kernels,
      tokensPerRank: perRank * setup.expertImbalance,
      hidden: this.s.model.hiddenSize,
      topK,
      dispatchBytesPerValue: deepEpDispatchBytesPerValue(
        this.s.plan.weightDtype,
        this.s.engine?.nvfp4Dispatch,
      ),
      ep: setup.ep,
    };
    const timed = (phase: DeepEpPhase): ResolvedOpTime => {
      const time = deepEpSeconds({ ...transfer, phase }, this.s.hardware);
      return { seconds: time.seconds, source: () => time.source };
    };
    return { dispatch: timed('dispatch'), combine: timed('combine') };
  }

  /**
   * An all-to-all beyond the GPU counts the tables measured: the link model's time, never below the
   * widest measured all-to-all's at the same bytes per GPU (MeasuredOps.allToAllFloor).
   */
  private linkAllToAll(bytes: number, gpus: number): ResolvedOpTime | number {
    const link = allToAllSeconds(bytes, gpus, this.s.hardware, this.s.calibration.collectiveEfficiency);
    const floor = this.s.measured?.allToAllFloor(bytes, gpus);
    return floor && floor.seconds > link ? floor : link;
  }

  /** The imported tables' all-reduce, else the engine's measured one, else the link model's (a number). */
  private allReduce(bytes: number, workers: number): ResolvedOpTime | number {
    const tables = this.s.opTables;
    const imported = tables ? measuredAllReduceSeconds(tables, bytes, workers) : undefined;
    if (imported !== undefined)
      return { seconds: imported, source: () => `imported table ${tables?.source}` };
    return (
      this.s.measured?.allReduce(bytes, workers) ??
      allReduceSeconds(bytes, workers, this.tpLink, this.s.calibration.collectiveEfficiency)
    );
  }
}
