import { SGLANG_FP8_Q_B_PROJ_ENV } from '../../perf/q-up-projection.js';
import type { PartialServingSettings } from '../serving-settings.js';
import { type Knob, parseBoolean } from './types.js';

/**
 * SGLang's `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN` (ServingSettings.fp8QBProj; perf/q-up-projection.ts and
 * ServingEngine.fp8QBProj have the source): on an NVFP4 DeepSeek checkpoint, q_b_proj loads as
 * block-scaled fp8 instead of BF16. Read from a file's environment and written back where a prediction
 * timed it.
 */
export const sglangFp8QBProjKnob: Knob = {
  id: SGLANG_FP8_Q_B_PROJ_ENV.toLowerCase(),
  env: SGLANG_FP8_Q_B_PROJ_ENV,
  kind: 'value',
  type: 'string',
  settings: ['fp8QBProj'],
  defaultText: '0',
  doc: 'On an NVFP4 checkpoint whose MLA projections are 16-bit, q_b_proj runs as block-scaled fp8 instead of BF16.',
  read(raw): PartialServingSettings | string {
    const on = parseBoolean(raw);
    if (on === undefined) return `expected 1 or 0, got '${String(raw)}'`;
    return on ? { fp8QBProj: true } : {};
  },
  write: (settings) => (settings.fp8QBProj ? '1' : undefined),
};
