import type { WeightFormat } from '../model/dtypes.js';
import type { OpTable } from '../opdb/table.js';
import type { MeasuredOps, ResolvedOpTime } from './measured-ops.js';
import {
  type ExpertShape,
  kernelShapesOf,
  type MeasuredMoeShape,
  transferredMoe,
} from './transferred-moe.js';

/**
 * vLLM's Marlin MoE kernel, which `VLLM_MXFP4_USE_MARLIN=1` (MoE backend `marlin`, perf/moe-backend.ts)
 * selects for mxfp4 experts in place of the GPU's default (OpenAI's Triton kernel on Hopper): a W4A16
 * grouped GEMM that dequantizes each weight tile to 16 bits inside the GEMM. It is built for few rows; at
 * prefill sizes it reaches about half the Triton kernel's throughput (aiconfigurator's H200 vLLM 0.24.0
 * tables: Marlin w4a16_mxfp4 ≈ 205 TFLOP/s at 146 tokens per expert, Triton ≈ 420 TFLOP/s at 256).
 * aiconfigurator measured Marlin on one model's expert shape only, so another shape takes its efficiency
 * (speed of light / measured time) at the same tokens per expert (perf/transferred-moe.ts).
 */

const MARLIN_KERNEL = /marlin/i;

/** The first expert shape the MoE table measured with a Marlin kernel in `dtype`, if any. */
export function marlinShapeOf(table: OpTable, dtype: string): MeasuredMoeShape | undefined {
  return kernelShapesOf(table, dtype, MARLIN_KERNEL)[0];
}

/**
 * The routed experts' time under vLLM's Marlin MoE kernel, on the target GPU: the measured Marlin shape
 * at the same tokens per expert, scaled by the two shapes' speeds of light. Undefined where the table
 * measured no Marlin kernel in the format.
 */
export function marlinMoe(
  ops: MeasuredOps,
  query: ExpertShape & { dtype: string; distribution?: string },
  weight: WeightFormat,
): ResolvedOpTime | undefined {
  const table = ops.tables.tables.moe;
  const marlin = table && marlinShapeOf(table, query.dtype);
  if (!marlin) return undefined;
  return transferredMoe(ops, query, weight, marlin, 'Marlin MoE (VLLM_MXFP4_USE_MARLIN)');
}
