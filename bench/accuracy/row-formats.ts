// The formats a row ran: its weights (the quant mode the row records, read against the checkpoint) and
// its KV cache (the launch script's, else the precision rule).
import { defaultWeightDtype } from '../../src/engine/model/checkpoint.js';
import type { KvDtype, WeightDtype } from '../../src/engine/model/dtypes.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import { kvChoiceOf } from './launch-settings.js';
import type { SiliconRow } from './rows.js';

/** The CSV's quantization modes as weight dtypes; '' is the checkpoint's own format. */
const QUANT_MODES: Record<string, WeightDtype | 'checkpoint'> = {
  nvfp4: 'nvfp4',
  fp8: 'fp8',
  fp8_block: 'fp8',
  int4_wo: 'int4',
  '': 'checkpoint',
};

/**
 * The row's weight format: the MoE quant mode for MoE models, the GEMM one for dense models. A row that
 * says nvfp4 for a checkpoint published in mxfp4 (gpt-oss), under its own repository, ran that checkpoint
 * as published, in every engine: its mxfp4 experts (W4A16 on Hopper, which has no fp4 tensor cores at all;
 * W4A8 or W4A16 on Blackwell) and 16-bit attention. Nothing in the row re-quantized it to nvfp4.
 */
export function weightDtypeOf(
  row: SiliconRow,
  model: ModelSpec,
): { dtype: WeightDtype } | { reason: string } {
  const mode = model.moe ? row.moe_quant_mode : row.gemm_quant_mode;
  const dtype = QUANT_MODES[mode];
  if (dtype === undefined) return { reason: `weight format '${mode}' not modelled` };
  const checkpoint = defaultWeightDtype(model);
  const publishedFp4 = dtype === 'nvfp4' && checkpoint === 'mxfp4' && !/fp4$/i.test(row.model_path);
  return { dtype: dtype === 'checkpoint' || publishedFp4 ? checkpoint : dtype };
}

/** The KV format the row's launch script set, else the precision rule (launch-settings.ts). */
export function kvDtypeOf(row: SiliconRow): KvDtype {
  return kvChoiceOf(row).kvDtype;
}
