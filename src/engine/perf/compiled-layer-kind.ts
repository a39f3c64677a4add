import {
  type AttentionCoefficients,
  type AttentionPathCoefficients,
  attentionCoefficients,
  decodeOnlyOps,
  type LayerCostSetup,
  layerCostSetup,
  layerTokenOps,
  type OpCost,
  prefillKeyOps,
} from '../model/cost.js';
import type { LayerGeometry } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { epGroupBatches } from './expert-parallel.js';
import { type Curve, toSortedArrays } from './interpolate.js';
import type { LayerKindCount } from './layer-kinds.js';
import type { LayerTokenOps } from './layer-token-ops.js';
import {
  type MeasuredAttention,
  measuredAttention,
  measuredDsaModule,
  measuredMlaModule,
} from './measured-layer.js';
import { attentionEfficiencyPoints } from './op-tables.js';
import type { OpTimer, OpTimerSetup } from './op-timer.js';
import { qUpProjectionFormat } from './q-up-projection.js';
import { paddedSparsePrefill, sparsePrefillPadding } from './sparse-mla-padding.js';
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

/** The q/KV down-projections, their norms, q's up-projection and RoPE: the head of every MLA module. */
const MLA_DOWN_PROJECTION_OPS = [
  'qkv_a_proj',
  'q_proj',
  'kv_a_proj',
  'q_a_kv_a_norm',
  'kv_a_norm',
  'q_b_proj',
  'rope',
] as const;

/**
 * The ops of a DeepSeek Sparse Attention layer inside the measured attention module (aiconfigurator's
 * dsa modules: from the fused q/KV down-projection to o_proj; the input norm and the residual are not).
 */
const DSA_MODULE_OPS: ReadonlySet<string> = new Set([
  ...MLA_DOWN_PROJECTION_OPS,
  'indexer_q_proj',
  'indexer_k_proj',
  'indexer_weights_proj',
  'mla_q_absorb',
  'mla_v_absorb',
  'o_proj',
]);

/**
 * The ops of a dense MLA layer's prefill inside the measured MLA module (vLLM's DeepseekV2MLAAttention:
 * from the fused q/KV down-projection to o_proj, the latent's up-projection kv_b_proj included; the
 * input norm and the residual are not).
 */
const MLA_MODULE_OPS: ReadonlySet<string> = new Set([...MLA_DOWN_PROJECTION_OPS, 'kv_b_proj', 'o_proj']);

/** The Hugging Face architecture the DSA module tables key a sparse-attention model by. */
const dsaArchitectureOf = (model: ModelSpec): string =>
  model.family === 'glm_moe_dsa' ? 'GlmMoeDsaForCausalLM' : 'DeepseekV32ForCausalLM';

/**
 * Compiles each layer geometry of a plan once: its cost setup, its token-count ops summed into tables
 * over the token grid (the whole layer; under a lockstep EP group one rank's part and the routed
 * experts apart), MLA's decode-only and per-key tables, and the attention coefficients, curves and
 * measured kernels or modules that time its core.
 */
export class LayerKindCompiler {
  constructor(
    private readonly s: OpTimerSetup,
    /** Busiest EP rank's routed tokens over the mean (StepModelOptions.expertImbalance). */
    private readonly expertImbalance: number | undefined,
    /** The token grid the step model's tables are read over. */
    private readonly grid: Float64Array,
    private readonly ops: OpTimer,
    private readonly tokenOps: LayerTokenOps,
  ) {}

