import { type WeightDtype, type WeightFormat, weightBytesPerParam } from './dtypes.js';
import type { CheckpointFormat, ModelSpec, QuantizedPart } from './spec.js';

/**
 * The weight format a plan loads a model in, part by part. A plan names one dtype; where it is a
 * published checkpoint's (ModelSpec.checkpointFormat, or one of ModelSpec.otherCheckpoints: NVIDIA's
 * NVFP4 DeepSeek-R1 beside DeepSeek's FP8 one), that checkpoint's detail applies: its scale groups and
 * the parts it leaves in 16-bit (gpt-oss: only the experts are mxfp4). Any other dtype is applied to
 * every decoder linear layer, as a quantization of the 16-bit model.
 */
export interface WeightLayout {
  format: WeightFormat;
  quantized: ReadonlySet<QuantizedPart>;
}

export const EVERY_PART: ReadonlySet<QuantizedPart> = new Set([
  'attention',
  'attention_output',
  'dense',
  'experts',
  'shared',
]);

/** The format of linear weights a checkpoint leaves unquantized (and of the LM head, router and norms). */
export const SIXTEEN_BIT: WeightFormat = { dtype: 'bf16' };

/** The weight dtype plans use for `model` unless told otherwise: its checkpoint's, else bf16. */
export function defaultWeightDtype(model: ModelSpec): WeightDtype {
  return model.checkpointFormat?.dtype ?? 'bf16';
}

/** The published checkpoint a plan in `dtype` loads: the model's own, else another of the same weights. */
function publishedCheckpointOf(model: ModelSpec, dtype: WeightDtype): CheckpointFormat | undefined {
  if (model.checkpointFormat?.dtype === dtype) return model.checkpointFormat;
  return model.otherCheckpoints?.find((c) => c.dtype === dtype);
}

export function weightLayoutOf(model: ModelSpec, dtype: WeightDtype): WeightLayout {
  const checkpoint = publishedCheckpointOf(model, dtype);
  if (checkpoint) {
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
  const names = parts.map((p) => (p === 'attention_output' ? 'attention output' : p));
  return `${layout.format.dtype} ${names.join(' and ')}, bf16 rest`;
}
