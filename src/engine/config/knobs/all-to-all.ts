import type { PartialServingSettings } from '../serving-settings.js';
import { enumKnob, type Knob } from './types.js';

/**
 * The MoE all-to-all kernels under expert parallelism, as each engine asks for them:
 * - SGLang 0.5: `--moe-a2a-backend deepep` (default `none`: the all-reduce / all-gather path) with
 *   `--deepep-mode auto|low_latency|normal` (auto: low-latency kernels for decode batches, normal for
 *   prefill).
 * - vLLM: `--all2all-backend deepep_low_latency|deepep_high_throughput|allgather_reducescatter|…` from
 *   0.11.1; 0.9 to 0.11.0 read the same words from VLLM_ALL2ALL_BACKEND (deprecated, then removed in
 *   2026). The emitter writes the flag; readers take either.
 * Backends ServeTune does not price (pplx, FlashInfer, MoRI, NIXL EP, Mooncake) are recognised and read
 * as nothing: the simulator runs them as the NCCL default.
 */

/** vLLM's backend words, for ServeTune's settings; undefined: known but not modelled. */
const VLLM_BACKENDS: Record<string, PartialServingSettings | undefined> = {
  allgather_reducescatter: { allToAllBackend: 'nccl' },
  naive: { allToAllBackend: 'nccl' },
  deepep_low_latency: { allToAllBackend: 'deepep', deepepMode: 'low-latency' },
  deepep_high_throughput: { allToAllBackend: 'deepep', deepepMode: 'normal' },
  pplx: undefined,
  flashinfer_all2allv: undefined,
  flashinfer_nvlink_one_sided: undefined,
  flashinfer_nvlink_two_sided: undefined,
  mori: undefined,
  nixl_ep: undefined,
};

function backendKnob(
  names: Pick<Knob, 'flag' | 'env' | 'defaultText' | 'doc'>,
  words: Record<string, PartialServingSettings | undefined>,
  write: (settings: PartialServingSettings) => string | undefined,
): Knob {
  return {
    id: (names.flag ?? names.env ?? '').replace(/^-+/, ''),
    ...names,
    kind: 'value',
    type: 'string',
    settings: ['allToAllBackend', 'deepepMode'],
    read(raw) {
      const word = String(raw).trim().toLowerCase();
      if (!(word in words)) return `expected one of ${Object.keys(words).join(', ')}, got '${String(raw)}'`;
      return words[word] ?? {};
    },
    write,
  };
}

export const vllmAllToAllBackend: Knob = backendKnob(
  {
    flag: '--all2all-backend',
    env: 'VLLM_ALL2ALL_BACKEND',
    defaultText: 'allgather_reducescatter',
    doc: 'MoE all-to-all kernels under expert parallelism (DeepEP: deepep_low_latency for decode, deepep_high_throughput for prefill).',
  },
  VLLM_BACKENDS,
  (settings) => {
    if (settings.allToAllBackend === 'nccl') return 'allgather_reducescatter';
    if (settings.allToAllBackend !== 'deepep') return undefined;
    if (settings.deepepMode === 'low-latency') return 'deepep_low_latency';
    if (settings.deepepMode === 'normal') return 'deepep_high_throughput';
    return undefined;
  },
);

const SGLANG_BACKENDS: Record<string, PartialServingSettings | undefined> = {
  none: { allToAllBackend: 'nccl' },
  deepep: { allToAllBackend: 'deepep' },
  mooncake: undefined,
  nixl: undefined,
  mori: undefined,
  flashinfer: undefined,
  ascend_fuseep: undefined,
};

export const sglangAllToAllKnobs: Knob[] = [
  {
    ...backendKnob(
      {
        flag: '--moe-a2a-backend',
        defaultText: 'none',
        doc: 'MoE all-to-all kernels under expert parallelism (deepep: DeepEP, its kernels chosen by --deepep-mode).',
      },
      SGLANG_BACKENDS,
      (settings) =>
        settings.allToAllBackend === 'deepep'
          ? 'deepep'
          : settings.allToAllBackend === 'nccl'
            ? 'none'
            : undefined,
    ),
    settings: ['allToAllBackend'],
  },
  enumKnob(
    'deepepMode',
    {
      flag: '--deepep-mode',
      defaultText: 'auto',
      doc: 'DeepEP kernels: low_latency (decode), normal (prefill), or auto (each batch the kernels for its kind).',
    },
    [
      ['auto', 'auto'],
      ['low_latency', 'low-latency'],
      ['normal', 'normal'],
    ],
  ),
];
