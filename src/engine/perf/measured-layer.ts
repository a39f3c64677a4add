import type { AttentionPathCoefficients, LayerCostSetup } from '../model/cost.js';
import { windowedKeys, windowedPairs } from '../model/cost.js';
import type { WeightDtype, WeightFormat } from '../model/dtypes.js';
import { ENGINE_BACKENDS } from '../opdb/systems.js';
import { describeOpTimeSource, type OpTime } from '../opdb/table.js';
import { chosenKernelAtShape, transferredChosenKernel } from './chosen-moe-kernel.js';
import { EfficiencyGrid, powersOfTwo } from './efficiency-grid.js';
import { marlinMoe } from './marlin-moe.js';
import {
  gemmTableDtypeOf,
  kvCacheDtypeOf,
  type MeasuredOps,
  type ResolvedOpTime,
  resolveMeasuredOps,
  siblingMeasuredOps,
} from './measured-ops.js';
import { kernelPatternOf, pinsMeasuredKernel, TRTLLM_GEN_KERNEL } from './moe-backend.js';
import { moeKernelDegrees } from './moe-tensor-parallel.js';
import { speedOfLight } from './roofline.js';
import { runsMoeOnDenseKernel } from './serving-engine.js';
import { kernelShapesOf, nearestExpertShape, sameExpertShape, transferredMoe } from './transferred-moe.js';

/** A layer's attention core timed from a measured table: efficiency over (sequences, length). */
export interface MeasuredAttention {
  grid: EfficiencyGrid;
  source: () => string;
}

interface Cost {
  flops: number;
  bytes: number;
}

const PREFILL_BATCHES = powersOfTwo(1, 64);
const PREFILL_LENGTHS = powersOfTwo(16, 32768);
const DECODE_BATCHES = powersOfTwo(1, 1024);
const DECODE_LENGTHS = powersOfTwo(16, 131072);

type Lookup = (batch: number, length: number) => OpTime | undefined;

/** Measured seconds over a grid, per MeasuredOps and query: plans of one model share their shapes. */
const measuredGrids = new WeakMap<MeasuredOps, Map<string, Float64Array | null>>();

function measuredSeconds(
  ops: MeasuredOps,
  key: string,
  batches: readonly number[],
  lengths: readonly number[],
  lookup: Lookup,
): Float64Array | null {
  let grids = measuredGrids.get(ops);
  if (!grids) {
    grids = new Map();
    measuredGrids.set(ops, grids);
  }
  let seconds = grids.get(key);
  if (seconds === undefined) {
    seconds = new Float64Array(batches.length * lengths.length);
    fill: for (let b = 0; b < batches.length; b++) {
      for (let l = 0; l < lengths.length; l++) {
        const time = lookup(batches[b], lengths[l]);
        if (time === undefined || !(time.seconds > 0)) {
          seconds = null;
          break fill;
        }
        seconds[b * lengths.length + l] = time.seconds;
      }
    }
    grids.set(key, seconds);
  }
  return seconds;
}

/**
 * The KV-cache dtype to read a table at: the plan's where the table measured this geometry with it, else
 * 16-bit (a kernel measured only on a few other shapes for fp8, extrapolated far, is worse than the
 * 16-bit kernel's measurement of this very shape).
 */
function kvDtypeFor(setup: LayerCostSetup, probe: (kvCacheDtype: string) => OpTime | undefined): string {
  const wanted = kvCacheDtypeOf(setup.kvDtype);
  if (wanted === 'bfloat16') return wanted;
  const how = (dtype: string) => probe(dtype)?.source.how;
  return how(wanted) === 'extrapolated' && how('bfloat16') !== 'extrapolated' ? 'bfloat16' : wanted;
}

/** Queries of the attention tables for one layer's geometry on one GPU of its TP group. */
function attentionLookups(
  ops: MeasuredOps,
  setup: LayerCostSetup,
): { key: string; prefill?: Lookup; decode?: Lookup } {
  const g = setup.layer.attention;
  const t = ops.tables;
  if (g.kind === 'full' || g.kind === 'sliding') {
    const shape = {
      heads: g.heads / setup.tp,
      kvHeads: Math.max(1, g.kvHeads / setup.tp),
      headDim: g.headDim,
      ...(Number.isFinite(g.window) ? { window: g.window } : {}),
    };
    const prefillKv = kvDtypeFor(setup, (kv) =>
      t.contextAttention({ ...shape, kvCacheDtype: kv, batch: 1, isl: 1024 }),
    );
    const decodeKv = kvDtypeFor(setup, (kv) =>
      t.generationAttention({ ...shape, kvCacheDtype: kv, batch: 8, context: 1024 }),
    );
    return {
      key: JSON.stringify({ ...shape, prefillKv, decodeKv }),
      prefill:
        t.tables.contextAttention &&
        ((batch, isl) => t.contextAttention({ ...shape, kvCacheDtype: prefillKv, batch, isl })),
      decode:
        t.tables.generationAttention &&
        ((batch, context) => t.generationAttention({ ...shape, kvCacheDtype: decodeKv, batch, context })),
    };
  }
  if (g.kind === 'mla') {
    const heads = g.heads / setup.tp;
    const prefillKv = kvDtypeFor(setup, (kv) =>
      t.contextMla({ heads, kvCacheDtype: kv, batch: 1, isl: 1024 }),
    );
    const decodeKv = kvDtypeFor(setup, (kv) =>
      t.generationMla({ heads, kvCacheDtype: kv, batch: 8, context: 1024 }),
    );
    return {
      key: JSON.stringify({ mla: heads, prefillKv, decodeKv }),
      prefill:
        t.tables.contextMla && ((batch, isl) => t.contextMla({ heads, kvCacheDtype: prefillKv, batch, isl })),
      decode:
        t.tables.generationMla &&
        ((batch, context) => t.generationMla({ heads, kvCacheDtype: decodeKv, batch, context })),
    };
  }
  return { key: '' };
}

