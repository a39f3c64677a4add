import { getHardware } from '../hardware/catalog.js';
import { type HardwareSpec, scaleUpDomainOf } from '../hardware/spec.js';
import type { AllToAllBackend } from '../memory/plan.js';
import type { WeightDtype } from '../model/dtypes.js';
import { groupLink } from './comm.js';

/**
 * DeepEP's expert-parallel dispatch and combine, priced from the measurements DeepEP publishes (V1,
 * H800 SXM with one ConnectX-7 400 Gb/s NIC a GPU; DeepEP's docs/legacy.md, the README's Performance
 * section before V2). What was measured:
 * - low-latency kernels (decode): 128 tokens a rank, hidden 7168, top-8 experts, FP8 dispatch and BF16
 *   combine; latency and bandwidth at EP 8 to 256 (EP 8 inside one node, over NVLink; beyond, RDMA);
 * - normal kernels (prefill): 4096 tokens a rank, hidden 7168, top-4 groups, top-8 experts, FP8
 *   dispatch and BF16 combine; the bottleneck link's bandwidth at EP 8 (NVLink) and 16 to 64 (RDMA).
 *
 * How another shape and GPU are priced (`deepEpSeconds`):
 * - low-latency: the measured latency at the EP size (interpolated over log2 EP, clamped to 8..256),
 *   less the measured link's latency, scaled by the bytes moved (tokens a rank × top-k × bytes a token,
 *   dispatch in the plan's dispatch format, combine in BF16) over the measured bytes, and by the measured
 *   link's bandwidth over the plan's link (the catalog's H800 against the target, for the link the EP
 *   group talks over: NVLink inside a scale-up domain, else the network); the target link's latency is
 *   added back. At the measured shape on an H800 this is the published latency exactly.
 * - normal: the target link's latency plus the bytes over the bottleneck link at the measured bottleneck
 *   bandwidth × the link ratio (on Blackwell over NVLink: the bandwidth DeepEP measured there,
 *   `DEEPEP_SM100_NVLINK_NORMAL`), and no less than the low-latency kernels' time for the same transfer of
 *   up to 128 tokens (no small-batch point was published for them). DeepEP counts those bytes as each token once per destination rank
 *   (inside a node) or per destination node (RDMA), so the bytes are tokens × the expected distinct
 *   destinations of top-k uniform experts, R(1 − (1 − 1/R)^k).
 */

export type DeepEpKernels = 'low-latency' | 'normal';
export type DeepEpPhase = 'dispatch' | 'combine';

/** Where the numbers come from, as the step's breakdown names it. */
export const DEEPEP_SOURCE =
  'DeepEP published H800 measurement (github.com/deepseek-ai/DeepEP docs/legacy.md)';

/** Where the Blackwell NVLink numbers come from, as the step's breakdown names it. */
export const DEEPEP_SM100_SOURCE =
  'DeepEP published SM100 NVLink measurement (github.com/deepseek-ai/DeepEP README.md)';

/** Whether a breakdown source names one of DeepEP's published measurements. */
export function isDeepEpSource(source: string | undefined): boolean {
  return source !== undefined && (source.startsWith(DEEPEP_SOURCE) || source.startsWith(DEEPEP_SM100_SOURCE));
}

/** The measured shape. */
const MEASURED_HIDDEN = 7168;
const MEASURED_TOP_K = 8;
const LOW_LATENCY_TOKENS = 128;
/** FP8 dispatch: one byte a value and a 4-byte scale a 128 values (DeepEP's tests count it so). */
export const FP8_DISPATCH_BYTES_PER_VALUE = 1 + 4 / 128;
const BF16_BYTES = 2;
/**
 * NVFP4 dispatch: half a byte a value and one fp8 (E4M3) scale a 16 values. SGLang sends it where an
 * nvfp4 checkpoint's MoE runs with `SGLANG_MOE_NVFP4_DISPATCH=1` (`SGLANG_CUTEDSL_MOE_NVFP4_DISPATCH` in
 * v0.5.5): ModelOptNvFp4FusedMoEMethod hands the dispatcher the experts' input global scale
 * (sgl-project/sglang python/sglang/srt/layers/quantization/modelopt_quant.py, process_weights_after_loading:
 * `set_quant_config({"input_global_scale": w13_input_scale_quant if MOE_NVFP4_DISPATCH ...})`), which
 * makes the DeepEP dispatch output NVFP4 (python/sglang/srt/layers/moe/utils.py get_deepep_output_dtype:
 * "If quant_config contains input_global_scale → NVFP4 path"; token_dispatcher/deepep.py @003a81bf:
 * `low_latency_dispatch(..., use_nvfp4=True, x_global_scale=...)`). Without it the CuteDSL runner's
 * dispatch is BF16 ("flashinfer_cutedsl / cutlass ... expects BF16 dispatch"). SGLang sizes the same
 * payload for its FlashInfer all-to-all as `hidden_size // 2` (nvfp4 hidden states) + `hidden_size // 16`
 * (fp8 scaling factors) a token (token_dispatcher/flashinfer.py @904f02ee).
 */
