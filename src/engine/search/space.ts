import { ENGINES, type EngineId } from '../config/engines/index.js';
import { engineSupportsKvDtype } from '../config/engines/kv-cache.js';
import { type HardwareSpec, scaleUpDomainOf } from '../hardware/spec.js';
import type { ExpertWeightLayout } from '../memory/expert-layout.js';
import { memoryReport } from '../memory/model.js';
import { describePlan, type Plan, planProblems } from '../memory/plan.js';
import { defaultWeightDtype } from '../model/checkpoint.js';
import type { KvDtype, WeightDtype } from '../model/dtypes.js';
import { moeLayers } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { engineExpertLayout } from '../perf/expert-weight-layout.js';
import type { MoeBackend } from '../perf/moe-backend.js';
import { describeSpeculation } from '../perf/speculation.js';
import { divisors } from '../util/divisors.js';
import { withRoleAllToAll } from './expert-parallel-space.js';
import type { Candidate, CandidateBody, Pool, PrunedConfiguration, SchedulerKnobs } from './schema.js';

export interface SpaceInput {
  model: ModelSpec;
  hardware: HardwareSpec;
  gpus: number;
  engine: EngineId;
  /** The MoE kernel the launch selects (its layout of mxfp4 experts in memory); absent: the engine's default. */
  moeBackend?: MoeBackend;
  /** Longest prompt + output in the workload: every plan must hold at least one such sequence. */
  maxSequenceTokens: number;
  allowQuantization: boolean;
  disaggregation: boolean;
}

/**
 * The scheduler settings tried first for every plan: the engines' default batch size, and the three
 * prefill regimes (small chunks, large chunks, whole prompts), which change behaviour qualitatively.
 * `maxNumSeqs` and the chunk size are then walked around the leaders by the refinement stage.
 * `maxNumBatchedTokens` without chunked prefill must hold a whole prompt, so it is set per workload (see
 * `unchunkedTokens`).
 */
const COARSE_MAX_NUM_SEQS = [256] as const;
const COARSE_CHUNK_TOKENS = [2048, 8192] as const;
/** Neighbours tried around the leaders in the refinement stage. */
export const FINE_MAX_NUM_SEQS = [64, 128, 192, 256, 384, 512, 768, 1024] as const;
export const FINE_CHUNK_TOKENS = [1024, 2048, 4096, 8192, 16384] as const;
const FINE_MEMORY_UTILIZATION = [0.85, 0.9, 0.95] as const;
export const DEFAULT_BLOCK_SIZE = 16;
export const DEFAULT_MEMORY_UTILIZATION = 0.9;

function unchunkedTokens(maxSequenceTokens: number): number {
  return Math.max(2048, 2 ** Math.ceil(Math.log2(maxSequenceTokens)));
}

function knobsId(k: SchedulerKnobs): string {
  const prefill = `${k.maxPrefillTokens !== undefined ? `-pf${k.maxPrefillTokens}` : ''}${k.mixedChunk ? '-mixed' : ''}`;
  const wait = k.batchWaitIters ? `-wait${k.batchWaitIters}x${k.batchWaitTokensRatio ?? 0}` : '';
  return `seqs${k.maxNumSeqs}-tok${k.maxNumBatchedTokens}-${k.chunkedPrefill ? 'chunked' : 'whole'}-b${k.blockSize}-u${k.gpuMemoryUtilization.toFixed(2)}${prefill}${wait}`;
}

function planId(p: Plan): string {
  const redundant = p.redundantExperts ? `+r${p.redundantExperts}` : '';
  const kernels = p.allToAll ? `-${p.allToAll}` : '';
  return `tp${p.tp}-pp${p.pp}-dp${p.dp}-ep${p.ep}${redundant}${kernels}-${p.weightDtype}-${p.kvDtype}`;
}

/** A pool's id: plan and knobs, and its speculation where it has one. */
function poolId(p: Pool): string {
  return `${planId(p.plan)}|${knobsId(p.knobs)}${p.speculation ? `|spec-${describeSpeculation(p.speculation)}` : ''}`;
}

export function candidateId(c: CandidateBody): string {
  if (c.kind === 'colocated') return poolId(c.pool);
  return `P[${poolId(c.prefill)}]D[${poolId(c.decode)}]`;
}

export function candidateGpus(c: Candidate): number {
  const gpus = (p: Plan) => p.tp * p.pp * p.dp;
  return c.kind === 'colocated' ? gpus(c.pool.plan) : gpus(c.prefill.plan) + gpus(c.decode.plan);
}