function grid(
  ops: MeasuredOps,
  key: string,
  batches: readonly number[],
  lengths: readonly number[],
  lookup: Lookup,
  costOf: (batch: number, length: number) => Cost,
): MeasuredAttention | undefined {
  const peaks = ops.peaks('bf16').measured;
  const seconds = measuredSeconds(ops, key, batches, lengths, lookup);
  if (seconds === null) return undefined;
  const values = new Float64Array(batches.length * lengths.length);
  for (let b = 0; b < batches.length; b++) {
    for (let l = 0; l < lengths.length; l++) {
      const i = b * lengths.length + l;
      const cost = costOf(batches[b], lengths[l]);
      values[i] =
        speedOfLight(cost.flops, cost.bytes, peaks.attentionFlops, peaks.bytesPerSecond) / seconds[i];
    }
  }
  const sample = () => lookup(batches[0], lengths[Math.floor(lengths.length / 2)]) as OpTime;
  const how = ops.transferred ? `efficiency transferred from ${ops.measuredOn.id}: ` : '';
  return {
    grid: new EfficiencyGrid(batches, lengths, values),
    source: () =>
      `${how}${describeOpTimeSource(sample().source).replace(/:.*$/, '')}, over batch ${batches[0]}–${batches.at(-1)} × length ${lengths[0]}–${lengths.at(-1)}`,
  };
}

/**
 * The measured efficiency of one layer kind's prefill and decode attention, over the batch sizes and
 * lengths measured, as grids the step model reads per step: time = speed of light of the step's real
 * shape / efficiency at its (sequences, mean length). Undefined parts: no table for the geometry.
 */
export function measuredAttention(
  ops: MeasuredOps,
  setup: LayerCostSetup,
  coefficients: { window: number; prefill: AttentionPathCoefficients; decode: AttentionPathCoefficients },
): { prefill?: MeasuredAttention; decode?: MeasuredAttention } {
  const lookups = attentionLookups(ops, setup);
  const { window, prefill: p, decode: d } = coefficients;
  const prefill =
    lookups.prefill &&
    grid(ops, `prefill ${lookups.key}`, PREFILL_BATCHES, PREFILL_LENGTHS, lookups.prefill, (batch, isl) => {
      const pairs = batch * windowedPairs(isl, 0, window);
      const keys = batch * windowedKeys(isl, 0, window);
      return {
        flops: p.flopsPerPair * pairs + p.flopsPerToken * batch * isl,
        bytes: p.bytesPerToken * batch * isl + p.bytesPerKey * keys + p.bytesPerSequence * batch,
      };
    });
  const decode =
    lookups.decode &&
    grid(ops, `decode ${lookups.key}`, DECODE_BATCHES, DECODE_LENGTHS, lookups.decode, (batch, context) => {
      const keys = batch * Math.min(context, window);
      return {
        flops: d.flopsPerPair * keys + d.flopsPerToken * batch,
        bytes: (d.bytesPerToken + d.bytesPerSequence) * batch + d.bytesPerKey * keys,
      };
    });
  return { prefill, decode };
}

/** The DSA module tables' GEMM format for the attention's weights; undefined: a format they lack. */
function dsaGemmDtypeOf(weight: WeightFormat): string | undefined {
  if (weight.dtype === 'fp8') return 'fp8_block';
  return weight.dtype === 'bf16' || weight.dtype === 'fp16' ? 'bfloat16' : undefined;
}

/**
 * A DeepSeek Sparse Attention layer's attention core from the measured whole-module tables
 * (aiconfigurator's dsa_context_module / dsa_generation_module: q/KV projections and norms, the indexer's
 * projections, scoring and top-k, the sparse MLA, o_proj). The step model prices the projections as
 * their own GEMMs (`projectionSeconds`, at a token count); the core is what the module took beyond them,
 * so projections plus core add up to the measured module. Where that remainder is below a tenth of the
 * module (projections priced slower than the module measured them), a tenth stands. The efficiency grid
 * reads the core's cost over the top-k keys it attends, as the step does; the indexer is inside the
 * module, so the step adds none beside it. Undefined parts: no table measured the architecture, the
 * GEMM and KV formats and the heads on one GPU.
 */