  compile(count: LayerKindCount): CompiledLayerKind {
    const setup = this.layerSetup(count.layer);
    const attention = attentionCoefficients(setup);
    const measured = this.importedAttentionPoints(count.layer, attention);
    const c = this.s.calibration;
    const { tokenTable, rankTable, expertTable } = this.tokenTables(setup);
    const sparse = attention.indexer !== undefined;
    const { engineAttention, module, mlaModule } = this.engineAttentionOf(setup, attention, sparse);
    const decodeTable = this.opsTable((n) => decodeOnlyOps(setup, n));
    const prefillKeyTable = this.opsTable((n) => prefillKeyOps(setup, n));
    return {
      ...count,
      setup,
      window: attention.window,
      windowed: attention.window !== Number.POSITIVE_INFINITY,
      prefill: attention.prefill,
      sparsePrefill: this.sparsePrefillOf(setup, attention.prefill, sparse),
      decode: attention.decode,
      indexer: attention.indexer ?? null,
      tokenTable,
      rankTable,
      expertTable,
      decodeTable,
      prefillKeyTable,
      hasMlaTables: decodeTable !== null || prefillKeyTable !== null,
      prefillEfficiency: toSortedArrays(measured.prefill.length > 0 ? measured.prefill : c.prefillAttention),
      decodeEfficiency: toSortedArrays(measured.decode.length > 0 ? measured.decode : c.decodeAttention),
      // Imported (Vidur) attention tables take precedence: they measured this very deployment.
      prefillMeasured: measured.prefill.length > 0 ? undefined : engineAttention.prefill,
      decodeMeasured: measured.decode.length > 0 ? undefined : engineAttention.decode,
      ...(module.prefill ? { prefillModule: module.prefill } : {}),
      ...(mlaModule ? { prefillModule: mlaModule } : {}),
      prefillModuleFrom: module.prefillFrom ?? (mlaModule ? 0 : Number.POSITIVE_INFINITY),
      decodeModule: module.decode !== undefined,
    };
  }

  /** The cost setup of one layer geometry under this plan's formats and parallelism. */
  private layerSetup(layer: LayerGeometry): LayerCostSetup {
    const { model, plan } = this.s;
    return layerCostSetup(
      model,
      layer,
      {
        weight: this.s.weightLayout.format,
        quantized: this.s.weightLayout.quantized,
        kv: plan.kvDtype,
        qUpProjection: qUpProjectionFormat(this.s.engine, this.s.weightLayout),
      },
      {
        tp: plan.tp,
        ep: plan.ep,
        expertImbalance: this.expertImbalance,
        epGroupBatches: epGroupBatches(plan),
        moeTensorParallel: plan.moeTensorParallel ?? false,
      },
    );
  }

  /**
   * Attention efficiency points from imported (Vidur) op tables. They were taken on full-attention
   * layers; other kinds keep the calibration's curves (no points).
   */
  private importedAttentionPoints(
    layer: LayerGeometry,
    attention: AttentionCoefficients,
  ): { prefill: [number, number][]; decode: [number, number][] } {
    const { model, plan } = this.s;
    return this.s.opTables && layer.attention.kind === 'full'
      ? attentionEfficiencyPoints(this.s.opTables, {
          tp: plan.tp,
          hiddenSize: model.hiddenSize,
          attentionFlopsPerPair: attention.prefill.flopsPerPair,
          attentionBytesPerToken: attention.prefill.bytesPerToken,
          kvBytesPerKey: attention.prefill.bytesPerKey,
          peaks: this.s.peaks,
        })
      : { prefill: [], decode: [] };
  }

  /** `secondsAt` over the token grid. */
  private table(secondsAt: (n: number) => number): Float64Array {
    return this.grid.map((n) => secondsAt(n));
  }

  /** The layer's token-count ops over the grid, and (EP group) split into one rank's and the experts'. */
  private tokenTables(setup: LayerCostSetup): {
    tokenTable: Float64Array;
    rankTable: Float64Array | null;
    expertTable: Float64Array | null;
  } {
    const tokenTable = this.table((n) => this.tokenOps.seconds(setup, n, 'all'));
    // The group's routed experts see the sum of its ranks' tokens, whatever each rank's share.
    const grouped = setup.epGroupBatches > 1 && setup.layer.ffn.kind === 'moe';
    const groupSetup = { ...setup, epGroupBatches: 1 };
    const rankTable = grouped ? this.table((n) => this.tokenOps.seconds(setup, n, 'rank')) : null;
    const expertTable = grouped ? this.table((n) => this.tokenOps.seconds(groupSetup, n, 'experts')) : null;
    return { tokenTable, rankTable, expertTable };
  }

