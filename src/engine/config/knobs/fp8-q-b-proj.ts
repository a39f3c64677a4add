import { SGLANG_FP8_Q_B_PROJ_ENV } from '../../perf/q-up-projection.js';
import { envSwitchKnob, type Knob } from './types.js';

/**
 * SGLang's `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN` (ServingSettings.fp8QBProj; perf/q-up-projection.ts and
 * ServingEngine.fp8QBProj have the source): on an NVFP4 DeepSeek checkpoint, q_b_proj loads as
 * block-scaled fp8 instead of BF16. Read from a file's environment and written back where a prediction
 * timed it.
 */
export const sglangFp8QBProjKnob: Knob = envSwitchKnob(
  'fp8QBProj',
  SGLANG_FP8_Q_B_PROJ_ENV,
  'On an NVFP4 checkpoint whose MLA projections are 16-bit, q_b_proj runs as block-scaled fp8 instead of BF16.',
);