export function measuredDsaModule(
  ops: MeasuredOps,
  setup: LayerCostSetup,
  architecture: string,
  coefficients: { window: number; prefill: AttentionPathCoefficients; decode: AttentionPathCoefficients },
  projectionSeconds: (tokens: number) => number,
): { prefill?: MeasuredAttention; prefillFrom?: number; decode?: MeasuredAttention } {
  const g = setup.layer.attention;
  const gemmDtype = dsaGemmDtypeOf(setup.weights.attention);
  const t = ops.tables;
  if (g.kind !== 'mla' || !g.indexer || gemmDtype === undefined) return {};
  const heads = g.heads / setup.tp;
  const kvCacheDtype = kvCacheDtypeOf(setup.kvDtype);
  const shape = { architecture, gemmDtype, kvCacheDtype, heads };
  // A table measured on another architecture, format or head count is not this module: probe inside the grid.
  const measured = (time: OpTime | undefined) => time !== undefined && time.source.how !== 'extrapolated';
  const remainder = (time: OpTime | undefined, tokens: number): OpTime | undefined =>
    time && { ...time, seconds: Math.max(time.seconds - projectionSeconds(tokens), time.seconds / 10) };
  const key = JSON.stringify({ dsa: shape, hidden: setup.hiddenSize, g, w: setup.weights.attention });
  const { window, prefill: p, decode: d } = coefficients;
  // Prompts up to the top-k run SGLang's dense path, whose module rows hold a flat ~0.8 ms from 4 to
  // 16k tokens (the measuring loop's host time, not the kernels): the module times prompts of twice the
  // top-k and more, where it grows with the work.
  const prefillFrom = 2 * window;
  const prefillLengths = PREFILL_LENGTHS.filter((length) => length >= prefillFrom);
  const prefill =
    t.tables.dsaContextModule &&
    prefillLengths.length > 0 &&
    measured(t.dsaContextModule({ ...shape, batch: 1, isl: prefillLengths[0] }))
      ? grid(
          ops,
          `dsa prefill ${key}`,
          PREFILL_BATCHES,
          prefillLengths,
          (batch, isl) => remainder(t.dsaContextModule({ ...shape, batch, isl }), batch * isl),
          // The step's pairs and keys of a batch whose shape does not track this window (shape.ts):
          // every token's top-k keys at most.
          (batch, isl) => ({
            flops:
              p.flopsPerPair *
                Math.min(batch * windowedPairs(isl, 0, Number.POSITIVE_INFINITY), batch * isl * window) +
              p.flopsPerToken * batch * isl,
            bytes:
              p.bytesPerToken * batch * isl +
              p.bytesPerKey * Math.min(batch * isl, batch * (isl + window - 1)) +
              p.bytesPerSequence * batch,
          }),
        )
      : undefined;
  const decode =
    t.tables.dsaGenerationModule && measured(t.dsaGenerationModule({ ...shape, batch: 8, context: 1024 }))
      ? grid(
          ops,
          `dsa decode ${key}`,
          DECODE_BATCHES,
          DECODE_LENGTHS,
          (batch, context) => remainder(t.dsaGenerationModule({ ...shape, batch, context }), batch),
          (batch, context) => {
            const keys = batch * Math.min(context, window);
            return {
              flops: d.flopsPerPair * keys + d.flopsPerToken * batch,
              bytes: (d.bytesPerToken + d.bytesPerSequence) * batch + d.bytesPerKey * keys,
            };
          },
        )
      : undefined;
  // The ops beside the core keep their own sources; say what the core's time is.
  const remainderOf = (m: MeasuredAttention): MeasuredAttention => ({
    grid: m.grid,
    source: () => `${m.source()}: the whole module less its projections, indexer included`,
  });
  return {
    ...(prefill ? { prefill: remainderOf(prefill), prefillFrom } : {}),
    ...(decode ? { decode: remainderOf(decode) } : {}),
  };
}

/**
 * The MoE table's format for a weight format, where the table measured it. mxfp4 experts run as W4A16
 * where the engine measured that kernel; TensorRT-LLM on Blackwell runs them with mxfp8 activations
 * (W4A8, its only mxfp4 MoE kernel there), the same 4-bit weights read. fp8 experts with and without
 * block scales run the same fused kernel family in an engine (SGLang's Triton fused MoE takes either
 * scale layout), so an engine that measured one stands in for the other, before any other engine's.
 */
function moeDtypeOf(
  ops: MeasuredOps,
  weightDtype: WeightDtype,
  tableDtype: string,
  chosenKernel = true,
): string | undefined {
  return moeCandidates(weightDtype, tableDtype).find(
    (dtype) => ops.measuredDtype('moe', dtype) && (!chosenKernel || runsChosenKernel(ops, dtype)),
  );
}

/**
 * Whether the table measured, in `dtype`, the kernel the launch chose (ServingEngine.moeBackend): with
 * `trtllm-gen`, `cutlass` or `triton`, a kernel of that family (perf/moe-backend.ts kernelPatternOf), at any expert
 * shape; otherwise any.
 */
function runsChosenKernel(ops: MeasuredOps, dtype: string): boolean {
  const pattern = kernelPatternOf(ops.engine.moeBackend);
  if (!pattern) return true;
  const table = ops.tables.tables.moe;
  return table !== undefined && kernelShapesOf(table, dtype, pattern).length > 0;
}

function moeCandidates(weightDtype: WeightDtype, tableDtype: string): readonly string[] {
  if (weightDtype === 'mxfp4') return [tableDtype, 'w4a8_mxfp4_mxfp8'];
  if (weightDtype === 'fp8') return [tableDtype, tableDtype === 'fp8' ? 'fp8_block' : 'fp8'];
  return [tableDtype];
}