function coarseKnobs(maxSequenceTokens: number): SchedulerKnobs[] {
  const base = { blockSize: DEFAULT_BLOCK_SIZE, gpuMemoryUtilization: DEFAULT_MEMORY_UTILIZATION };
  const knobs: SchedulerKnobs[] = [];
  for (const maxNumSeqs of COARSE_MAX_NUM_SEQS) {
    for (const maxNumBatchedTokens of COARSE_CHUNK_TOKENS) {
      knobs.push({ ...base, maxNumSeqs, maxNumBatchedTokens, chunkedPrefill: true });
    }
    knobs.push({
      ...base,
      maxNumSeqs,
      maxNumBatchedTokens: unchunkedTokens(maxSequenceTokens),
      chunkedPrefill: false,
    });
  }
  return knobs;
}

export function dtypeChoices(input: SpaceInput): { weightDtype: WeightDtype; kvDtype: KvDtype }[] {
  // The model's published format (its checkpoint's quantization, else bf16) is the baseline.
  const published = defaultWeightDtype(input.model);
  if (!input.allowQuantization) return [{ weightDtype: published, kvDtype: 'bf16' }];
  const weights: WeightDtype[] = ['bf16', 'int4'];
  if (input.hardware.tensorFlops.fp8 !== null) weights.push('fp8');
  if (!weights.includes(published)) weights.unshift(published);
  const kvs: KvDtype[] = ['bf16', 'fp8'];
  // fp4 KV where the engine stores it (SGLang, TensorRT-LLM) on NVIDIA GPUs with fp4 tensor cores
  // (Blackwell), which their fp4 KV kernels target.
  const { hardware } = input;
  const fp4Gpu = hardware.vendor === 'nvidia' && hardware.tensorFlops.fp4 !== null;
  if (fp4Gpu && engineSupportsKvDtype(input.engine, 'fp4')) kvs.push('fp4');
  return weights.flatMap((weightDtype) => kvs.map((kvDtype) => ({ weightDtype, kvDtype })));
}

export interface ReplicaShape {
  tp: number;
  pp: number;
  ep: number;
  /** EPLB's redundant expert slots, where EP does not divide the experts. */
  redundantExperts?: number;
  /** The EP all-to-all kernels (wide EP: the engine's choice); absent: NCCL. */
  allToAll?: Plan['allToAll'];
  weightDtype: WeightDtype;
  kvDtype: KvDtype;
}

/** The search's engine's layout of the routed experts in memory, for `plan` (perf/expert-weight-layout.ts). */
export function searchExpertLayout(
  input: Pick<SpaceInput, 'model' | 'hardware' | 'engine' | 'moeBackend'>,
  plan: Pick<Plan, 'weightDtype'>,
): ExpertWeightLayout | undefined {
  const engine = { id: input.engine, moeBackend: input.moeBackend };
  return engineExpertLayout(engine, input.hardware, input.model, plan.weightDtype);
}

/**
 * Whether a replica plan divides the model and fits in memory at the most memory the search gives and
 * its smallest batch settings; when it does not, the reason joins `pruned` under `what`.
 */
export function planFitsOrPruned(
  input: Pick<SpaceInput, 'model' | 'hardware' | 'maxSequenceTokens' | 'engine' | 'moeBackend'>,
  plan: Plan,
  what: string,
  pruned: PrunedConfiguration[],
): boolean {
  const problems = planProblems(input.model, plan);
  if (problems.length > 0) {
    pruned.push({ what, reason: 'divisibility', detail: problems.join('; ') });
    return false;
  }
  const memory = memoryReport(input.model, input.hardware, plan, {
    gpuMemoryUtilization: Math.max(...FINE_MEMORY_UTILIZATION),
    contextLength: input.maxSequenceTokens,
    maxNumBatchedTokens: Math.min(...FINE_CHUNK_TOKENS),
    maxNumSeqs: Math.min(...FINE_MAX_NUM_SEQS),
    expertLayout: searchExpertLayout(input, plan),
  });
  if (!memory.fits) pruned.push({ what, reason: 'memory', detail: memory.problems.join('; ') });
  return memory.fits;
}

/**
 * Replica shapes (TP × PP, EP, dtypes) that can run the model and hold its weights and one longest
 * sequence at the most generous memory utilization the search tries: nothing pruned here could win.
 */
