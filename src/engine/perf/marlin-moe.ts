import { expectedActiveExperts } from '../model/cost.js';
import { ACTIVATION_BYTES, type WeightFormat, weightBytesPerParam } from '../model/dtypes.js';
import type { MoeQuery } from '../opdb/op-tables.js';
import type { OpTable } from '../opdb/table.js';
import { describeOpTimeSource } from '../opdb/table.js';
import type { MeasuredOps, ResolvedOpTime } from './measured-ops.js';
import { speedOfLight } from './roofline.js';

/**
 * vLLM's Marlin MoE kernel, which `VLLM_MXFP4_USE_MARLIN=1` selects for mxfp4 experts in place of the
 * GPU's default (OpenAI's Triton kernel on Hopper): a W4A16 grouped GEMM that dequantizes each weight
 * tile to 16 bits inside the GEMM. It is built for few rows; at prefill sizes it reaches about half the
 * Triton kernel's throughput (aiconfigurator's H200 vLLM 0.24.0 tables: Marlin w4a16_mxfp4 ≈ 205 TFLOP/s
 * at 146 tokens per expert, Triton ≈ 420 TFLOP/s at 256). aiconfigurator measured Marlin on one model's
 * expert shape only, so another shape takes its efficiency (speed of light / measured time) at the same
 * tokens per expert, where a grouped GEMM's tiles are as full.
 */

/** The expert shape a table measured the Marlin kernel at. */
interface MarlinShape {
  dtype: string;
  hidden: number;
  inter: number;
  topk: number;
  experts: number;
  kernel: string;
}

const MARLIN_KERNEL = /marlin/i;
const shapes = new WeakMap<OpTable, Map<string, MarlinShape | null>>();

/** The first expert shape the MoE table measured with a Marlin kernel in `dtype`, if any. */
export function marlinShapeOf(table: OpTable, dtype: string): MarlinShape | undefined {
  let byDtype = shapes.get(table);
  if (!byDtype) {
    byDtype = new Map();
    shapes.set(table, byDtype);
  }
  let found = byDtype.get(dtype);
  if (found === undefined) {
    found = findMarlinShape(table, dtype) ?? null;
    byDtype.set(dtype, found);
  }
  return found ?? undefined;
}

function findMarlinShape(table: OpTable, dtype: string): MarlinShape | undefined {
  // Keys in the table's axis order: dtype, distribution, hidden, inter, topk, experts, tp, ep, tokens, kernel.
  for (const { key } of table.measured()) {
    const kernel = String(key[9]);
    if (key[0] !== dtype || !MARLIN_KERNEL.test(kernel)) continue;
    const [hidden, inter, topk, experts] = key.slice(2, 6).map(Number);
    return { dtype, hidden, inter, topk, experts, kernel };
  }
  return undefined;
}

type ExpertShape = Pick<MoeQuery, 'tokens' | 'hidden' | 'inter' | 'topk' | 'experts'> & {
  tp: number;
  ep: number;
};

/** Speed of light of one GPU's routed experts (gate/up and down), as model/cost/ffn.ts counts them. */
function expertSpeedOfLight(q: ExpertShape, bytesPerWeight: number, flopsPeak: number, bandwidth: number) {
  const width = q.ep > 1 ? q.inter : q.inter / q.tp;
  const rows = (q.tokens * q.topk) / q.ep;
  const touched = expectedActiveExperts(q.experts, q.topk, q.tokens) / q.ep;
  const weights = 3 * q.hidden * width;
  const flops = 2 * rows * weights;
  const bytes = touched * weights * bytesPerWeight + rows * (2 * q.hidden + 3 * width) * ACTIVATION_BYTES;
  return speedOfLight(flops, bytes, flopsPeak, bandwidth);
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
  const tokens = (query.tokens * query.topk * marlin.experts) / (query.experts * marlin.topk);
  const at = { ...marlin, tokens, tp: query.tp, ep: query.ep };
  const measured = ops.tables.moe({
    ...at,
    ...(query.distribution ? { distribution: query.distribution } : {}),
  });
  if (!measured) return undefined;
  const bytesPerWeight = weightBytesPerParam(weight);
  const peaks = ops.peaks(weight.dtype);
  const solMeasured = expertSpeedOfLight(
    at,
    bytesPerWeight,
    peaks.measured.gemmFlops,
    peaks.measured.bytesPerSecond,
  );
  const solOwn = expertSpeedOfLight(
    query,
    bytesPerWeight,
    peaks.measured.gemmFlops,
    peaks.measured.bytesPerSecond,
  );
  const solTarget = expertSpeedOfLight(
    query,
    bytesPerWeight,
    peaks.target.gemmFlops,
    peaks.target.bytesPerSecond,
  );
  const seconds = (measured.seconds * solOwn) / solMeasured;
  const shape = `${marlin.hidden}×${marlin.inter} top-${marlin.topk} of ${marlin.experts} at ${tokens.toFixed(0)} tokens`;
  return ops.carry(
    seconds,
    () =>
      `Marlin MoE (VLLM_MXFP4_USE_MARLIN): its efficiency at ${shape} (same tokens per expert), ${describeOpTimeSource(measured.source)}`,
    solOwn,
    solTarget,
  );
}
