import { wideExpertParallelAllToAll } from '../config/engines/all-to-all.js';
import { ENGINES, type EngineId } from '../config/engines/index.js';
import { scaleUpDomainOf } from '../hardware/spec.js';
import { describePlan, type Plan, redundantSlotsFor } from '../memory/plan.js';
import { moeLayers } from '../model/geometry.js';
import { divisors } from '../util/divisors.js';
import type { PrunedConfiguration } from './schema.js';
import { planFitsOrPruned, type ReplicaShape, type SpaceInput } from './space.js';

/**
 * Wide expert parallelism with attention data parallelism, as large MoE deployments run it (DeepSeek-V3
 * with SGLang's --enable-dp-attention or vLLM's DP + EP): attention TP of 1 to the scale-up domain's
 * size, EP over 8 or more GPUs and a multiple of that TP, dividing the GPUs. Where EP does not divide
 * the experts (256 over a 72-GPU NVL72 rack), EPLB's redundant slots fill the last row (see
 * redundantSlotsFor), as engines run it, on the all-to-all kernels the engine runs wide EP with (its
 * description's wideExpertParallelAllToAll; DeepEP for SGLang and vLLM). The shape's replica is one attention-DP rank; `colocatedCandidates` spreads the ranks over every GPU.
 */
export function wideExpertParallelShapes(
  input: SpaceInput,
  dtypes: readonly Pick<ReplicaShape, 'weightDtype' | 'kvDtype'>[],
): { shapes: ReplicaShape[]; pruned: PrunedConfiguration[] } {
  const { model, hardware } = input;
  const moe = moeLayers(model);
  const shapes: ReplicaShape[] = [];
  const pruned: PrunedConfiguration[] = [];
  if (moe.length === 0) return { shapes, pruned };
  // Redundant slots need one expert count for every MoE layer; otherwise EP must divide each.
  const experts = moe[0].experts;
  const uniform = moe.every((ffn) => ffn.experts === experts);
  const eps = divisors(input.gpus).filter(
    (ep) => ep >= 8 && (uniform ? ep <= experts : moe.every((ffn) => ffn.experts % ep === 0)),
  );
  const tps = divisors(scaleUpDomainOf(hardware)).filter((tp) => tp <= 8);
  const allToAll = wideExpertParallelAllToAll(input.engine, 'colocated');
  const kernels = allToAll ? { allToAll } : {};
  for (const d of dtypes) {
    for (const ep of eps) {
      const redundant = redundantSlotsFor(experts, ep);
      const slots = redundant > 0 ? { redundantExperts: redundant } : {};
      for (const tp of tps.filter((t) => t < ep && ep % t === 0)) {
        const plan: Plan = { tp, pp: 1, dp: ep / tp, ep, ...slots, ...kernels, ...d };
        const what = `${describePlan(plan)} (attention DP) ${d.weightDtype}/${d.kvDtype}`;
        if (planFitsOrPruned(input, plan, what, pruned))
          shapes.push({ tp, pp: 1, ep, ...slots, ...kernels, ...d });
      }
    }
  }
  return { shapes, pruned };
}

/**
 * A wide-EP pool's plan with the all-to-all kernels the engine runs for its role (prefill pools DeepEP's
 * normal kernels, decode pools its low-latency ones); other plans as they are.
 */
export function withRoleAllToAll(engine: EngineId, plan: Plan, role: 'prefill' | 'decode'): Plan {
  if (!plan.allToAll) return plan;
  const allToAll = wideExpertParallelAllToAll(engine, role);
  return allToAll ? { ...plan, allToAll } : plan;
}

/**
 * The shapes whose servers an engine can start: one that serves from one node only (TGI, its
 * description's `multiNode`) keeps those whose server (a replica, or a wide-EP group's attention-DP
 * ranks) fits one node; the rest are pruned with the reason.
 */
export function singleNodeShapes(
  input: Pick<SpaceInput, 'engine' | 'hardware'>,
  shapes: readonly ReplicaShape[],
): { shapes: ReplicaShape[]; pruned: PrunedConfiguration[] } {
  if (ENGINES[input.engine].multiNode !== 'none') return { shapes: [...shapes], pruned: [] };
  const perNode = input.hardware.gpusPerNode;
  const kept: ReplicaShape[] = [];
  const pruned: PrunedConfiguration[] = [];
  for (const shape of shapes) {
    const serverGpus = shape.pp * Math.max(shape.tp, shape.ep);
    if (serverGpus <= perNode) kept.push(shape);
    else
      pruned.push({
        what: `TP${shape.tp} × PP${shape.pp}${shape.ep > 1 ? ` × EP${shape.ep}` : ''} ${shape.weightDtype}/${shape.kvDtype}`,
        reason: 'engine',
        detail: `${ENGINES[input.engine].displayName} has no multi-node serving: a server of ${serverGpus} GPUs exceeds one node's ${perNode}`,
      });
  }
  return { shapes: kept, pruned };
}
