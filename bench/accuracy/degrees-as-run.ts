// An aggregated row's parallel degrees as the deployment ran them, where a converted row records
// products of the launch's fields rather than the degrees, and the check that a MoE row's attention and
// expert GPUs agree.
import { type HardwareSpec, scaleUpDomainOf } from '../../src/engine/hardware/spec.js';
import { tensorParallelLaunchOf } from './launch-settings.js';
import { aggregatedDegrees, degreeGiven, type PoolDegrees, poolDegrees, type SiliconRow } from './rows.js';

/**
 * An aggregated row's degrees as the deployment ran them. InferenceMAX runs each aggregated deployment
 * on one node of `tp` GPUs, with `ep` and `dp-attn` (attention DP over those GPUs); some converted rows
 * record products of its fields rather than the degrees:
 * - tp_size as tp × ep without attention DP (`…_tp4_ep4_…` with tp_size 16, moe 4 × 4; tp_size 64 with
 *   moe 8 × 8 on an 8-GPU board): a single server larger than the GPU's scale-up domain whose tp_size
 *   is exactly moe_tp × moe_ep with both above 1 ran on moe_tp GPUs, its experts spread moe_ep ways.
 * - attention DP as tp × ep (`…_tp8_ep8_…` with tp_size 1, attention DP 64, moe 8 × 8, whose
 *   measurement the same export's `…_tp8_0_ep8_0_…` row records as attention DP 8, moe 1 × 8): tp_size
 *   1 with attention DP exactly moe_tp × moe_ep, both above 1, ran moe_tp attention-DP ranks of one GPU,
 *   experts moe_ep ways.
 * - vLLM's DP attention (`--tensor-parallel-size 1 --data-parallel-size TP --enable-expert-parallel`
 *   in InferenceMAX's launch) as tp_size = attention DP = TP and moe_ep = TP × EP: TP ranks of one GPU,
 *   experts over the TP GPUs. (Read as written, a TP-sharded attention DP of tp × tp GPUs.)
 * A script that launches only TP (launch-settings.json `tensorParallelLaunch`) ran one server of TP
 * tp_size whatever attention DP and EP the row records: `scriptedTensorParallel`.
 */
export function aggregatedDegreesAsRun(row: SiliconRow, hardware: HardwareSpec): PoolDegrees {
  const d = withImpliedAttentionDp(aggregatedDegrees(row));
  const recorded = tpTimesEpAsRun(d, hardware) ?? dpTimesEpAsRun(d) ?? d;
  return scriptedTensorParallel(recorded, row) ?? vllmDpAttentionAsRun(recorded, row) ?? recorded;
}

/**
 * A row whose script passes `--tensor-parallel-size=$TP` and no `--data-parallel-size`: one server of
 * TP tp_size, without attention DP. Its experts: EP over the server's GPUs where the script passes
 * `--enable-expert-parallel` (vLLM's EP size is TP × DP), which it does never or where EP_SIZE > 1
 * (the row's moe_ep per attention-DP rank it records); else TP-sharded with the rest (moe_tp = TP).
 * vLLM: "Enable EP by setting the --enable-expert-parallel flag. The EP size is automatically calculated"
 * (as TP × DP), https://docs.vllm.ai/en/v0.10.1.1/serving/expert_parallel_deployment.html; without it MoE
 * layers shard each expert over TP.
 */
function scriptedTensorParallel(d: PoolDegrees, row: SiliconRow): PoolDegrees | undefined {
  const launch = tensorParallelLaunchOf(row);
  const tp = degreeGiven(d.tp);
  if (launch === undefined || tp === undefined) return undefined;
  const epSize = (degreeGiven(d.moeEp) ?? 1) / (degreeGiven(d.attentionDp) ?? 1);
  const expertParallel = launch.expertParallel === 'whenEpSizeAbove1' && epSize > 1;
  return { ...d, tp, attentionDp: 1, moeTp: expertParallel ? 1 : tp, moeEp: expertParallel ? tp : 1 };
}

/** tp_size recorded as tp × ep (no attention DP): the server's moe_tp GPUs, experts moe_ep ways. */
function tpTimesEpAsRun(d: PoolDegrees, hardware: HardwareSpec): PoolDegrees | undefined {
  const tp = degreeGiven(d.tp);
  const moeTp = degreeGiven(d.moeTp);
  const moeEp = degreeGiven(d.moeEp);
  if (tp === undefined || moeTp === undefined || moeEp === undefined) return undefined;
  const multiplied =
    moeTp > 1 &&
    moeEp > 1 &&
    tp === moeTp * moeEp &&
    (degreeGiven(d.attentionDp) ?? 1) === 1 &&
    tp > scaleUpDomainOf(hardware) &&
    moeTp <= scaleUpDomainOf(hardware) &&
    moeTp % moeEp === 0;
  return multiplied ? { ...d, tp: moeTp, moeTp: moeTp / moeEp, moeEp } : undefined;
}