export function feasibleReplicaShapes(
  input: SpaceInput,
  maxGpusPerReplica: number,
): { shapes: ReplicaShape[]; pruned: PrunedConfiguration[] } {
  const shapes: ReplicaShape[] = [];
  const pruned: PrunedConfiguration[] = [];
  const { model, hardware } = input;
  const moe = moeLayers(model);
  // An engine whose EP spans the whole server (vLLM) runs EP 1 or EP = TP, nothing between.
  const wholeServerEp = ENGINES[input.engine].expertParallelSizes === 'whole-server';
  for (const dtypes of dtypeChoices(input)) {
    for (const tp of divisors(maxGpusPerReplica).filter((d) => d <= scaleUpDomainOf(hardware))) {
      for (const pp of divisors(maxGpusPerReplica / tp)) {
        const eps =
          moe.length > 0
            ? divisors(tp).filter(
                (e) =>
                  moe.every((ffn) => ffn.experts % e === 0) && (wholeServerEp ? e === 1 || e === tp : true),
              )
            : [1];
        for (const ep of eps) {
          const plan: Plan = { tp, pp, dp: 1, ep, ...dtypes };
          const what = `${describePlan(plan)} ${dtypes.weightDtype}/${dtypes.kvDtype}`;
          if (planFitsOrPruned(input, plan, what, pruned)) shapes.push({ tp, pp, ep, ...dtypes });
        }
      }
    }
  }
  return { shapes, pruned };
}

/** Colocated candidates: every feasible replica shape, replicated over all the GPUs, with the coarse knobs. */
export function colocatedCandidates(input: SpaceInput, shapes: readonly ReplicaShape[]): Candidate[] {
  const candidates: Candidate[] = [];
  for (const shape of shapes) {
    const replicaGpus = shape.tp * shape.pp;
    if (input.gpus % replicaGpus !== 0) continue;
    const plan: Plan = { ...shape, dp: input.gpus / replicaGpus };
    for (const knobs of coarseKnobs(input.maxSequenceTokens)) {
      const body = { kind: 'colocated' as const, pool: { plan, knobs } };
      candidates.push({ ...body, id: candidateId(body) });
    }
  }
  return candidates;
}

/**
 * Disaggregated candidates (xPyD): a prefill pool of x replicas and a decode pool of y replicas, each
 * with a feasible single-stage shape, using all the GPUs. The prefill pool runs big chunks; the decode
 * pool varies its batch size.
 */
export function disaggregatedCandidates(input: SpaceInput, shapes: readonly ReplicaShape[]): Candidate[] {
  const candidates: Candidate[] = [];
  const singleStage = shapes.filter((s) => s.pp === 1);
  const base = { blockSize: DEFAULT_BLOCK_SIZE, gpuMemoryUtilization: DEFAULT_MEMORY_UTILIZATION };
  for (const p of singleStage) {
    for (const d of singleStage) {
      if (p.weightDtype !== d.weightDtype || p.kvDtype !== d.kvDtype) continue;
      for (let x = 1; x * p.tp < input.gpus; x++) {
        const rest = input.gpus - x * p.tp;
        if (rest % d.tp !== 0) continue;
        const y = rest / d.tp;
        // A pool whose EP spans attention-DP ranks needs whole EP groups.
        if ((x * p.tp) % p.ep !== 0 || (y * d.tp) % d.ep !== 0) continue;
        const prefill: Pool = {
          plan: withRoleAllToAll(input.engine, { ...p, dp: x }, 'prefill'),
          knobs: { ...base, maxNumSeqs: 64, maxNumBatchedTokens: 8192, chunkedPrefill: true },
        };
        for (const maxNumSeqs of COARSE_MAX_NUM_SEQS) {
          const decode: Pool = {
            plan: withRoleAllToAll(input.engine, { ...d, dp: y }, 'decode'),
            knobs: { ...base, maxNumSeqs, maxNumBatchedTokens: 2048, chunkedPrefill: true },
          };
          const body = { kind: 'disaggregated' as const, prefill, decode };
          candidates.push({ ...body, id: candidateId(body) });
        }
      }
    }
  }
  return candidates;
}

/** The knob settings one step away from `knobs` in each direction of each knob (the refinement stage). */
export function neighbourKnobs(knobs: SchedulerKnobs): SchedulerKnobs[] {
  const around = <T>(values: readonly T[], current: T): T[] => {
    const i = values.indexOf(current);
    if (i < 0) return [];
    return [values[i - 1], values[i + 1]].filter((v): v is T => v !== undefined);
  };
  const out: SchedulerKnobs[] = [];
  for (const maxNumSeqs of around(FINE_MAX_NUM_SEQS, knobs.maxNumSeqs)) out.push({ ...knobs, maxNumSeqs });
  if (knobs.chunkedPrefill) {
    for (const maxNumBatchedTokens of around(FINE_CHUNK_TOKENS, knobs.maxNumBatchedTokens)) {
      out.push({ ...knobs, maxNumBatchedTokens });
    }
  }
  for (const gpuMemoryUtilization of around(FINE_MEMORY_UTILIZATION, knobs.gpuMemoryUtilization)) {
    out.push({ ...knobs, gpuMemoryUtilization });
  }
  return out;
}
