import type { CatalogHardwareSpec } from '../spec.js';
import {
  ETH_100G_PER_GPU,
  GB,
  GiB,
  IB_LATENCY,
  NDR_PER_GPU,
  NVLINK5,
  PCIE5,
  T,
  us,
  XDR_PER_GPU,
} from './links.js';

/** NVIDIA Blackwell: HGX B200/B300, the GB200/GB300 NVL72 racks, and the GB202 PCIe cards. */
export const NVIDIA_BLACKWELL: CatalogHardwareSpec[] = [
  {
    id: 'b200',
    name: 'NVIDIA B200 (HGX) 180GB',
    vendor: 'nvidia',
    memoryBytes: 180 * GiB,
    memoryBandwidth: 7700 * GB,
    tensorFlops: { fp16: 2250 * T, fp8: 4500 * T, fp4: 9000 * T },
    vectorFp32Flops: 75 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: NVLINK5,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.nvidia.com/en-us/data-center/hgx/ (HGX B200: 8 GPUs, 1.4 TB HBM3e, 62 TB/s, FP4 144 PFLOPS sparse, FP8 72 PFLOPS sparse, FP16 36 PFLOPS sparse)',
    ],
    notes:
      'Per-GPU figures are the 8-GPU HGX totals divided by 8; vector FP32 is an estimate, NVIDIA quotes none for HGX B200.',
    price: {
      usdPerGpuHour: 5.98,
      source: 'https://deploybase.ai/articles/runpod-gpu-pricing',
      asOf: '2026-03-10',
      offer: 'RunPod B200 192GB, lowest listed hourly rate',
    },
    power: {
      watts: 1000,
      source: 'https://www.nvidia.com/en-us/data-center/hgx/ (HGX B200: up to 1,000 W per GPU)',
    },
    deviceClass: 'nvidia-blackwell',
    recognition: {
      nodeLabels: ['NVIDIA-B200'],
      labelPatterns: ['b200'],
      adapterNames: ['NVIDIA B200'],
      adapterPatterns: ['b200'],
    },
  },
  {
    id: 'b300',
    name: 'NVIDIA B300 (HGX) 288GB',
    vendor: 'nvidia',
    memoryBytes: 288 * GiB,
    // unconfirmed: 8 TB/s is NVIDIA's Blackwell Ultra figure; some third-party tables give HGX B300 7.7 TB/s.
    memoryBandwidth: 8000 * GB,
    // unconfirmed (fp4): NVIDIA's HGX table as copied by third parties gives 108 PFLOPS dense FP4 for 8
    // GPUs; others quote 14 PFLOPS a GPU.
    tensorFlops: { fp16: 2250 * T, fp8: 4500 * T, fp4: 13500 * T },
    vectorFp32Flops: 75 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: NVLINK5,
    interNodeBytesPerSecond: XDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    // unconfirmed: the GPU has PCIe 6.0, but host CPUs on HGX boards are PCIe 5.0 x16.
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.nvidia.com/en-us/data-center/hgx/ (HGX B300: 8 GPUs, up to 2.3 TB HBM3e, FP4 144 PFLOPS sparse / 108 dense, FP8 72 PFLOPS sparse, FP16 36 PFLOPS sparse, FP32 600 TFLOPS, networking 1.6 TB/s; checked 2026-12)',
      'https://docs.nvidia.com/nim/bionemo/boltz2/release-notes/2026/5/18 (NVIDIA-B300-SXM6-AC, 288GB HBM3e per GPU; checked 2026-12)',
    ],
    notes:
      'Per-GPU figures are the 8-GPU HGX totals divided by 8. Blackwell Ultra: FP4 up 1.5× over B200, FP8/FP16 unchanged; one 800 Gb/s ConnectX-8 per GPU.',
    deviceClass: 'nvidia-blackwell',
    recognition: {
      nodeLabels: ['NVIDIA-B300-SXM6-AC'],
      labelPatterns: ['b300'],
      adapterNames: ['NVIDIA B300 SXM6 AC'],
      adapterPatterns: ['b300'],
    },
  },
  {
    id: 'gb200',
    name: 'NVIDIA GB200 NVL72 186GB',
    vendor: 'nvidia',
    memoryBytes: 186 * GiB,
    memoryBandwidth: 8000 * GB,
    tensorFlops: { fp16: 2500 * T, fp8: 5000 * T, fp4: 10000 * T },
    // unconfirmed: NVIDIA quotes no FP32 for GB200 NVL72; the HGX B200 figure.
    vectorFp32Flops: 75 * T,
    gpusPerNode: 4,
    scaleUpDomain: 72,
    intraNode: NVLINK5,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    // unconfirmed: NVLink-C2C is 900 GB/s both directions per Grace CPU, shared by its two GPUs.
    hostLinkBytesPerSecond: 225 * GB,
    sources: [
      'https://www.nvidia.com/en-us/data-center/gb200-nvl72/ (72 GPUs: FP4 1,440 PFLOPS sparse, FP8 720 PFLOPS sparse, FP16 360 PFLOPS sparse, 13.4 TB HBM3e at 576 TB/s, NVLink 130 TB/s; checked 2026-12)',
      'https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-gpus.html (GB200: 186GB; checked 2026-12)',
    ],
    notes:
      'Per-GPU figures are the NVL72 rack totals divided by 72. Trays of 4 GPUs (2 Grace + 4 Blackwell) share one NVLink domain across the rack; between racks, one 400 Gb/s ConnectX-7 per GPU.',
    deviceClass: 'nvidia-blackwell',
    recognition: {
      nodeLabels: ['NVIDIA-GB200'],
      labelPatterns: ['gb200'],
      adapterNames: ['NVIDIA GB200'],
      adapterPatterns: ['gb200'],
    },
  },
  {
    id: 'gb300',
    name: 'NVIDIA GB300 NVL72 279GB',
    vendor: 'nvidia',
    // unconfirmed: the rack's 20 TB over 72 GPUs; the Blackwell Ultra chip carries 288 GB.
    memoryBytes: 279 * GiB,
    memoryBandwidth: 8000 * GB,
    tensorFlops: { fp16: 2500 * T, fp8: 5000 * T, fp4: 15000 * T },
    // unconfirmed: 80 TFLOPS a GPU as third-party per-GPU tables give it.
    vectorFp32Flops: 80 * T,
    gpusPerNode: 4,
    scaleUpDomain: 72,
    intraNode: NVLINK5,
    interNodeBytesPerSecond: XDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    // unconfirmed: NVLink-C2C is 900 GB/s both directions per Grace CPU, shared by its two GPUs.
    hostLinkBytesPerSecond: 225 * GB,
    sources: [
      'https://www.nvidia.com/en-us/data-center/gb300-nvl72/ (72 GPUs: FP4 1,440 PFLOPS sparse / 1,080 dense, FP8 720 PFLOPS sparse, FP16 360 PFLOPS sparse, up to 20 TB HBM3e at 576 TB/s, 72 ConnectX-8; checked 2026-12)',
    ],
    notes:
      'Per-GPU figures are the NVL72 rack totals divided by 72 (FP4 dense is quoted, not half of sparse). Trays of 4 GPUs share one NVLink domain across the rack; between racks, one 800 Gb/s ConnectX-8 per GPU.',
    deviceClass: 'nvidia-blackwell',
    recognition: {
      nodeLabels: ['NVIDIA-GB300'],
      labelPatterns: ['gb300'],
      adapterNames: ['NVIDIA GB300'],
      adapterPatterns: ['gb300'],
    },
  },
  {
    id: 'rtx-pro-6000',
    name: 'NVIDIA RTX PRO 6000 Blackwell Server Edition 96GB',
    vendor: 'nvidia',
    memoryBytes: 96 * GiB,
    // unconfirmed: 1597 GB/s for the Server Edition; the Workstation Edition's GDDR7 runs at 1792 GB/s.
    memoryBandwidth: 1597 * GB,
    // unconfirmed: 188 SMs at the 2430 MHz NVIDIA's aiconfigurator measured on this card, full-rate fp32
    // accumulate as on other professional cards (about 3.7 PFLOPS sparse FP4).
    tensorFlops: { fp16: 467.8 * T, fp8: 935.6 * T, fp4: 1871.2 * T },
    // unconfirmed: 188 SMs × 128 lanes × 2 × 2430 MHz.
    vectorFp32Flops: 117 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: PCIE5,
    // unconfirmed: RTX PRO servers pair GPUs with ConnectX-8 SuperNICs; 400 Gb/s per GPU assumed.
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.nvidia.com/en-us/data-center/rtx-pro-6000-blackwell-server-edition/ (96 GB GDDR7 with ECC, PCIe 5.0 x16, no NVLink; checked 2026-12)',
      'https://github.com/ai-dynamo/aiconfigurator/blob/main/src/aiconfigurator/systems/rtx_pro_6000_server.yaml (2430 MHz max SM clock, bf16 467.8 / fp8 935.6 / fp4 1871.2 TFLOPS dense; checked 2026-12)',
      'https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-gpus.html (GB202, compute capability 12.0, 96GB; checked 2026-12)',
    ],
    notes: 'GB202 (sm_120) like the RTX 5090 with 188 SMs; no NVLink: tensor parallel traffic crosses PCIe.',
    price: {
      usdPerGpuHour: 0.89,
      source: 'https://deploybase.ai/articles/runpod-gpu-pricing',
      asOf: '2026-03-10',
      offer: 'RunPod RTX PRO 6000 96GB, lowest listed hourly rate',
    },
    power: {
      watts: 600,
      source:
        'https://www.nvidia.com/en-us/data-center/rtx-pro-6000-blackwell-server-edition/ (max power consumption up to 600 W, configurable)',
    },
    deviceClass: 'nvidia-blackwell-rtx',
    recognition: {
      nodeLabels: ['NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition'],
      labelPatterns: ['rtx.?pro.?6000'],
      adapterNames: ['NVIDIA RTX PRO 6000 Blackwell Server Edition'],
      adapterPatterns: ['rtx\\s*pro\\s*6000'],
    },
  },
  {
    id: 'rtx-5090',
    name: 'NVIDIA GeForce RTX 5090 32GB',
    vendor: 'nvidia',
    memoryBytes: 32 * GiB,
    memoryBandwidth: 1792 * GB,
    // FP16/FP8 with FP32 accumulate, which GeForce runs at half the FP16-accumulate rate (as rtx-4090).
    // unconfirmed (fp4): NVIDIA's 3,352 AI TOPS is sparse FP4 (1,676 dense) without saying the
    // accumulate; 838 is the same halving, which a microbenchmark of block-scaled FP4 with FP32
    // accumulate on a 5090 D (about 860 TFLOPS) agrees with.
    tensorFlops: { fp16: 209.5 * T, fp8: 419 * T, fp4: 838 * T },
    vectorFp32Flops: 104.8 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: PCIE5,
    interNodeBytesPerSecond: ETH_100G_PER_GPU,
    interNodeLatencySeconds: 10 * us,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf (RTX 5090: 170 SMs, 2407 MHz boost, 32 GB GDDR7 at 1792 GB/s, tensor peaks by accumulate type; checked 2026-12)',
    ],
    notes: 'No NVLink: tensor parallel traffic crosses PCIe.',
    price: {
      usdPerGpuHour: 0.69,
      source: 'https://deploybase.ai/articles/runpod-gpu-pricing',
      asOf: '2026-03-10',
      offer: 'RunPod RTX 5090 32GB, lowest listed hourly rate',
    },
    power: {
      watts: 575,
      source:
        'https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf (RTX 5090: total graphics power 575 W)',
    },
    deviceClass: 'nvidia-blackwell-rtx',
    recognition: {
      nodeLabels: ['NVIDIA-GeForce-RTX-5090'],
      labelPatterns: ['rtx.?5090'],
      adapterNames: ['NVIDIA GeForce RTX 5090'],
      adapterPatterns: ['rtx\\s*5090'],
    },
  },
];