/** The tables that time a MoE layer's routed experts, the format they read, and whose they are. */
interface MoeTables {
  ops: MeasuredOps;
  dtype: string;
  /** Set where another engine's measured kernel stands in: why. */
  borrowed?: string;
  /** False where the launch chose CUTLASS and these tables time the engine's default kernel instead. */
  chosenKernel?: boolean;
}

/**
 * The MoE kernel measurement for a format the engine's table on this GPU may lack, in order: the
 * engine's own table; the same engine's on a sibling GPU of the class (its efficiency transferred: SGLang
 * measured no MoE on B200 but did on GB200, the same chip); for a TP-sharded MoE (no EP), another
 * engine's on this GPU. Sharded over TP the engines run the same fused kernel over every token (vLLM's
 * and SGLang's Blackwell fp8/nvfp4 MoE backends are TensorRT-LLM's, through FlashInfer). Roofline × the
 * dense-GEMM default efficiency, the fallback, prices a prefill's grouped GEMMs several times too fast
 * (permutation, per-expert tiles, the combine are not in it). Under EP the engines route tokens to the
 * kernel differently (vLLM's measured EP kernel takes twice its TP time for the same work; TensorRT-LLM's
 * disaggregated EP deployments run faster than that): no other engine's stands in there.
 */
export function moeTablesFor(ops: MeasuredOps, weight: WeightFormat, ep: number): MoeTables | undefined {
  let memo = moeTablesMemo.get(ops);
  if (!memo) {
    memo = new Map();
    moeTablesMemo.set(ops, memo);
  }
  const key = `${weight.dtype}|${weight.groupSize ?? ''}|${ep > 1}`;
  let found = memo.get(key);
  if (found === undefined) {
    found = findMoeTables(ops, weight, ep) ?? null;
    memo.set(key, found);
  }
  return found ?? undefined;
}

const moeTablesMemo = new WeakMap<MeasuredOps, Map<string, MoeTables | null>>();

function findMoeTables(ops: MeasuredOps, weight: WeightFormat, ep: number): MoeTables | undefined {
  const backend = ops.engine.moeBackend;
  return pinsMeasuredKernel(backend)
    ? findPinnedMoeTables(ops, weight, ep, backend)
    : findChosenMoeTables(ops, weight, ep);
}

/**
 * A CUTLASS or Triton MoE the launch chose (TensorRT-LLM's CUTLASS MoE; SGLang's FlashInfer CUTLASS or
 * fused Triton runner): the engine's own table's kernel of that family, on this GPU or one of its class;
 * else, for Triton only, another engine's Triton rows; else the default kernel's time, saying so. Other
 * engines' CUTLASS measurements do not stand in: they time
 * FlashInfer's cutlass_fused_moe behind their own MoE layers, and the tables show it is not the same
 * time (aiconfigurator's RTX PRO 6000 nvfp4 DeepSeek shape at tp 1, 64 tokens: TensorRT-LLM's
 * moe_torch_flow_cutlass 4.40 ms, vLLM's and SGLang's FlashInfer CUTLASS 2.23 and 2.22 ms; on B200
 * vLLM's FlashInfer CUTLASS nvfp4 runs 2.3 times its trtllm-gen kernel at tp 8 decode sizes, the
 * opposite of why InferenceMAX's scripts choose CUTLASS at high concurrency).
 */
function findPinnedMoeTables(
  ops: MeasuredOps,
  weight: WeightFormat,
  ep: number,
  backend: 'cutlass' | 'triton',
): MoeTables | undefined {
  const tableDtype = gemmTableDtypeOf(weight);
  const own = moeDtypeOf(ops, weight.dtype, tableDtype);
  if (own !== undefined) return { ops, dtype: own };
  const missing = `${ops.engine.id} measured no ${backend} ${tableDtype} MoE on ${ops.tables.system}`;
  for (const sibling of siblingMeasuredOps(ops, weight.dtype)) {
    const dtype = moeDtypeOf(sibling, weight.dtype, tableDtype);
    if (dtype !== undefined)
      return { ops: sibling, dtype, borrowed: `${missing}: its ${sibling.tables.system} kernel` };
  }
  // The Triton fused MoE is one kernel in vLLM and SGLang (SGLang's fused_moe_triton adapts vLLM's), so
  // another engine's Triton rows stand in, on this GPU or one of its class (perf/moe-backend.ts).
  const otherEngines = backend === 'triton' ? findChosenMoeTables(ops, weight, ep) : undefined;
  if (otherEngines) return otherEngines;
  const fallback = findChosenMoeTables(ops, weight, ep, false);
  if (!fallback) return undefined;
  const why = `${missing} or its class: the default kernel's time`;
  return {
    ...fallback,
    borrowed: fallback.borrowed ? `${why}; ${fallback.borrowed}` : why,
    chosenKernel: false,
  };
}