export const NVFP4_DISPATCH_BYTES_PER_VALUE = 1 / 2 + 1 / 16;

/**
 * Bytes a value of the dispatch DeepEP sends for a plan's weights: FP8 with FP8 weights (SGLang's
 * default dispatch dtype), NVFP4 with nvfp4 weights where the engine sets `nvfp4Dispatch`
 * (`SGLANG_MOE_NVFP4_DISPATCH=1`), else BF16.
 */
export function deepEpDispatchBytesPerValue(
  weightDtype: WeightDtype,
  nvfp4Dispatch: boolean | undefined,
): number {
  if (weightDtype === 'fp8') return FP8_DISPATCH_BYTES_PER_VALUE;
  if (weightDtype === 'nvfp4' && nvfp4Dispatch) return NVFP4_DISPATCH_BYTES_PER_VALUE;
  return BF16_BYTES;
}

/** Low-latency kernels: EP size → dispatch and combine latency in seconds (128 tokens a rank). */
export const DEEPEP_LOW_LATENCY: readonly { ep: number; dispatch: number; combine: number }[] = [
  { ep: 8, dispatch: 77e-6, combine: 114e-6 },
  { ep: 16, dispatch: 118e-6, combine: 195e-6 },
  { ep: 32, dispatch: 155e-6, combine: 273e-6 },
  { ep: 64, dispatch: 173e-6, combine: 314e-6 },
  { ep: 128, dispatch: 192e-6, combine: 369e-6 },
  { ep: 256, dispatch: 194e-6, combine: 360e-6 },
];

/** Normal kernels: EP size → bottleneck bandwidth (bytes/s) of dispatch and combine. */
export const DEEPEP_NORMAL: readonly { ep: number; dispatch: number; combine: number }[] = [
  { ep: 8, dispatch: 153e9, combine: 158e9 },
  { ep: 16, dispatch: 43e9, combine: 43e9 },
  { ep: 32, dispatch: 58e9, combine: 57e9 },
  { ep: 64, dispatch: 51e9, combine: 50e9 },
];

/**
 * Normal kernels on Blackwell (SM100) over NVLink, as DeepEP's README publishes them (deepseek-ai/DeepEP
 * README.md @0297fc801788b14b338a46554faca28d419e518a, Performance: "8K tokens per batch, 7168 hidden
 * dimensions, top 8 experts, FP8 dispatching, and BF16 combining", SM100, EP 8 over NVLink: 726 GB/s
 * dispatch and 740 GB/s combine bottleneck bandwidth at the max-performance SM count). Those are its V2
 * kernels; the deployments priced here run V1's `Buffer` normal kernels, of which the same README says
 * "V2 achieves up to 1.3x peak performance": V1's bandwidth is taken as V2's / `DEEPEP_V2_OVER_V1_PEAK`.
 * The H800 points (`DEEPEP_NORMAL`, NVLink 4 at ~160 GB/s, which the kernels saturate) scaled by the link
 * ratio would put V1 at 690–710 GB/s on NVLink 5, above what even V2 measured with 24 SMs (643/675 GB/s):
 * on NVLink 5 the kernels, not the link, set the pace.
 */
export const DEEPEP_SM100_NVLINK_NORMAL: Readonly<Record<DeepEpPhase, number>> = {
  dispatch: 726e9,
  combine: 740e9,
};
/** V2's peak over V1's, as DeepEP's README states it ("up to 1.3x"). */
export const DEEPEP_V2_OVER_V1_PEAK = 1.3;
/** Where DeepEP measured `DEEPEP_SM100_NVLINK_NORMAL`: an SM100 GPU over NVLink 5 (the catalog's B200). */
let sm100Gpu: HardwareSpec | undefined;
function sm100Hardware(): HardwareSpec {
  sm100Gpu ??= getHardware('b200');
  return sm100Gpu;
}

