import type { MoeBackend } from '../../perf/moe-backend.js';
import type { PartialServingSettings } from '../serving-settings.js';
import { envSwitchKnob, type Knob, parseBoolean } from './types.js';

/*
 * The MoE kernel a launch selects (ServingSettings.moeBackend; what each backend runs and the sources:
 * perf/moe-backend.ts).
 * - TensorRT-LLM: `moe_config: {backend: …}` in the extra LLM API options, `MoeConfig.backend:
 *   Literal["AUTO", "CUTLASS", "CUTEDSL", "WIDEEP", "TRTLLM", "DEEPGEMM", "DENSEGEMM", "VANILLA",
 *   "TRITON", "MARLIN", "MEGAMOE_DEEPGEMM"]` (tensorrt_llm/llmapi/llm_args.py; default AUTO, CUTLASS before
 *   1.1). DEEPGEMM and TRTLLM are the two ServeTune prices apart from the engine's default; the other
 *   words are read as nothing (the tables' own kernel).
 * - SGLang: `--moe-runner-backend` (python/sglang/srt/layers/moe/utils.py `MoeRunnerBackend`, default
 *   auto): flashinfer_trtllm, flashinfer_cutlass and triton are priced apart (perf/moe-backend.ts); the
 *   other words (flashinfer_cutedsl, deep_gemm, …: no MoE table measured them) as the tables' own kernel.
 * - vLLM: environment variables, `VLLM_MXFP4_USE_MARLIN=1` (Marlin) and
 *   `VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8=1` (trtllm-gen with mxfp8 activations), as
 *   vllm/model_executor/layers/quantization/mxfp4.py get_mxfp4_backend reads them. vLLM picks its
 *   FlashInfer TRT-LLM kernels for other formats itself, so `trtllm-gen` has no spelling there.
 */

const TRTLLM_WORDS: Record<string, MoeBackend | undefined> = {
  DEEPGEMM: 'deepgemm',
  TRTLLM: 'trtllm-gen',
  AUTO: undefined,
  CUTLASS: undefined,
  CUTEDSL: undefined,
  WIDEEP: undefined,
  DENSEGEMM: undefined,
  VANILLA: undefined,
  TRITON: undefined,
  MARLIN: undefined,
  MEGAMOE_DEEPGEMM: undefined,
};

/** TensorRT-LLM `moe_config.backend`. */
export const trtllmMoeBackend: Knob = {
  id: 'moe-config-backend',
  yamlPath: ['moe_config', 'backend'],
  kind: 'value',
  type: 'string',
  settings: ['moeBackend'],
  defaultText: 'AUTO (by model, format and GPU)',
  doc: 'MoE kernel: DEEPGEMM (block-scaled fp8 grouped GEMMs), TRTLLM (trtllm-gen fused MoE), CUTLASS, ….',
  read(raw) {
    const word = String(raw).trim().toUpperCase();
    if (!(word in TRTLLM_WORDS))
      return `expected one of ${Object.keys(TRTLLM_WORDS).join(', ')}, got '${String(raw)}'`;
    const backend = TRTLLM_WORDS[word];
    return backend ? { moeBackend: backend } : {};
  },
  write(settings) {
    if (settings.moeBackend === 'deepgemm') return 'DEEPGEMM';
    if (settings.moeBackend === 'trtllm-gen') return 'TRTLLM';
    return undefined;
  },
};

/** A vLLM environment variable that, set to 1, selects `backend`. */
function vllmMoeSwitch(env: string, backend: MoeBackend, doc: string): Knob {
  return {
    id: env.toLowerCase(),
    env,
    kind: 'value',
    type: 'string',
    settings: ['moeBackend'],
    defaultText: '0',
    doc,
    read(raw): PartialServingSettings | string {
      const on = parseBoolean(raw);
      if (on === undefined) return `expected 1 or 0, got '${String(raw)}'`;
      return on ? { moeBackend: backend } : {};
    },
    write: (settings) => (settings.moeBackend === backend ? '1' : undefined),
  };
}

export const vllmMoeBackendKnobs: Knob[] = [
  vllmMoeSwitch('VLLM_MXFP4_USE_MARLIN', 'marlin', "mxfp4 MoE experts on Marlin's W4A16 kernel."),
  vllmMoeSwitch(
    'VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8',
    'trtllm-gen-mxfp8',
    'mxfp4 MoE experts on trtllm-gen with mxfp8 activations (Blackwell).',
  ),
];

/** SGLang's `--moe-runner-backend` words (MoeRunnerBackend @d737979c); undefined: the tables' own kernel. */
const SGLANG_WORDS: Record<string, MoeBackend | undefined> = {
  flashinfer_trtllm: 'trtllm-gen',
  flashinfer_cutlass: 'cutlass',
  triton: 'triton',
  auto: undefined,
  deep_gemm: undefined,
  triton_kernel: undefined,
  flashinfer_trtllm_routed: undefined,
  flashinfer_mxfp4: undefined,
  flashinfer_cutedsl: undefined,
  cutlass: undefined,
  marlin: undefined,
  aiter: undefined,
};

/** SGLang `--moe-runner-backend`. */
export const sglangMoeRunnerBackend: Knob = {
  id: 'moe-runner-backend',
  flag: '--moe-runner-backend',
  kind: 'value',
  type: 'string',
  settings: ['moeBackend'],
  defaultText: 'auto (by model, format and GPU)',
  doc: 'MoE kernel: flashinfer_trtllm (trtllm-gen fused MoE), flashinfer_cutlass, triton, flashinfer_cutedsl, deep_gemm, ….',
  read(raw) {
    const word = String(raw).trim().toLowerCase();
    if (!(word in SGLANG_WORDS))
      return `expected one of ${Object.keys(SGLANG_WORDS).join(', ')}, got '${String(raw)}'`;
    const backend = SGLANG_WORDS[word];
    return backend ? { moeBackend: backend } : {};
  },
  write(settings) {
    if (settings.moeBackend === 'trtllm-gen') return 'flashinfer_trtllm';
    if (settings.moeBackend === 'cutlass') return 'flashinfer_cutlass';
    if (settings.moeBackend === 'triton') return 'triton';
    return undefined;
  },
};

/**
 * SGLang's nvfp4 DeepEP dispatch switch (ServingSettings.nvfp4Dispatch; perf/deepep.ts
 * NVFP4_DISPATCH_BYTES_PER_VALUE has the source): `SGLANG_MOE_NVFP4_DISPATCH`, and the name it had in
 * v0.5.5, `SGLANG_CUTEDSL_MOE_NVFP4_DISPATCH`, which is read but not written.
 */
function sglangNvfp4DispatchKnob(env: string, writes: boolean): Knob {
  const doc = "On an nvfp4 checkpoint, DeepEP dispatches the routed experts' input in NVFP4 instead of BF16.";
  return envSwitchKnob('nvfp4Dispatch', env, doc, { writes });
}

export const sglangNvfp4DispatchKnobs: Knob[] = [
  sglangNvfp4DispatchKnob('SGLANG_MOE_NVFP4_DISPATCH', true),
  sglangNvfp4DispatchKnob('SGLANG_CUTEDSL_MOE_NVFP4_DISPATCH', false),
];