/** The tables of the launch's MoE kernel (`chosenKernel`), else of any kernel (the engine's default). */
function findChosenMoeTables(
  ops: MeasuredOps,
  weight: WeightFormat,
  ep: number,
  chosenKernel = true,
): MoeTables | undefined {
  const tableDtype = gemmTableDtypeOf(weight);
  const own = moeDtypeOf(ops, weight.dtype, tableDtype, chosenKernel);
  if (own !== undefined) return { ops, dtype: own };
  const backend = ops.engine.moeBackend;
  const kernel = chosenKernel && kernelPatternOf(backend) ? ` ${backend}` : '';
  const missing = `${ops.engine.id} measured no${kernel} ${tableDtype} MoE on ${ops.tables.system}`;
  for (const sibling of siblingMeasuredOps(ops, weight.dtype)) {
    const dtype = moeDtypeOf(sibling, weight.dtype, tableDtype, chosenKernel);
    if (dtype !== undefined)
      return { ops: sibling, dtype, borrowed: `${missing}: its ${sibling.tables.system} kernel` };
  }
  // Nor where the engine runs this format's experts on its dense GEMM kernel, not the fused kernel the
  // others measured: op-timer.ts times the grouped GEMMs from that dense table.
  if (ep > 1 || runsMoeOnDenseKernel(ops.engine, ops.target, tableDtype)) return undefined;
  const { version: _version, ...flags } = ops.engine;
  const others = ENGINE_BACKENDS.filter((id) => id !== ops.engine.id).flatMap((id) => {
    const other = resolveMeasuredOps(ops.target, { ...flags, id });
    return other ? [{ id, other }] : [];
  });
  for (const { id, other } of others) {
    const dtype = moeDtypeOf(other, weight.dtype, tableDtype, chosenKernel);
    if (dtype !== undefined) {
      const whose = kernel
        ? `the ${backend} kernel as ${id} measured it${backend === 'triton' ? '' : ' (through FlashInfer)'}`
        : `${id}'s kernel`;
      return { ops: other, dtype, borrowed: `${missing}: ${whose}` };
    }
  }
  return chosenKernel && backend === 'triton'
    ? chosenKernelOnSibling(others, weight, tableDtype, missing)
    : undefined;
}

/**
 * The launch's chosen kernel family as another engine measured it on a sibling GPU of the class, its
 * efficiency transferred: vLLM's Triton fused MoE on B200, which no vLLM table measured on Blackwell,
 * reads SGLang's (its fused_moe_triton is vLLM's kernel, adapted) on B300 or GB200. Only for Triton: an
 * engine's default kernel keeps its own GPU's tables or the roofline, and the other chosen families
 * (trtllm-gen, CUTLASS) keep the lookups their rows were checked with.
 */
function chosenKernelOnSibling(
  others: readonly { id: string; other: MeasuredOps }[],
  weight: WeightFormat,
  tableDtype: string,
  missing: string,
): MoeTables | undefined {
  for (const { id, other } of others) {
    for (const sibling of siblingMeasuredOps(other, weight.dtype)) {
      const dtype = moeDtypeOf(sibling, weight.dtype, tableDtype);
      if (dtype === undefined) continue;
      const borrowed = `${missing}: the ${other.engine.moeBackend} kernel as ${id} measured it on ${sibling.tables.system}`;
      return { ops: sibling, dtype, borrowed };
    }
  }
  return undefined;
}

type MoeQuery = Parameters<MeasuredOps['tables']['moe']>[0] & { inter: number; tp: number };

/** The table's trace of a TP degree scaled by the assumed exponent: it measured one TP degree only. */
const TP_ASSUMED = /^tp \d+: only \d+ measured/;

/**
 * A TP-sharded MoE's time on one GPU, where the table measured one TP degree only: each GPU runs every
 * expert at width / TP. Only the kernel's work splits: its one-token time at TP 1 (routing, permutation,
 * the launches and tails of two grouped GEMMs, the combine) is latency that every rank still pays, so the
 * sharded time is that latency plus 1/TP of the rest. The tables that measured TP 2–8 bear this out on
 * H200 (TensorRT-LLM's CUTLASS MoE, 41–49 shapes: 1/TP of the time with that latency as a floor reads a
 * median 0.74–0.76 of the measured TP 8 time at 16–256 tokens, this form 1.01–1.21; at TP 2 0.94–0.95
 * against 1.00–1.05), where the floor alone left a TP-8 decode's MoE flat in the batch.
 */
function tensorParallelMoe(ops: MeasuredOps, query: MoeQuery): OpTime {
  const asQueried = ops.tables.moe(query) as OpTime;
  if (query.tp <= 1 || !asQueried.source.steps.some((step) => TP_ASSUMED.test(step))) return asQueried;
  const unsharded = ops.tables.moe({ ...query, tp: 1 }) as OpTime;
  const latency = (ops.tables.moe({ ...query, tokens: 1, tp: 1 }) as OpTime).seconds;
  const seconds = latency + Math.max(0, unsharded.seconds - latency) / query.tp;
  if (seconds <= asQueried.seconds) return asQueried;
  return {
    seconds,
    source: {
      ...unsharded.source,
      how: 'extrapolated',
      steps: [
        `tp ${query.tp}: not measured; the one-token time at tp 1 (latency) + 1/${query.tp} of the rest`,
        ...unsharded.source.steps,
      ],
    },
  };
}