/** Attention DP recorded as tp × ep: moe_tp attention-DP ranks of one GPU, experts moe_ep ways. */
function dpTimesEpAsRun(d: PoolDegrees): PoolDegrees | undefined {
  const dp = degreeGiven(d.attentionDp);
  const moeTp = degreeGiven(d.moeTp);
  const moeEp = degreeGiven(d.moeEp);
  if (dp === undefined || moeTp === undefined || moeEp === undefined) return undefined;
  const multiplied =
    (degreeGiven(d.tp) ?? 1) === 1 && moeTp > 1 && moeEp > 1 && dp === moeTp * moeEp && moeTp % moeEp === 0;
  return multiplied ? { ...d, tp: 1, attentionDp: moeTp, moeTp: moeTp / moeEp, moeEp } : undefined;
}

/**
 * vLLM's attention DP recorded as tp_size = attention DP, moe_ep = their product: tp_size ranks of one GPU
 * (minimaxm2.5_fp4_b300.sh with DP_ATTENTION=true: `--tensor-parallel-size=1 --data-parallel-size=$TP
 * --enable-expert-parallel`, SemiAnalysisAI/InferenceX@563248391c2959883e8131b265ae3d995d74d4fa).
 */
function vllmDpAttentionAsRun(d: PoolDegrees, row: SiliconRow): PoolDegrees | undefined {
  const tp = degreeGiven(d.tp);
  const dp = degreeGiven(d.attentionDp);
  const moeEp = degreeGiven(d.moeEp);
  if (row.backend !== 'vllm' || tp === undefined || dp === undefined || moeEp === undefined) return undefined;
  const multiplied = tp > 1 && dp === tp && (degreeGiven(d.moeTp) ?? 1) === 1 && moeEp === tp * dp;
  return multiplied ? { ...d, tp: 1, attentionDp: dp, moeTp: 1, moeEp: dp } : undefined;
}

/**
 * A pool's degrees with the attention data parallelism its other degrees imply where the row leaves it
 * unrecorded: the expert GPUs (moe_tp × moe_ep) are the attention GPUs (tp × attention DP), so expert
 * GPUs k × tp mean k attention-DP ranks of TP tp. vLLM runs `--data-parallel-size k` so: each rank
 * attends for its own sequences and the MoE layers span all k × tp GPUs (Qwen3-235B-A22B-FP8 on H200,
 * tp 1 with moe_tp 2: 235 GB of fp8 weights cannot load on one 141 GB GPU; two DP ranks share the
 * experts).
 */
function withImpliedAttentionDp(d: PoolDegrees): PoolDegrees {
  // Only aggregated rows are read so (their pools are one server); disaggregated pools record theirs.
  const tp = degreeGiven(d.tp);
  const moeTp = degreeGiven(d.moeTp);
  const moeEp = degreeGiven(d.moeEp);
  if (
    degreeGiven(d.attentionDp) !== undefined ||
    tp === undefined ||
    moeTp === undefined ||
    moeEp === undefined
  )
    return d;
  const ranks = (moeTp * moeEp) / tp;
  return Number.isInteger(ranks) && ranks > 1 ? { ...d, attentionDp: ranks } : d;
}

/**
 * Whether a MoE row's GPU counts contradict each other: its attention GPUs (tp × attention DP) and expert
 * GPUs (moe_tp × moe_ep), where it gives both, must be the same GPUs.
 */
export function degreesDisagree(row: SiliconRow, hardware: HardwareSpec): boolean {
  const pools =
    row.mode === 'agg'
      ? [aggregatedDegreesAsRun(row, hardware)]
      : [poolDegrees(row, 'prefill'), poolDegrees(row, 'decode')];
  return pools.some((d) => {
    const moeTp = degreeGiven(d.moeTp);
    const moeEp = degreeGiven(d.moeEp);
    if (moeTp === undefined || moeEp === undefined) return false;
    return (degreeGiven(d.tp) ?? 1) * (degreeGiven(d.attentionDp) ?? 1) !== moeTp * moeEp;
  });
}
