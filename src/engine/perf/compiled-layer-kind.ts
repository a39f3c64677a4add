import type { AttentionPathCoefficients, LayerCostSetup } from '../model/cost.js';
import type { Curve } from './interpolate.js';
import type { LayerKindCount } from './layer-kinds.js';
import type { MeasuredAttention } from './measured-layer.js';

/** One layer geometry of the plan, compiled: its costs per GPU and tables over the token grid. */
export interface CompiledLayerKind extends LayerKindCount {
  setup: LayerCostSetup;
  /** The attention core's coefficients (AttentionCoefficients). */
  window: number;
  /** Whether the window caps anything (a sliding layer): else the shape's sums serve as they are. */
  windowed: boolean;
  prefill: AttentionPathCoefficients;
  /**
   * A sparse (DSA) layer's prefill as the engine's FlashMLA sparse kernel runs it, query heads padded
   * (sparse-mla-padding.ts), for a batch with a sequence beyond the top-k; null: as `prefill`.
   */
  sparsePrefill: AttentionPathCoefficients | null;
  decode: AttentionPathCoefficients;
  /** DeepSeek Sparse Attention's indexer over every key (AttentionCoefficients.indexer); null: none. */
  indexer: AttentionPathCoefficients | null;
  /** Seconds of one layer's token-count ops (linears, norms, FFN, collectives), over the token grid. */
  tokenTable: Float64Array;
  /**
   * An EP group over attention-DP ranks (epGroupBatches > 1): the layer split as a lockstep group step
   * needs it. `rankTable`: the token-count ops of one rank's own tokens (the routed experts left out),
   * over the rank's tokens; `expertTable`: the routed experts, over the tokens of the whole group. Null:
   * no such group (or no routed experts in this layer).
   */
  rankTable: Float64Array | null;
  expertTable: Float64Array | null;
  /** Seconds of the ops only decodes run (MLA's absorbed projections), over decode counts; null: none. */
  decodeTable: Float64Array | null;
  /** Seconds of the ops run per prefill key (MLA's latent up-projection), over key counts; null: none. */
  prefillKeyTable: Float64Array | null;
  hasMlaTables: boolean;
  prefillEfficiency: Curve;
  decodeEfficiency: Curve;
  /** Measured attention efficiency over (sequences, length), where a table covers the geometry. */
  prefillMeasured?: MeasuredAttention;
  decodeMeasured?: MeasuredAttention;
  /**
   * A sparse (DSA) layer's prefill core from the whole DSA module's table, for prompts of at least
   * `prefillModuleFrom` tokens on average (the indexer path; shorter prompts run SGLang's dense path,
   * whose module rows sit on the measuring loop's floor); the indexer is inside it. A dense MLA layer's,
   * from the whole MLA module's table, where the engine measured no MLA prefill kernel alone (vLLM).
   */
  prefillModule?: MeasuredAttention;
  prefillModuleFrom: number;
  /** Whether decodeMeasured is the whole DSA module's: indexer inside, read at the context, not the top-k. */
  decodeModule: boolean;
}
