// A pool's degrees as the simulator's plan, and the identical parts a deployment splits into.
import { serverShardsExpertsOverDp } from '../../src/engine/config/engines/data-parallel-experts.js';
import type { EngineId } from '../../src/engine/config/engines/index.js';
import type { Plan } from '../../src/engine/memory/plan.js';
import type { KvDtype, WeightDtype } from '../../src/engine/model/dtypes.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import { degreeGiven, type PoolDegrees } from './rows.js';

/**
 * One pool's plan. Attention data parallelism is `attentionDp` ranks of TP `tp` (the simulator's `dp`),
 * times the workers; the experts of a MoE model spread over moe_tp × moe_ep GPUs wherever the row uses
 * expert parallelism or attention DP (the simulator's `ep`: whole experts per GPU), else they are
 * TP-sharded with the rest (ep 1); where attention DP shards them by tensor over its ranks (moe_tp > 1,
 * moe_ep 1) in TensorRT-LLM or vLLM, MoE tensor parallelism over that group (Plan.moeTensorParallel). Where EP spans several attention-DP ranks (ep > tp), those ranks
 * are one server in the simulator as in the engine: each rank its own requests and KV cache, the ranks
 * stepping together, the experts running every rank's tokens, the all-to-all between them.
 */
export function planOf(
  model: ModelSpec,
  degrees: PoolDegrees,
  weightDtype: WeightDtype,
  kvDtype: KvDtype,
  engine: EngineId,
): Plan | undefined {
  const tp = degreeGiven(degrees.tp);
  if (tp === undefined) return undefined;
  const attentionDp = degreeGiven(degrees.attentionDp) ?? 1;
  const moeTp = degreeGiven(degrees.moeTp) ?? 1;
  const moeEp = degreeGiven(degrees.moeEp) ?? 1;
  const expertParallel = model.moe !== undefined && (moeEp > 1 || attentionDp > 1);
  // Attention DP whose experts are TP-sharded over the ranks, none split by expert (TensorRT-LLM's
  // `moe_expert_parallel_size: 1` under `enable_attention_dp`; vLLM's `--data-parallel-size` without
  // `--enable-expert-parallel`): MoE tensor parallelism over the group, where the engine runs it so
  // (engines/data-parallel-experts.ts; SGLang's is not modelled).
  const moeTensorParallel =
    moeTp > 1 &&
    serverShardsExpertsOverDp(engine, { moe: model.moe !== undefined, dp: attentionDp, ep: moeEp });
  return {
    tp,
    pp: degreeGiven(degrees.pp) ?? 1,
    dp: attentionDp * (degreeGiven(degrees.workers) ?? 1),
    ep: expertParallel ? moeTp * moeEp : 1,
    ...(moeTensorParallel ? { moeTensorParallel } : {}),
    weightDtype,
    kvDtype,
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Identical parts the pools split into with the clients evenly shared: the largest k dividing every
 * pool's replica count and the client count that leaves each part whole expert-parallel groups.
 * Replicas of different groups share nothing in the simulator (a group's attention-DP ranks step
 * together, as one server), so one part with 1/k of the clients is the whole run.
 */
export function partsOf(plans: readonly Plan[], concurrency: number): number {
  const replicas = plans.map((p) => p.dp).reduce(gcd);
  for (let k = replicas; k > 1; k--) {
    if (replicas % k !== 0 || concurrency % k !== 0) continue;
    if (plans.every((p) => ((p.tp * p.dp) / k) % p.ep === 0)) return k;
  }
  return 1;
}
