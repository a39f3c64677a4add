import { type WeightDtype, type WeightFormat, weightBytesPerParam } from './dtypes.js';
import type { ModelSpec, QuantizedPart } from './spec.js';

/**
 * The weight format a plan loads a model in, part by part. A plan names one dtype; where it is the
 * published checkpoint's own (see ModelSpec.checkpointFormat), the checkpoint's detail applies: its
 * scale groups and the parts it leaves in 16-bit (gpt-oss: only the experts are mxfp4). Any other
 * dtype is applied to every decoder linear layer, as a quantization of the 16-bit model.
 */
export interface WeightLayout {
  format: WeightFormat;
  quantized: ReadonlySet<QuantizedPart>;
}

export const EVERY_PART: ReadonlySet<QuantizedPart> = new Set(['attention', 'dense', 'experts', 'shared']);

/** The format of linear weights a checkpoint leaves unquantized (and of the LM head, router and norms). */
export const SIXTEEN_BIT: WeightFormat = { dtype: 'bf16' };

/** The weight dtype plans use for `model` unless told otherwise: its checkpoint's, else bf16. */
export function defaultWeightDtype(model: ModelSpec): WeightDtype {
  return model.checkpointFormat?.dtype ?? 'bf16';
}

export function weightLayoutOf(model: ModelSpec, dtype: WeightDtype): WeightLayout {
  const checkpoint = model.checkpointFormat;
  if (checkpoint && checkpoint.dtype === dtype) {
    const format: WeightFormat =
      checkpoint.groupSize === undefined ? { dtype } : { dtype, groupSize: checkpoint.groupSize };
    return { format, quantized: new Set(checkpoint.quantized) };
  }
  return { format: { dtype }, quantized: EVERY_PART };
}

/** The format one part's linear weights are stored in under `layout`: the layout's, or 16-bit. */
export function partWeightFormat(layout: WeightLayout, part: QuantizedPart): WeightFormat {
  return layout.quantized.has(part) ? layout.format : SIXTEEN_BIT;
}

/** Bytes per parameter of one part's linear weights under `layout`. */
export function partBytesPerParam(layout: WeightLayout, part: QuantizedPart): number {
  return weightBytesPerParam(partWeightFormat(layout, part));
}

/** How a layout reads in a report: `mxfp4 experts, bf16 rest`, or the dtype alone where it covers everything. */
export function describeWeightLayout(layout: WeightLayout): string {
  const parts = [...layout.quantized];
  if (parts.length === EVERY_PART.size) return layout.format.dtype;
  return `${layout.format.dtype} ${parts.join(' and ')}, bf16 rest`;
}