  /**
   * The engine's measured attention for the layer (its kernel tables), with the whole module's tables
   * where they time it instead: the DSA module for a sparse layer, the MLA module for a dense MLA
   * layer whose prefill kernel the engine did not measure alone.
   */
  private engineAttentionOf(setup: LayerCostSetup, attention: AttentionCoefficients, sparse: boolean) {
    const model = this.s.model;
    // A sparse (DSA) layer's decode runs in the latent space as the measured dense MLA decode does: its
    // efficiency, read over the dense shape, is applied to the top-k keys it reads. Its prefill kernel
    // (FlashMLA's sparse one, in the latent space) is not the measured dense prefill's: roofline curves.
    const measuredShape = sparse ? { ...attention, window: Number.POSITIVE_INFINITY } : attention;
    const engineAttention = this.s.measured ? measuredAttention(this.s.measured, setup, measuredShape) : {};
    if (sparse) delete engineAttention.prefill;
    // Where the engine measured the whole sparse-attention module, it times the core (and the indexer).
    const module =
      sparse && this.s.measured
        ? measuredDsaModule(this.s.measured, setup, dsaArchitectureOf(model), attention, (n) =>
            this.moduleProjectionSeconds(setup, n, DSA_MODULE_OPS),
          )
        : {};
    if (module.decode) engineAttention.decode = module.decode;
    // Dense MLA whose prefill kernel the engine's tables lack alone (vLLM's hold only the whole module).
    const mlaModule =
      !sparse && this.s.measured && !engineAttention.prefill
        ? measuredMlaModule(this.s.measured, setup, attention.prefill, (n) =>
            this.moduleProjectionSeconds(setup, n, MLA_MODULE_OPS),
          )
        : undefined;
    return { engineAttention, module, mlaModule };
  }

  /** Seconds of the ops `ops` lists for n tokens, over the token grid; null where it lists none. */
  private opsTable(ops: (n: number) => OpCost[]): Float64Array | null {
    return ops(1).length > 0
      ? this.table((n) => ops(n).reduce((sum, op) => sum + this.ops.opSeconds(op, n), 0))
      : null;
  }

  /** A sparse (DSA) layer's padded prefill coefficients, where the engine pads its query heads. */
  private sparsePrefillOf(
    setup: LayerCostSetup,
    prefill: AttentionPathCoefficients,
    sparse: boolean,
  ): AttentionPathCoefficients | null {
    const g = setup.layer.attention;
    if (!sparse || g.kind !== 'mla') return null;
    const padding = sparsePrefillPadding(this.s.engine?.id, this.s.hardware.deviceClass, g.heads / setup.tp);
    return padding === 1 ? null : paddedSparsePrefill(prefill, padding);
  }

  /**
   * Seconds of a layer's ops inside a measured attention module (`inside`: DSA_MODULE_OPS,
   * MLA_MODULE_OPS), at `tokens` tokens of a prompt with nothing cached (its keys are its tokens).
   */
  private moduleProjectionSeconds(
    setup: LayerCostSetup,
    tokens: number,
    inside: ReadonlySet<string>,
  ): number {
    const ops = layerTokenOps(setup, tokens);
    let seconds = 0;
    for (const op of [...ops.beforeCore, ...ops.afterCore, ...prefillKeyOps(setup, tokens)]) {
      if (inside.has(op.name) && this.ops.fusedInto(op.name, setup) === undefined)
        seconds += this.ops.resolveOp(op, tokens).seconds;
    }
    return seconds;
  }
}