/**
 * One EP rank's routed experts where an all-to-all dispatch hands it only the tokens routed to its
 * experts (DeepEP): SGLang's DeepEPMoE runs DeepGEMM's masked grouped GEMMs over just those tokens
 * (sgl-project/sglang python/sglang/srt/layers/moe/ep_moe/layer.py @3f02617,
 * DeepEPMoE.forward_deepgemm_masked: `masked_m`, the tokens dispatched to each local expert). The
 * table's EP > 1 rows measure something else: every rank running the whole group's batch through the
 * fused kernel (routing, quantizing and finalizing all `num_tokens`, ai-dynamo/aiconfigurator
 * collector/sglang/collect_moe.py: one `hidden_states` of num_tokens rows, logits over all experts, the
 * layer built with moe_ep_size), as SGLang runs EP without DeepEP (tokens gathered over the DP ranks).
 * That per-token work over the whole batch dominates there (gb300 sglang fp8_block at 16384 tokens: 11.2
 * ms at EP 1, 6.0 ms at EP 64 for 1/64 of the expert work). A dispatched rank holds 1/EP of the experts,
 * each with the load it has in an EP-1 run of the group's tokens: 1/EP of that run's time, never below
 * the kernel's one-token time at this EP degree (its launch and weight-read floor).
 */
function dispatchedMoe(ops: MeasuredOps, query: MoeQuery & { ep: number }): OpTime {
  const whole = ops.tables.moe({ ...query, ep: 1 }) as OpTime;
  const floor = ops.tables.moe({ ...query, tokens: 1 }) as OpTime;
  const share = whole.seconds / query.ep;
  if (floor.seconds >= share) return floor;
  return {
    seconds: share,
    source: {
      ...whole.source,
      how: whole.source.how === 'measured' ? 'interpolated' : whole.source.how,
      steps: [
        `ep ${query.ep}, tokens dispatched: 1/${query.ep} of the ep-1 kernel over the group's ${query.tokens} tokens`,
        ...whole.source.steps,
      ],
    },
  };
}

/**
 * The routed experts of one MoE layer (grouped gate/up, activation, down) from the measured MoE table,
 * for `tokens` tokens on one GPU, in the checkpoint's weight format (block-scaled fp8 reads the
 * fp8_block kernel's times, gemmTableDtypeOf); `cost` is the cost model's sum of those ops (for a transfer).
 * `dispatched`: under EP, an all-to-all delivers each rank only its experts' tokens (dispatchedMoe).
 */
export function measuredMoe(
  measured: MeasuredOps,
  setup: LayerCostSetup,
  tokens: number,
  weight: WeightFormat,
  cost: Cost,
  dispatched = false,
): ResolvedOpTime | undefined {
  const ffn = setup.layer.ffn;
  if (ffn.kind !== 'moe' || tokens <= 0) return undefined;
  // Another format's MoE kernel is not this one's: a format no engine measured keeps the roofline.
  // Under MoE TP each GPU runs a TP slice of every expert over the group's tokens: the tables' EP-1 rows.
  const degrees = moeKernelDegrees(setup);
  const found = moeTablesFor(measured, weight, degrees.ep);
  if (found === undefined) return undefined;
  const { ops, dtype, borrowed } = found;
  const shape = { hidden: setup.hiddenSize, inter: ffn.width, topk: ffn.topK, experts: ffn.experts };
  const backend = measured.engine.moeBackend;
  // CUTLASS or Triton chosen, in a table that measured it: read its rows at the model's shape, else
  // carry its efficiency from the nearest shape it was measured at (chosen-moe-kernel.ts).
  const timesPinned = pinsMeasuredKernel(backend) && found.chosenKernel !== false;
  const pinned = timesPinned ? chosenKernelAtShape(ops.tables.tables.moe, dtype, backend, shape) : undefined;
  const query = {
    tokens,
    ...shape,
    tp: degrees.tp,
    ep: degrees.ep,
    dtype,
    ...(pinned ? { kernel: pinned } : {}),
  };
  if (timesPinned && !pinned) {
    const carried = transferredChosenKernel(ops, query, weight, backend);
    if (carried) return borrowedFrom(carried, borrowed);
  }
  // mxfp4 experts the table measured at other shapes only: the nearest shape's efficiency.
  if (!timesPinned && weight.dtype === 'mxfp4' && !dispatched) {
    const carried = defaultKernelAtNearestShape(ops, query, weight);
    if (carried) return borrowedFrom(carried, borrowed);
  }
  const time = dispatched && degrees.ep > 1 ? dispatchedMoe(ops, query) : tensorParallelMoe(ops, query);
  const peaks = ops.peaks(weight.dtype);
  const own = ops.carry(
    time.seconds,
    () => `${borrowed ? `${borrowed}, ` : ''}${describeOpTimeSource(time.source)}`,
    speedOfLight(cost.flops, cost.bytes, peaks.measured.gemmFlops, peaks.measured.bytesPerSecond),
    speedOfLight(cost.flops, cost.bytes, peaks.target.gemmFlops, peaks.target.bytesPerSecond),
  );
  if (weight.dtype !== 'mxfp4') return own;
  if (backend === 'trtllm-gen-mxfp8') return mxfp8ActivationsMoe(ops, query, weight) ?? own;
  const marlin = backend === 'marlin' ? marlinMoe(ops, query, weight) : undefined;
  return marlin ? slowerOfMarlin(own, marlin) : own;
}

