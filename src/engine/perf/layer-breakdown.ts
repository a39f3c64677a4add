import { decodeOnlyOps, type OpCost, prefillKeyOps } from '../model/cost.js';
import type { AttentionTimer } from './attention-time.js';
import type { CompiledLayerKind } from './compiled-layer-kind.js';
import type { LayerTokenOps } from './layer-token-ops.js';
import type { MeasuredAttention } from './measured-layer.js';
import type { OpTimer } from './op-timer.js';
import type { BatchShape } from './shape.js';
import type { BreakdownEntry } from './step-timing.js';

/**
 * The op-by-op rows of one layer kind in a step, for display: its token-count ops around the attention
 * core (with MLA's per-key and absorbed projections), each with its time, bound and source.
 */
export class LayerBreakdown {
  constructor(
    private readonly ops: OpTimer,
    private readonly attention: AttentionTimer,
    private readonly tokenOps: LayerTokenOps,
    /** Peak FLOP/s of the attention core (DevicePeaks.attentionFlops), for its bound. */
    private readonly attentionFlops: number,
  ) {}

  /** One kind's ops in the step, in layer order, each summed over the kind's layers. Allocates. */
  entries(kind: CompiledLayerKind, shape: BatchShape, tokens: number): BreakdownEntry[] {
    const layers = kind.layers;
    const perLayer: BreakdownEntry[] = [];
    const opsOver = (ops: OpCost[], rows: number) => {
      for (const op of ops) perLayer.push(this.ops.opEntry(op, this.ops.resolveOp(op, rows), kind.label));
    };
    const { beforeCore, afterCore } = this.tokenOps.entries(kind.setup, tokens, kind.label);
    perLayer.push(...beforeCore);
    if (shape.prefillTokens > 0) {
      opsOver(prefillKeyOps(kind.setup, shape.prefillKeys), shape.prefillKeys);
      const cost = this.attention.prefillCost(kind, shape);
      const seconds = this.attention.prefillSeconds(kind, shape);
      const source = this.attentionSource(
        this.attention.prefillModuleOf(kind, shape) ?? kind.prefillMeasured,
      );
      perLayer.push(this.attentionEntry('attention_prefill', kind.label, seconds, cost, source));
    }
    if (shape.decodeCount > 0) {
      const [qAbsorb, vAbsorb] = decodeOnlyOps(kind.setup, shape.decodeCount);
      if (qAbsorb) opsOver([qAbsorb], shape.decodeCount);
      const cost = this.attention.decodeCost(kind, shape);
      const seconds = this.attention.decodeSeconds(kind, shape);
      const source = this.attentionSource(kind.decodeMeasured);
      perLayer.push(this.attentionEntry('attention_decode', kind.label, seconds, cost, source));
      if (vAbsorb) opsOver([vAbsorb], shape.decodeCount);
    }
    perLayer.push(...afterCore);
    return perLayer.map((entry) => ({ ...entry, seconds: entry.seconds * layers, calls: layers }));
  }

  private attentionEntry(
    name: string,
    group: string,
    seconds: number,
    cost: { flops: number; bytes: number },
    source: string,
  ): BreakdownEntry {
    return {
      name,
      kind: 'attention',
      group,
      bound: this.ops.boundOf(cost, this.attentionFlops),
      seconds,
      calls: 1,
      ...cost,
      source,
    };
  }

  /** Where the attention core's time comes from, for display. */
  private attentionSource(measured: MeasuredAttention | undefined): string {
    return measured ? measured.source() : this.ops.rooflineSource();
  }
}
