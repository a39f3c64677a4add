import type { WeightFormat } from '../model/dtypes.js';
import type { OpTable } from '../opdb/table.js';
import type { MeasuredOps, ResolvedOpTime } from './measured-ops.js';
import { kernelPatternOf, type MoeBackend } from './moe-backend.js';
import {
  type ExpertShape,
  kernelShapesOf,
  type MeasuredMoeShape,
  nearestExpertShape,
  sameExpertShape,
  transferredMoe,
} from './transferred-moe.js';

/**
 * The MoE kernel a launch chose (ServingEngine.moeBackend) in a table that measured several: the name of
 * that kernel family's measurement at the model's own expert shape, so that the lookup reads it and not
 * the table's most measured kernel there; or, where the family was measured at other shapes only, its
 * efficiency carried from the nearest (perf/transferred-moe.ts).
 */

type ShapeQuery = Pick<MeasuredMoeShape, 'hidden' | 'inter' | 'topk' | 'experts'>;

/** The chosen family's shapes in `dtype`, or undefined where the backend names no kernel family. */
function familyShapes(
  table: OpTable | undefined,
  dtype: string,
  backend: MoeBackend | undefined,
): readonly MeasuredMoeShape[] | undefined {
  const pattern = kernelPatternOf(backend);
  if (!pattern || !table) return undefined;
  return kernelShapesOf(table, dtype, pattern);
}

/** The chosen family's kernel measured at the query's own expert shape, by its table name. */
export function chosenKernelAtShape(
  table: OpTable | undefined,
  dtype: string,
  backend: MoeBackend | undefined,
  query: ShapeQuery,
): string | undefined {
  return familyShapes(table, dtype, backend)?.find((s) => sameExpertShape(s, query))?.kernel;
}

/**
 * The routed experts on the chosen kernel family where the table measured it at other expert shapes
 * only: its efficiency at the nearest measured shape (same tokens per expert), carried to the query's.
 * Undefined where the backend names no family or the table measured none of it in `dtype`.
 */
export function transferredChosenKernel(
  ops: MeasuredOps,
  query: ExpertShape & { dtype: string; distribution?: string },
  weight: WeightFormat,
  backend: MoeBackend | undefined,
): ResolvedOpTime | undefined {
  const shapes = familyShapes(ops.tables.tables.moe, query.dtype, backend);
  const shape = shapes && nearestExpertShape(shapes, query);
  if (!shape || !backend) return undefined;
  return transferredMoe(ops, query, weight, shape, `${backend} MoE (${shape.kernel})`);
}