/**
 * The MLA geometry aiconfigurator's vLLM collector measured the whole module on: DeepSeek-V3's config
 * with only the head count swept (ai-dynamo/aiconfigurator collector/vllm/collect_mla_module.py
 * @cab242b4, _create_attention_module: `hf_config.num_attention_heads = num_heads`, the rest read from
 * deepseek-ai/DeepSeek-V3). Kimi-K2's attention has the same ranks and head dimensions.
 */
const MEASURED_MLA_MODULE = {
  model: 'deepseek-ai/DeepSeek-V3',
  hidden: 7168,
  qLoraRank: 1536,
  kvLoraRank: 512,
  qkNopeHeadDim: 128,
  qkRopeHeadDim: 64,
  vHeadDim: 128,
} as const;

/** The MLA module tables' GEMM format for the attention's weights; undefined: a format they lack. */
function mlaModuleGemmDtypeOf(weight: WeightFormat): string | undefined {
  if (weight.dtype === 'fp8') return weight.groupSize !== undefined ? 'fp8_block' : undefined;
  if (weight.dtype === 'nvfp4') return 'nvfp4';
  return weight.dtype === 'bf16' || weight.dtype === 'fp16' ? 'bfloat16' : undefined;
}

/** Whether a layer's attention is dense MLA of the geometry the module tables measured. */
function measuredMlaGeometry(setup: LayerCostSetup): boolean {
  const g = setup.layer.attention;
  const m = MEASURED_MLA_MODULE;
  return (
    g.kind === 'mla' &&
    g.indexer === null &&
    setup.hiddenSize === m.hidden &&
    g.qLoraRank === m.qLoraRank &&
    g.kvLoraRank === m.kvLoraRank &&
    g.qkNopeHeadDim === m.qkNopeHeadDim &&
    g.qkRopeHeadDim === m.qkRopeHeadDim &&
    g.vHeadDim === m.vHeadDim
  );
}

/**
 * A dense MLA layer's prefill attention core from the measured whole module, for an engine whose tables
 * hold the module but not the attention kernel alone (aiconfigurator's vLLM tables: mla_context_module
 * only, no context_mla). The module is vLLM's DeepseekV2MLAAttention forward (collect_mla_module.py
 * @cab242b4: "Profiles the complete attention module forward pass (projections + attention + output)":
 * fused_qkv_a_proj, the q/KV norms, q_b_proj, RoPE, kv_b_proj, the prefill attention, o_proj) with an
 * empty cache, so its prompts' keys are its tokens. The step prices those projections as their own
 * GEMMs (`projectionSeconds`, at a token count); the core is what the module took beyond them, at least
 * a tenth of it, as measuredDsaModule does. The module ran 16-bit attention compute (mla_dtype bfloat16:
 * vLLM's default, without `use_prefill_query_quantization`) over the plan's KV format. Undefined where
 * the geometry, the GEMM format or the heads on one GPU were not measured.
 */
export function measuredMlaModule(
  ops: MeasuredOps,
  setup: LayerCostSetup,
  prefillCoefficients: AttentionPathCoefficients,
  projectionSeconds: (tokens: number) => number,
): MeasuredAttention | undefined {
  const g = setup.layer.attention;
  const gemmDtype = mlaModuleGemmDtypeOf(setup.weights.attention);
  const t = ops.tables;
  if (g.kind !== 'mla' || !measuredMlaGeometry(setup) || gemmDtype === undefined) return undefined;
  if (!t.tables.mlaContextModule) return undefined;
  const base = {
    model: MEASURED_MLA_MODULE.model,
    gemmDtype,
    mlaDtype: 'bfloat16',
    heads: g.heads / setup.tp,
  };
  const kvCacheDtype = kvDtypeFor(setup, (kv) =>
    t.mlaContextModule({ ...base, kvCacheDtype: kv, batch: 1, isl: 1024 }),
  );
  const shape = { ...base, kvCacheDtype };
  const probe = t.mlaContextModule({ ...shape, batch: 1, isl: 1024 });
  if (probe === undefined || probe.source.how === 'extrapolated') return undefined;
  const remainder = (time: OpTime | undefined, tokens: number): OpTime | undefined =>
    time && { ...time, seconds: Math.max(time.seconds - projectionSeconds(tokens), time.seconds / 10) };
  const key = JSON.stringify({ mlaModule: shape, w: setup.weights.attention });
  const p = prefillCoefficients;
  const measured = grid(
    ops,
    `mla module prefill ${key}`,
    PREFILL_BATCHES,
    PREFILL_LENGTHS,
    (batch, isl) => remainder(t.mlaContextModule({ ...shape, batch, isl }), batch * isl),
    (batch, isl) => ({
      flops:
        p.flopsPerPair * batch * windowedPairs(isl, 0, Number.POSITIVE_INFINITY) +
        p.flopsPerToken * batch * isl,
      bytes: p.bytesPerToken * batch * isl + p.bytesPerKey * batch * isl + p.bytesPerSequence * batch,
    }),
  );
  return (
    measured && {
      grid: measured.grid,
      source: () => `${measured.source()}: the whole MLA module less its projections`,
    }
  );
}

/** A time from another engine's table, its source saying so first. */
function borrowedFrom(time: ResolvedOpTime, borrowed: string | undefined): ResolvedOpTime {
  if (!borrowed) return time;
  return { ...time, source: () => `${borrowed}, ${time.source()}` };
}