/**
 * SGLang's auto mode runs the low-latency kernels for decode batches and the normal ones for prefill;
 * the step model tells them apart by tokens a rank: up to the low-latency kernels' dispatch buffer
 * (SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK, 128 by default) is a decode batch.
 */
export const DEEPEP_AUTO_LOW_LATENCY_MAX_TOKENS = 128;

/** The kernels a backend runs for a step of `tokensPerRank` tokens on each rank; undefined: not DeepEP. */
export function deepEpKernelsFor(
  backend: AllToAllBackend | undefined,
  tokensPerRank: number,
): DeepEpKernels | undefined {
  if (backend === 'deepep-low-latency') return 'low-latency';
  if (backend === 'deepep-normal') return 'normal';
  if (backend === 'deepep-auto')
    return tokensPerRank <= DEEPEP_AUTO_LOW_LATENCY_MAX_TOKENS ? 'low-latency' : 'normal';
  return undefined;
}

export interface DeepEpTransfer {
  kernels: DeepEpKernels;
  phase: DeepEpPhase;
  /** Tokens one rank sends (its share of its batch), times the busiest rank's imbalance. */
  tokensPerRank: number;
  hidden: number;
  topK: number;
  /** Bytes a value in the dispatch (deepEpDispatchBytesPerValue); the combine is always BF16. */
  dispatchBytesPerValue: number;
  ep: number;
}

export interface DeepEpTime {
  seconds: number;
  /** What it was priced from, for the step's breakdown. */
  source: string;
}

/** The measured setup: the catalog's H800 (NVLink 4 with 8 links, 400 Gb/s NIC a GPU). */
let measuredGpu: HardwareSpec | undefined;
function measuredHardware(): HardwareSpec {
  measuredGpu ??= getHardware('h800');
  return measuredGpu;
}

/** Time of one DeepEP dispatch or combine on `hardware` (see the file comment for the method). */
export function deepEpSeconds(transfer: DeepEpTransfer, hardware: HardwareSpec): DeepEpTime {
  if (transfer.ep <= 1 || transfer.tokensPerRank <= 0) return { seconds: 0, source: DEEPEP_SOURCE };
  const ep = Math.min(Math.max(transfer.ep, 8), 256);
  const measuredLink = groupLink(measuredHardware(), ep);
  const link = groupLink(hardware, transfer.ep);
  const linkRatio = measuredLink.bytesPerSecond / link.bytesPerSecond;
  const valueBytes = transfer.phase === 'dispatch' ? transfer.dispatchBytesPerValue : BF16_BYTES;
  const measuredValueBytes = transfer.phase === 'dispatch' ? FP8_DISPATCH_BYTES_PER_VALUE : BF16_BYTES;
  const where = `EP ${transfer.ep}${transfer.ep === ep ? '' : ` (as EP ${ep})`}`;
  const linkNote = `link ${gbps(link.bytesPerSecond)} against the H800's ${gbps(measuredLink.bytesPerSecond)}`;
  if (transfer.kernels === 'low-latency') {
    const measured = interpolateLog2(DEEPEP_LOW_LATENCY, ep, transfer.phase);
    const bytesRatio =
      (transfer.tokensPerRank * transfer.topK * transfer.hidden * valueBytes) /
      (LOW_LATENCY_TOKENS * MEASURED_TOP_K * MEASURED_HIDDEN * measuredValueBytes);
    const seconds = link.latencySeconds + (measured - measuredLink.latencySeconds) * bytesRatio * linkRatio;
    const source = `${DEEPEP_SOURCE}: low-latency ${transfer.phase} ${us(measured)} at ${where}, 128 tokens a rank; × ${bytesRatio.toFixed(3)} bytes, ${linkNote}`;
    const floor = lowLatencyNvlinkFloor(transfer, hardware);
    if (floor && floor.seconds > seconds)
      return {
        seconds: floor.seconds,
        source: `${floor.source}; no faster at EP ${transfer.ep} over the same NVLink`,
      };
    return { seconds, source };
  }
  const sm100 = sm100NvlinkBandwidth(transfer, hardware);
  const bandwidth =
    sm100?.bytesPerSecond ?? interpolateLog2(DEEPEP_NORMAL, Math.min(ep, 64), transfer.phase) / linkRatio;
  // No small-batch point was published for the normal kernels, which also wait on the host for the
  // receive counts: on a decode-sized batch they are taken as no faster than the low-latency kernels.
  const floor = deepEpSeconds(
    {
      ...transfer,
      kernels: 'low-latency',
      tokensPerRank: Math.min(transfer.tokensPerRank, LOW_LATENCY_TOKENS),
    },
    hardware,
  ).seconds;
  const scaleUp = measuredHardware().scaleUpDomain ?? measuredHardware().gpusPerNode;
  // Inside one node DeepEP sends a token once per destination rank; across nodes, once per node over RDMA.
  // Over a Blackwell NVLink domain every rank is a peer: once per destination rank.
  const destinations = sm100 || transfer.ep <= scaleUp ? transfer.ep : Math.ceil(transfer.ep / scaleUp);
  const distinct = destinations * (1 - (1 - 1 / destinations) ** transfer.topK);
  const bytes = transfer.tokensPerRank * distinct * transfer.hidden * valueBytes;
  const seconds = link.latencySeconds + bytes / bandwidth;
  const floored =
    floor > seconds ? ", no faster than the low-latency kernels' time on this small a batch" : '';
  const measuredAt = sm100
    ? sm100.note
    : `${DEEPEP_SOURCE}: normal ${transfer.phase} at ${gbps(bandwidth * linkRatio)} bottleneck bandwidth, ${where}; ${linkNote}`;
  return { seconds: Math.max(floor, seconds), source: `${measuredAt}${floored}` };
}

