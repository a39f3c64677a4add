import { expectedActiveExperts } from '../model/cost.js';
import { ACTIVATION_BYTES, type WeightFormat, weightBytesPerParam } from '../model/dtypes.js';
import type { MoeQuery } from '../opdb/op-tables.js';
import type { OpTable } from '../opdb/table.js';
import { describeOpTimeSource } from '../opdb/table.js';
import type { MeasuredOps, ResolvedOpTime } from './measured-ops.js';
import { speedOfLight } from './roofline.js';

/**
 * A MoE kernel that a table measured at other expert shapes than the model's (vLLM's Marlin kernel, the
 * trtllm-gen kernel with mxfp8 activations): its efficiency (speed of light / measured time) at the same
 * tokens per expert, where a grouped GEMM's tiles are as full, carried to the model's shape.
 */

/** An expert shape a MoE table measured a kernel at. */
export interface MeasuredMoeShape {
  dtype: string;
  hidden: number;
  inter: number;
  topk: number;
  experts: number;
  kernel: string;
}

const shapes = new WeakMap<OpTable, Map<string, readonly MeasuredMoeShape[]>>();

/** Every expert shape the MoE table measured in `dtype` with a kernel `kernel` matches, in table order. */
export function kernelShapesOf(table: OpTable, dtype: string, kernel: RegExp): readonly MeasuredMoeShape[] {
  let byKey = shapes.get(table);
  if (!byKey) {
    byKey = new Map();
    shapes.set(table, byKey);
  }
  const memoKey = `${dtype}|${kernel.source}`;
  let found = byKey.get(memoKey);
  if (found === undefined) {
    found = findShapes(table, dtype, kernel);
    byKey.set(memoKey, found);
  }
  return found;
}

function findShapes(table: OpTable, dtype: string, kernel: RegExp): MeasuredMoeShape[] {
  const found = new Map<string, MeasuredMoeShape>();
  // Keys in the table's axis order: dtype, distribution, hidden, inter, topk, experts, tp, ep, tokens, kernel.
  for (const { key } of table.measured()) {
    const name = String(key[9]);
    if (key[0] !== dtype || !kernel.test(name)) continue;
    const [hidden, inter, topk, experts] = key.slice(2, 6).map(Number);
    const id = `${hidden}|${inter}|${topk}|${experts}|${name}`;
    if (!found.has(id)) found.set(id, { dtype, hidden, inter, topk, experts, kernel: name });
  }
  return [...found.values()];
}

/** Whether a measured shape is the query's own expert shape (hidden, expert width, top-k, experts). */
export const sameExpertShape = (s: ExpertShapeKey, q: ExpertShapeKey): boolean =>
  s.hidden === q.hidden && s.inter === q.inter && s.topk === q.topk && s.experts === q.experts;

type ExpertShapeKey = Pick<MeasuredMoeShape, 'hidden' | 'inter' | 'topk' | 'experts'>;

/**
 * Of `shapes`, the one whose expert holds the nearest weight count to the query's (hidden × inter, on a
 * log scale): the same bytes an expert streams and the same tiles per expert GEMM.
 */
export function nearestExpertShape(
  shapes: readonly MeasuredMoeShape[],
  query: Pick<MoeQuery, 'hidden' | 'inter'>,
): MeasuredMoeShape | undefined {
  const distance = (s: MeasuredMoeShape) =>
    Math.abs(Math.log((s.hidden * s.inter) / (query.hidden * query.inter)));
  let best: MeasuredMoeShape | undefined;
  for (const s of shapes) if (!best || distance(s) < distance(best)) best = s;
  return best;
}

export type ExpertShape = Pick<MoeQuery, 'tokens' | 'hidden' | 'inter' | 'topk' | 'experts'> & {
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
 * The routed experts' time on the kernel measured at `shape`, for the query's shape on the target GPU:
 * the measured time at the same tokens per expert, scaled by the two shapes' speeds of light. `label`
 * names the kernel in the source. Undefined where the table has no time there.
 */
export function transferredMoe(
  ops: MeasuredOps,
  query: ExpertShape & { distribution?: string },
  weight: WeightFormat,
  shape: MeasuredMoeShape,
  label: string,
): ResolvedOpTime | undefined {
  const tokens = (query.tokens * query.topk * shape.experts) / (query.experts * shape.topk);
  const at = { ...shape, tokens, tp: query.tp, ep: query.ep };
  const measured = ops.tables.moe({
    ...at,
    ...(query.distribution ? { distribution: query.distribution } : {}),
  });
  if (!measured) return undefined;
  const bytesPerWeight = weightBytesPerParam(weight);
  const peaks = ops.peaks(weight.dtype);
  const { gemmFlops, bytesPerSecond } = peaks.measured;
  const solMeasured = expertSpeedOfLight(at, bytesPerWeight, gemmFlops, bytesPerSecond);
  const solOwn = expertSpeedOfLight(query, bytesPerWeight, gemmFlops, bytesPerSecond);
  const solTarget = expertSpeedOfLight(
    query,
    bytesPerWeight,
    peaks.target.gemmFlops,
    peaks.target.bytesPerSecond,
  );
  const seconds = (measured.seconds * solOwn) / solMeasured;
  const own =
    shape.hidden === query.hidden &&
    shape.inter === query.inter &&
    shape.topk === query.topk &&
    shape.experts === query.experts;
  const where = own
    ? 'at the model’s own expert shape'
    : `its efficiency at ${shape.hidden}×${shape.inter} top-${shape.topk} of ${shape.experts} at ${tokens.toFixed(0)} tokens (same tokens per expert)`;
  return ops.carry(
    seconds,
    () => `${label}: ${where}, ${describeOpTimeSource(measured.source)}`,
    solOwn,
    solTarget,
  );
}