/** The table format of the trtllm-gen kernel for mxfp4 weights with mxfp8 activations. */
const MXFP8_ACTIVATIONS_DTYPE = 'w4a8_mxfp4_mxfp8';

/**
 * mxfp4 experts on the trtllm-gen kernel with mxfp8 activations (MoE backend `trtllm-gen-mxfp8`): its
 * measured time where the table measured it at the model's shape, else its efficiency at the measured
 * shape nearest in expert size (perf/transferred-moe.ts). Undefined where the engine's table on this GPU
 * measured no such kernel: the default kernel's time stands (its source says which kernel).
 */
function mxfp8ActivationsMoe(
  ops: MeasuredOps,
  query: Parameters<typeof transferredMoe>[1],
  weight: WeightFormat,
): ResolvedOpTime | undefined {
  const table = ops.tables.tables.moe;
  if (!table) return undefined;
  const shapes = kernelShapesOf(table, MXFP8_ACTIVATIONS_DTYPE, TRTLLM_GEN_KERNEL);
  const own = shapes.find((s) => sameExpertShape(s, query));
  const shape = own ?? nearestExpertShape(shapes, query);
  if (!shape) return undefined;
  return transferredMoe(
    ops,
    own ? query : paddedForTrtllmGen(query),
    weight,
    shape,
    'trtllm-gen MoE, mxfp8 activations (w4a8_mxfp4_mxfp8)',
  );
}

const roundUp256 = (x: number) => Math.ceil(x / 256) * 256;

/**
 * The expert shape vLLM hands the trtllm-gen mxfp4 kernels: hidden size and each GPU's expert width
 * padded to multiples of 256 (vllm-project/vllm vllm/model_executor/layers/quantization/mxfp4.py
 * @007d5005, Mxfp4MoEMethod.create_weights: for SM100_FI_MXFP4_MXFP8_TRTLLM and SM100_FI_MXFP4_BF16,
 * `round_up(intermediate_size_per_partition, 256)`, `hidden_size = round_up(hidden_size, 256)`):
 * gpt-oss's 2880 runs as 3072. A measurement at the model's own shape includes it.
 */
export function paddedForTrtllmGen<Q extends { hidden: number; inter: number; tp: number; ep: number }>(
  query: Q,
): Q {
  const inter = query.ep > 1 ? roundUp256(query.inter) : roundUp256(query.inter / query.tp) * query.tp;
  return { ...query, hidden: roundUp256(query.hidden), inter };
}

/**
 * The Marlin kernel's time where it is the slower: its efficiency, carried from the larger expert shape
 * it was measured at (marlin-moe.ts), holds where the grouped GEMMs are compute-bound (prefill), which is
 * where Marlin's in-GEMM dequantization costs. With few tokens per expert both kernels stream the same
 * 4-bit weights, and the larger shape (seven times the weight bytes at equal tokens per expert) hides
 * launch and tail latency that this shape does not: there the default kernel measured on the model's own
 * shape is the closer time.
 */
function slowerOfMarlin(own: ResolvedOpTime, marlin: ResolvedOpTime): ResolvedOpTime {
  if (marlin.seconds > own.seconds) return marlin;
  return {
    seconds: own.seconds,
    source: () =>
      `memory-bound: the default MoE kernel's own-shape time (above Marlin's carried one), ${own.source()}`,
  };
}

/** Every kernel a MoE table names. */
const ANY_KERNEL = /./;

/**
 * mxfp4 experts on the engine's default kernel where its table measured that format with one kernel, at
 * other expert shapes only (TensorRT-LLM's B200 table: `w4a8_mxfp4_mxfp8`, top-6 of 256 or 384 experts at
 * hidden 4096 or 7168, never gpt-oss's 2880 × 2880 top-4 of 128; the format TensorRT-LLM runs mxfp4
 * experts in on Blackwell, mxfp8 activations: NVIDIA/TensorRT-LLM examples/models/core/gpt_oss/README.md
 * @d513eeaf, "MoE Support Matrix"). The measured time at the nearest shape at the same tokens per expert, scaled by the
 * two shapes' speeds of light (perf/transferred-moe.ts), as for a chosen kernel measured elsewhere. The
 * table's axes alone would carry the neighbour's growth in tokens (top-6 of 256 experts touches more of
 * its experts per added token than top-4 of 128) and its EP slope unchanged to the model's shape: under
 * EP 2 at decode sizes that kept 0.93 of a TP-1 rank's MoE time for twice its tokens where the weights
 * streamed fall to ~0.68. Undefined where the table measured the model's own shape (its rows are read as
 * they are), nothing in the format, or the format with several kernels.
 */
function defaultKernelAtNearestShape(
  ops: MeasuredOps,
  query: Parameters<typeof transferredMoe>[1] & { dtype: string },
  weight: WeightFormat,
): ResolvedOpTime | undefined {
  const table = ops.tables.tables.moe;
  if (!table) return undefined;
  const shapes = kernelShapesOf(table, query.dtype, ANY_KERNEL);
  if (new Set(shapes.map((s) => s.kernel)).size !== 1) return undefined;
  if (shapes.some((s) => sameExpertShape(s, query))) return undefined;
  const shape = nearestExpertShape(shapes, query);
  return shape && transferredMoe(ops, query, weight, shape, `MoE (${shape.kernel})`);
}
