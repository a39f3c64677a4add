// The simulation job of a row whose model, GPU, engine, client count and recipe are known: its pools'
// plans, schedulers and engine, the closed-loop client's workload, and how the report describes it.
import type { EngineId } from '../../src/engine/config/engines/index.js';
import type { HardwareSpec } from '../../src/engine/hardware/spec.js';
import { describePlan, type Plan } from '../../src/engine/memory/plan.js';
import type { KvDtype, WeightDtype } from '../../src/engine/model/dtypes.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import { groupLink } from '../../src/engine/perf/comm.js';
import { servingEngineFor } from '../../src/engine/perf/serving-engine.js';
import type { SpeculationConfigInput } from '../../src/engine/perf/speculation.js';
import type { SimulationConfigInput } from '../../src/engine/sim/config.js';
import { aicAggregatedArgs, isAicGenerated } from './aic-generated.js';
import { routerOf } from './attention-dp.js';
import { type ClientProtocol, lengthDist } from './client-protocol.js';
import { degreesDisagree } from './degrees-as-run.js';
import { disaggregatedPools, recipeEntryOf, recipeUndividedEp, runsDisaggregated } from './disagg-pools.js';
import type { RecipeMatch } from './disagg-recipes.js';
import {
  decodeOnlyCudaGraphsOf,
  deepGemmOf,
  kvCacheFreeFractionOf,
  maxCudaGraphCaptureSizeOf,
} from './launch-settings.js';
import { type PoolSetting, poolConfigOf } from './pool-config.js';
import { partsOf, planOf } from './pool-plan.js';
import { aggregatedPool, type PoolShape } from './pool-shape.js';
import { kvDtypeOf, weightDtypeOf } from './row-formats.js';
import type { SiliconRow } from './rows.js';
import type { SimulationJob } from './simulation-job.js';

/** A row with what mapRow resolved of it: its model, GPU, engine, client count, protocol and recipe. */
export interface JobContext {
  row: SiliconRow;
  model: ModelSpec;
  hardware: HardwareSpec;
  engine: EngineId;
  concurrency: number;
  protocol: ClientProtocol;
  /** Disaggregated: what the benchmark's recipes say of the row. */
  recipe: RecipeMatch;
}

/** The simulation of a row whose model, GPU, engine and client count are known; a string says why not. */
export function jobOf(c: JobContext): SimulationJob | string {
  const { row, model, hardware, engine } = c;
  const weights = weightDtypeOf(row, model);
  if ('reason' in weights) return weights.reason;
  const formats = { weightDtype: weights.dtype, kvDtype: kvDtypeOf(row) };
  const aic = row.mode === 'agg' && isAicGenerated(row) ? aicAggregatedArgs(row, engine) : undefined;
  const disaggregated = runsDisaggregated(row, c.recipe);
  const shapes: PoolShape[] | string = disaggregated
    ? disaggregatedPools(row, c.recipe)
    : [aggregatedPool(row, hardware, c.concurrency, aic?.maxNumTokens)];
  if (typeof shapes === 'string') return shapes;
  const full = plansOf(c, shapes, formats, disaggregated);
  if (typeof full === 'string') return full;
  const parts = partsOf(full, c.concurrency);
  const clients = c.concurrency / parts;
  const part = full.map((p) => ({ ...p, dp: p.dp / parts }));
  const setting: PoolSetting = {
    row,
    engine,
    hardware,
    model,
    maxModelLen: row.isl + row.osl,
    clients,
    disaggregated,
    // A launch script's share, else the one AIConfigurator's template wrote for a generated deployment.
    kvFraction: kvCacheFreeFractionOf(row) ?? aic?.kvCacheFreeMemoryFraction,
    aic,
  };
  const pool = (p: Plan, i: number) => poolConfigOf(setting, p, shapes[i]);
  const fullGpus = full.reduce((sum, p) => sum + p.tp * p.pp * p.dp, 0);
  const deployment: SimulationConfigInput['deployment'] =
    part.length === 1
      ? { kind: 'colocated', pool: pool(part[0], 0) }
      : {
          kind: 'disaggregated',
          prefill: pool(part[0], 0),
          decode: pool(part[1], 1),
          // KV travels as it does in the whole deployment, not as in the part simulated.
          kvLink: groupLink(hardware, fullGpus),
        };
  const policy = pool(part[0], 0).scheduler.policy;
  const servingEngine = servingEngineOf(c, shapes);
  return {
    config: {
      model: model.id,
      hardware: hardware.id,
      deployment,
      router: routerOf(engine, full, disaggregated),
      timeSeriesPoints: 1,
      // The engine and version measured: its op tables, custom all-reduce, CUDA graphs and overhead.
      ...(servingEngine ? { engine: servingEngine } : {}),
    },
    workload: `constant:rate=1000,prompt=${lengthDist(row.isl, c.protocol.lengthRatio)},output=${lengthDist(row.osl, c.protocol.lengthRatio)},n=${c.protocol.requestsPerClient * clients}`,
    concurrency: clients,
    warmUpRequests: c.protocol.warmUpPerClient * clients,
    warmUpPhase: c.protocol.warmUpPhase,
    parts,
    rowConcurrency: c.concurrency,
    description: descriptionOf(full, shapes, `${policy}, ${formats.weightDtype}/${formats.kvDtype} KV`),
  };
}

