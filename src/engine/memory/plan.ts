import { z } from 'zod';
import { KvDtype, WeightDtype } from '../model/dtypes.js';
import { type AttentionGeometry, distinctLayers, moeLayers } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';

const degree = z.number().int().positive();

/** Expert-parallel all-to-all kernels (perf/deepep.ts prices the DeepEP ones). */
export const AllToAllBackend = z.enum(['nccl', 'deepep-low-latency', 'deepep-normal', 'deepep-auto']);
export type AllToAllBackend = z.infer<typeof AllToAllBackend>;

const ALL_TO_ALL_NAMES: Record<AllToAllBackend, string> = {
  nccl: 'NCCL',
  'deepep-low-latency': 'DeepEP low-latency',
  'deepep-normal': 'DeepEP normal',
  'deepep-auto': 'DeepEP auto',
};

/** How a model is laid out over GPUs: tensor × pipeline parallel per replica, data-parallel replicas. */
export const Plan = z.object({
  tp: degree,
  pp: degree,
  dp: degree,
  /** Expert parallel degree (MoE): experts are split over `ep` GPUs instead of being TP-sharded. */
  ep: degree,
  /**
   * EPLB's redundant expert slots (MoE under EP): copies of hot experts beside the routed ones, so that
   * experts + redundant slots divide over the EP ranks (DeepSeek-V3's 256 experts + 32 over EP 72: 4 a
   * rank). Absent: none.
   */
  redundantExperts: z.number().int().min(0).optional(),
  /**
   * The kernels the EP dispatch and combine run on (MoE under EP): NCCL's all-to-all (the default), or
   * DeepEP's low-latency kernels (decode), its normal kernels (prefill), or both by batch (auto). Absent: NCCL.
   */
  allToAll: AllToAllBackend.optional(),
  /**
   * MoE over an EP group of attention-DP ranks whose GPUs shard every routed expert instead of holding
   * whole ones (MoE tensor parallelism over the group: TensorRT-LLM's `enable_attention_dp` with
   * `moe_expert_parallel_size: 1`, whose Mapping sets moe_tp_size = tp_size). Each GPU runs a 1/ep slice
   * of every expert over the group's gathered tokens, between an all-gather of the tokens and a
   * reduce-scatter of the outputs (perf/moe-tensor-parallel.ts). Absent: whole experts (EP).
   */
  moeTensorParallel: z.boolean().optional(),
  weightDtype: WeightDtype,
  kvDtype: KvDtype,
});
export type Plan = z.infer<typeof Plan>;

export const DEFAULT_PLAN: Plan = { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' };

export function planGpus(plan: Pick<Plan, 'tp' | 'pp' | 'dp'>): number {
  return plan.tp * plan.pp * plan.dp;
}

export function describePlan(plan: Plan): string {
  const parts = [`TP${plan.tp}`];
  if (plan.pp > 1) parts.push(`PP${plan.pp}`);
  if (plan.dp > 1) parts.push(`DP${plan.dp}`);
  if (plan.ep > 1) {
    const redundant = plan.redundantExperts ? ` (+${plan.redundantExperts} redundant experts)` : '';
    const kernels =
      plan.allToAll && plan.allToAll !== 'nccl' ? `, all-to-all ${ALL_TO_ALL_NAMES[plan.allToAll]}` : '';
    parts.push(plan.moeTensorParallel ? `MoE TP${plan.ep}` : `EP${plan.ep}${redundant}${kernels}`);
  }
  return parts.join(' × ');
}

/**
 * Why a plan cannot run this model, or an empty list. These are the checks serving engines make at
 * start-up: attention heads, KV heads (replicated when TP exceeds them, which needs TP to be a multiple),
 * the FFN width, the layers over pipeline stages, and the experts over expert-parallel ranks.
 */
/** TP against one layer's attention heads: they must divide; GQA KV heads may also be replicated. */
function attentionProblems(model: ModelSpec, attention: AttentionGeometry, tp: number): string[] {
  const problems: string[] = [];
  const heads = attention.kind === 'linear' ? attention.valueHeads : attention.heads;
  if (heads % tp !== 0)
    problems.push(`TP ${tp} does not divide the ${heads} attention heads of ${model.name}`);
  const kvHeads =
    attention.kind === 'mla'
      ? undefined
      : attention.kind === 'linear'
        ? attention.keyHeads
        : attention.kvHeads;
  if (kvHeads !== undefined && kvHeads % tp !== 0 && tp % kvHeads !== 0) {
    problems.push(`TP ${tp} neither divides nor is a multiple of the ${kvHeads} KV heads of ${model.name}`);
  }
  return problems;
}

export function planProblems(model: ModelSpec, plan: Plan): string[] {
  // A set: layers of different shapes may share a problem, which is worth saying once.
  const problems = new Set<string>();
  const { tp, pp, ep } = plan;
  for (const { attention, ffn } of distinctLayers(model)) {
    for (const problem of attentionProblems(model, attention, tp)) problems.add(problem);
    if (ffn.width % tp !== 0) {
      problems.add(`TP ${tp} does not divide the FFN width ${ffn.width} of ${model.name}`);
    }
  }
  // Stages may differ by one layer (engines split unevenly); each needs at least one.
  if (pp > model.numLayers) {
    problems.add(`PP ${pp} exceeds the ${model.numLayers} layers of ${model.name}`);
  }
  if (ep > 1) {
    const moe = moeLayers(model);
    if (moe.length === 0) problems.add(`EP ${ep} needs a mixture-of-experts model; ${model.name} is dense`);
    const redundant = plan.redundantExperts ?? 0;
    for (const ffn of moe) {
      if ((ffn.experts + redundant) % ep !== 0) {
        problems.add(
          redundant > 0
            ? `EP ${ep} does not divide the ${ffn.experts} experts + ${redundant} redundant slots of ${model.name}`
            : `EP ${ep} does not divide the ${ffn.experts} experts of ${model.name}${redundantHint(ffn.experts, ep)}`,
        );
      }
    }
    if (moe.length > 0 && (plan.tp * plan.dp) % ep !== 0) {
      problems.add(`EP ${ep} must divide TP × DP (${plan.tp * plan.dp}), the GPUs of one pipeline stage`);
    }
  }
  return [...problems];
}

/**
 * EPLB's redundant expert slots a plan needs so that experts + slots divide over `ep` ranks: none where EP
 * divides the experts, else the fewest that fill every rank's last slot (256 over EP 72: 32, 4 a rank).
 */
export function redundantSlotsFor(experts: number, ep: number): number {
  const rest = experts % ep;
  return rest === 0 ? 0 : ep - rest;
}

/** How EPLB's redundant slots would make experts + slots divide over `ep` ranks (engines run it so). */
function redundantHint(experts: number, ep: number): string {
  if (ep > experts) return '';
  const slots = redundantSlotsFor(experts, ep);
  return ` (${slots} redundant expert slots would make ${experts + slots}, ${(experts + slots) / ep} a rank)`;
}

export function assertPlanValid(model: ModelSpec, plan: Plan): void {
  const problems = planProblems(model, plan);
  if (problems.length > 0) {
    throw new ServeTuneError(`Invalid plan ${describePlan(plan)}: ${problems.join('; ')}.`, 'invalid-plan');
  }
}