/**
 * The low-latency kernels' time at EP 8 on the same link, where a larger EP group still talks over one
 * NVLink domain (a GB200/GB300 rack): the floor of its time. DeepEP measured EP 8 over NVLink and EP 16
 * and up over its 50 GB/s NICs; those RDMA points scaled by NVLink's bandwidth over the NIC's would
 * price EP 16–72 inside an NVL72 below EP 8 (GB300, DeepSeek-V3, 43 tokens a rank: 9 µs dispatch against
 * 14 µs), yet every rank sends the same bytes (tokens × top-k × hidden) over the same NVLink, to more
 * peers, each waited on. Undefined where the group is 8 or fewer, or leaves the domain.
 */
function lowLatencyNvlinkFloor(transfer: DeepEpTransfer, hardware: HardwareSpec): DeepEpTime | undefined {
  const ep8 = DEEPEP_LOW_LATENCY[0].ep;
  if (transfer.ep <= ep8 || transfer.ep > scaleUpDomainOf(hardware)) return undefined;
  return deepEpSeconds({ ...transfer, ep: ep8 }, hardware);
}

/**
 * The normal kernels' bottleneck bandwidth where the EP group talks over a Blackwell GPU's NVLink:
 * DeepEP's SM100 measurement as V1 runs it, scaled by the target's NVLink against the B200's (the same
 * NVLink 5 on every Blackwell part in the catalog). Undefined elsewhere (Hopper, RDMA).
 */
function sm100NvlinkBandwidth(
  transfer: DeepEpTransfer,
  hardware: HardwareSpec,
): { bytesPerSecond: number; note: string } | undefined {
  if (hardware.deviceClass !== 'nvidia-blackwell' || transfer.ep > scaleUpDomainOf(hardware))
    return undefined;
  const measuredOn = sm100Hardware();
  const linkRatio = groupLink(hardware, transfer.ep).bytesPerSecond / groupLink(measuredOn, 8).bytesPerSecond;
  const v2 = DEEPEP_SM100_NVLINK_NORMAL[transfer.phase];
  const bytesPerSecond = (v2 / DEEPEP_V2_OVER_V1_PEAK) * linkRatio;
  return {
    bytesPerSecond,
    note: `${DEEPEP_SM100_SOURCE}: normal ${transfer.phase} ${gbps(v2)} (V2) at EP 8 over NVLink, V1 ${gbps(bytesPerSecond)} (V2 up to ${DEEPEP_V2_OVER_V1_PEAK}× V1), EP ${transfer.ep}`,
  };
}

/** A table's value at `ep`, linear in log2 EP between its points, clamped to its ends. */
function interpolateLog2(
  table: readonly { ep: number; dispatch: number; combine: number }[],
  ep: number,
  phase: DeepEpPhase,
): number {
  const x = Math.log2(ep);
  for (let i = 1; i < table.length; i++) {
    const lo = table[i - 1];
    const hi = table[i];
    if (ep <= hi.ep) {
      const t = Math.max(0, (x - Math.log2(lo.ep)) / (Math.log2(hi.ep) - Math.log2(lo.ep)));
      return lo[phase] + t * (hi[phase] - lo[phase]);
    }
  }
  return table[table.length - 1][phase];
}

const us = (s: number) => `${(s * 1e6).toFixed(0)} µs`;
const gbps = (b: number) => `${(b / 1e9).toFixed(0)} GB/s`;
