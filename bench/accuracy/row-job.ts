// The simulation job of a row whose model, GPU, engine, client count and recipe are known: its pools'
// plans, schedulers and engine, the closed-loop client's workload, and how the report describes it.
import type { EngineId } from '../../src/engine/config/engines/index.js';
import type { HardwareSpec } from '../../src/engine/hardware/spec.js';
import { describePlan, type Plan } from '../../src/engine/memory/plan.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import { groupLink } from '../../src/engine/perf/comm.js';
import { servingEngineFor } from '../../src/engine/perf/serving-engine.js';
import type { SpeculationConfigInput } from '../../src/engine/perf/speculation.js';
import type { SimulationConfigInput } from '../../src/engine/sim/config.js';
import { aicAggregatedArgs, isAicGenerated } from './aic-generated.js';
import { attentionDpBalanceOf, routerOf } from './attention-dp.js';
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
import { partsOf, planOf } from './pool-plan.js';
import { schedulerOf } from './pool-scheduler.js';
import { aggregatedPool, type PoolShape } from './pool-shape.js';
import { kvDtypeOf, weightDtypeOf } from './row-formats.js';
import type { PoolDegrees, SiliconRow } from './rows.js';
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

const mtpNote = (s: SpeculationConfigInput | undefined): string => (s ? ` ${s.method} k=${s.k}` : '');

/** The simulation of a row whose model, GPU, engine and client count are known; a string says why not. */
export function jobOf(c: JobContext): SimulationJob | string {
  const { row, model, hardware, engine } = c;
  const weights = weightDtypeOf(row, model);
  if ('reason' in weights) return weights.reason;
  const weightDtype = weights.dtype;
  const kvDtype = kvDtypeOf(row);
  const maxModelLen = row.isl + row.osl;
  const plan = (d: PoolDegrees) => planOf(model, d, weightDtype, kvDtype);
  const aic = row.mode === 'agg' && isAicGenerated(row) ? aicAggregatedArgs(row, engine) : undefined;
  const disaggregated = runsDisaggregated(row, c.recipe);
  const shapes: PoolShape[] | string = disaggregated
    ? disaggregatedPools(row, c.recipe)
    : [aggregatedPool(row, hardware, c.concurrency, aic?.maxNumTokens)];
  if (typeof shapes === 'string') return shapes;
  // A recipe's redundant expert slots make experts + slots divide over its EP ranks (256 + 32 over EP 48).
  const pools = shapes.map((shape) => {
    const p = plan(shape.degrees);
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
  const parts = partsOf(full, c.concurrency);
  const clients = c.concurrency / parts;
  const part = full.map((p) => ({ ...p, dp: p.dp / parts }));
  // A launch script's share, else the one AIConfigurator's template wrote for a generated deployment.
  const kvFraction = kvCacheFreeFractionOf(row) ?? aic?.kvCacheFreeMemoryFraction;
  const pool = (p: Plan, i: number) => {
    const limits = shapes[i]?.limits;
    const speculation = shapes[i]?.speculation;
    const overlapScheduling = shapes[i]?.overlapScheduling;
    return {
      plan: p,
      ...(speculation ? { speculation } : {}),
      ...(overlapScheduling !== undefined ? { overlapScheduling } : {}),
      scheduler: {
        ...schedulerOf({
          engine,
          hardware,
          model,
          plan: p,
          maxModelLen,
          clientsPerReplica: Math.ceil(clients / p.dp),
          budgetAsLaunched: !disaggregated,
          ...(kvFraction ? { kvCacheFreeMemoryFraction: kvFraction } : {}),
          ...(limits && 'memFractionStatic' in limits && limits.memFractionStatic
            ? { memFractionStatic: limits.memFractionStatic }
            : {}),
          ...(limits
            ? { limits: { maxBatchSize: limits.maxBatchSize, maxNumTokens: limits.maxNumTokens } }
            : {}),
        }),
        // SGLang as the generator launches it: prompts per prefill batch up to max_prefill_tokens, the
        // chunk size its default, decodes mixed into prefill batches where the version's template says.
        ...(aic?.sglang
          ? { maxPrefillTokens: aic.sglang.maxPrefillTokens, mixedChunk: aic.sglang.mixedChunk }
          : {}),
        ...(limits && 'maxPrefillTokens' in limits && limits.maxPrefillTokens
          ? { maxPrefillTokens: limits.maxPrefillTokens }
          : {}),
        // SGLang launched with --scheduler-recv-interval: new requests are taken in every n decode steps.
        ...(limits && 'schedulerRecvInterval' in limits && limits.schedulerRecvInterval
          ? { schedulerRecvInterval: limits.schedulerRecvInterval }
          : {}),
        ...attentionDpBalanceOf(engine, p, row, disaggregated),
        ...(limits && 'batchWaitIters' in limits && limits.batchWaitIters
          ? { batchWaitIters: limits.batchWaitIters, batchWaitTokensRatio: limits.batchWaitTokensRatio }
          : {}),
      },
    };
  };
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
  const servingEngine = servingEngineFor(
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
  const plans = full.map((p) => describePlan(p));
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
    description:
      plans.length === 1
        ? `${plans[0]}${mtpNote(shapes[0]?.speculation)} ${policy}, ${weightDtype}/${kvDtype} KV`
        : `prefill ${plans[0]} + decode ${plans[1]}${mtpNote(shapes[1]?.speculation)} ${policy}, ${weightDtype}/${kvDtype} KV`,
  };
}