/**
 * The plans of the pools as they ran (with a recipe's redundant expert slots and MoE dispatch), or why the
 * row cannot be planned: a degree not recorded, EP that does not divide the experts, TP that does not
 * divide the attention heads, MoE degrees that contradict each other.
 */
function plansOf(
  c: JobContext,
  shapes: readonly PoolShape[],
  formats: { weightDtype: WeightDtype; kvDtype: KvDtype },
  disaggregated: boolean,
): Plan[] | string {
  const { row, model, hardware } = c;
  // A recipe's redundant expert slots make experts + slots divide over its EP ranks (256 + 32 over EP 48).
  const pools = shapes.map((shape) => {
    const p = planOf(model, shape.degrees, formats.weightDtype, formats.kvDtype, c.engine);
    if (!p || p.ep <= 1) return p;
    return {
      ...p,
      ...(shape.redundantExperts ? { redundantExperts: shape.redundantExperts } : {}),
      ...(shape.allToAll ? { allToAll: shape.allToAll } : {}),
    };
  });
  const full = pools.filter((p): p is Plan => p !== undefined);
  if (full.length < pools.length) return 'tensor-parallel degree not recorded';
  const undivided = recipeUndividedEp(model, full, c.recipe);
  if (undivided) return undivided;
  const uneven = full.find((p) => model.numHeads % p.tp !== 0);
  if (uneven) {
    // vLLM, SGLang and TensorRT-LLM all split attention heads evenly over TP: no engine ran this as one
    // TP group, and the row does not say how its GPUs were split instead (attention DP, workers).
    return `tp_size ${uneven.tp} does not divide the ${model.numHeads} attention heads, and the row records no other split of its GPUs`;
  }
  if (model.moe && !(row.mode === 'agg' && disaggregated) && degreesDisagree(row, hardware))
    return 'MoE degrees disagree: tp × attention DP ≠ moe_tp × moe_ep';
  return full;
}

/** The engine and version the row measured, with the settings its launch or recipe gave it. */
function servingEngineOf(c: JobContext, shapes: readonly PoolShape[]) {
  const { row, engine } = c;
  return servingEngineFor(
    { id: engine, version: row.backend_version || undefined },
    {
      ...(shapes[0]?.moeBackend ? { moeBackend: shapes[0].moeBackend } : {}),
      disableDeepGemm: !deepGemmOf(row) || recipeEntryOf(c.recipe)?.deepGemm === false,
      // vLLM `cudagraph_mode: FULL_DECODE_ONLY`: steps holding a prompt launch their kernels eagerly.
      decodeOnlyCudaGraphs: decodeOnlyCudaGraphsOf(row),
      maxCudaGraphCaptureSize: maxCudaGraphCaptureSizeOf(row),
      // The recipe's decode servers set SGLANG_MOE_NVFP4_DISPATCH=1: DeepEP dispatches nvfp4, not BF16.
      nvfp4Dispatch: recipeEntryOf(c.recipe)?.nvfp4Dispatch === true,
      // Its servers set SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1: q_b_proj runs in block-scaled fp8, not BF16.
      fp8QBProj: recipeEntryOf(c.recipe)?.fp8QBProj === true,
    },
  );
}

const mtpNote = (s: SpeculationConfigInput | undefined): string => (s ? ` ${s.method} k=${s.k}` : '');

/** How the deployment reads in the report: its plans, MTP, then `policy, weights/KV` (`tail`). */
function descriptionOf(full: readonly Plan[], shapes: readonly PoolShape[], tail: string): string {
  const plans = full.map((p) => describePlan(p));
  return plans.length === 1
    ? `${plans[0]}${mtpNote(shapes[0]?.speculation)} ${tail}`
    : `prefill ${plans[0]} + decode ${plans[1]}${mtpNote(shapes[1]?.speculation)} ${tail}`;
}
