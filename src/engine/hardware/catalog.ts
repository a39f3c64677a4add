import { ServeTuneError } from '../util/errors.js';
import { didYouMean } from '../util/nearest.js';
import { CatalogHardwareSpec } from './spec.js';

const GiB = 1024 ** 3;
const GB = 1e9;
const T = 1e12;
const us = 1e-6;

// Interconnects, bytes/s per GPU per direction (datasheets quote both directions added).
const NVLINK3 = {
  kind: 'nvlink',
  generation: 'NVLink 3',
  bytesPerSecondPerDirection: 300 * GB,
  latencySeconds: 3 * us,
} as const;
const NVLINK4 = {
  kind: 'nvlink',
  generation: 'NVLink 4',
  bytesPerSecondPerDirection: 450 * GB,
  latencySeconds: 3 * us,
} as const;
const NVLINK5 = {
  kind: 'nvlink',
  generation: 'NVLink 5',
  bytesPerSecondPerDirection: 900 * GB,
  latencySeconds: 3 * us,
} as const;
const PCIE4 = {
  kind: 'pcie',
  generation: 'PCIe 4.0 x16',
  bytesPerSecondPerDirection: 32 * GB,
  latencySeconds: 10 * us,
} as const;
const PCIE5 = {
  kind: 'pcie',
  generation: 'PCIe 5.0 x16',
  bytesPerSecondPerDirection: 64 * GB,
  latencySeconds: 10 * us,
} as const;
const INFINITY_FABRIC = {
  kind: 'infinity-fabric',
  generation: 'Infinity Fabric (7 links × 64 GB/s)',
  bytesPerSecondPerDirection: 448 * GB,
  latencySeconds: 4 * us,
} as const;

// One 400 Gb/s NIC per GPU (NDR InfiniBand or 400G RoCE) on HGX-class nodes; 100 Gb/s on PCIe cloud nodes.
const NDR_PER_GPU = 50 * GB;
const HDR_PER_GPU = 25 * GB;
const ETH_100G_PER_GPU = 12.5 * GB;
const IB_LATENCY = 5 * us;

/**
 * Datasheet numbers, dense (sparsity-doubled figures halved). Memory sizes are the marketed capacity read
 * as GiB, which is how HBM and GDDR capacities are built (80 GB HBM3 = 5 stacks × 16 GiB).
 */
const entries: CatalogHardwareSpec[] = [
  {
    id: 'a100-40gb-sxm',
    name: 'NVIDIA A100 40GB SXM',
    vendor: 'nvidia',
    memoryBytes: 40 * GiB,
    memoryBandwidth: 1555 * GB,
    tensorFlops: { fp16: 312 * T, fp8: null },
    vectorFp32Flops: 19.5 * T,
    gpusPerNode: 8,
    intraNode: NVLINK3,
    interNodeBytesPerSecond: HDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 32 * GB,
    sources: [
      'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf',
    ],
    deviceClass: 'nvidia-ampere',
    recognition: {
      nodeLabels: ['NVIDIA-A100-SXM4-40GB'],
      labelPatterns: ['a100.*40'],
      adapterNames: ['NVIDIA A100-SXM4-40GB'],
      adapterPatterns: ['a100.*40\\s*gb'],
    },
  },
  {
    id: 'a100-80gb-sxm',
    name: 'NVIDIA A100 80GB SXM',
    vendor: 'nvidia',
    memoryBytes: 80 * GiB,
    memoryBandwidth: 2039 * GB,
    tensorFlops: { fp16: 312 * T, fp8: null },
    vectorFp32Flops: 19.5 * T,
    gpusPerNode: 8,
    intraNode: NVLINK3,
    interNodeBytesPerSecond: HDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 32 * GB,
    sources: [
      'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf',
    ],
    deviceClass: 'nvidia-ampere',
    recognition: {
      nodeLabels: ['NVIDIA-A100-SXM4-80GB', 'nvidia-a100-80gb'],
      labelPatterns: ['a100'],
      adapterNames: ['NVIDIA A100-SXM4-80GB'],
      adapterPatterns: ['a100'],
    },
  },
  {
    id: 'h100-sxm',
    name: 'NVIDIA H100 SXM5 80GB',
    vendor: 'nvidia',
    memoryBytes: 80 * GiB,
    memoryBandwidth: 3350 * GB,
    tensorFlops: { fp16: 989.4 * T, fp8: 1978.9 * T },
    vectorFp32Flops: 66.9 * T,
    gpusPerNode: 8,
    intraNode: NVLINK4,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: ['https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet'],
    deviceClass: 'nvidia-hopper',
    recognition: {
      nodeLabels: ['NVIDIA-H100-80GB-HBM3', 'nvidia-h100-80gb', 'nvidia-h100-mega-80gb'],
      labelPatterns: ['h100', 'h800'],
      adapterNames: ['NVIDIA H100 80GB HBM3'],
      adapterPatterns: ['h100'],
    },
  },
  {
    id: 'h100-pcie',
    name: 'NVIDIA H100 PCIe 80GB',
    vendor: 'nvidia',
    memoryBytes: 80 * GiB,
    memoryBandwidth: 2000 * GB,
    tensorFlops: { fp16: 756.5 * T, fp8: 1513 * T },
    vectorFp32Flops: 51.2 * T,
    gpusPerNode: 8,
    intraNode: PCIE5,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: ['https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet'],
    notes: 'Without the optional NVLink bridge: peers talk over PCIe 5.0.',
    deviceClass: 'nvidia-hopper',
    recognition: {
      nodeLabels: ['NVIDIA-H100-PCIe'],
      labelPatterns: ['h100.*pcie', 'pcie.*h100'],
      adapterNames: ['NVIDIA H100 PCIe'],
      adapterPatterns: ['h100.*pcie'],
    },
  },
  {
    id: 'h200',
    name: 'NVIDIA H200 SXM 141GB',
    vendor: 'nvidia',
    memoryBytes: 141 * GiB,
    memoryBandwidth: 4800 * GB,
    tensorFlops: { fp16: 989.4 * T, fp8: 1978.9 * T },
    vectorFp32Flops: 66.9 * T,
    gpusPerNode: 8,
    intraNode: NVLINK4,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: ['https://www.nvidia.com/en-us/data-center/h200/'],
    deviceClass: 'nvidia-hopper',
    recognition: {
      nodeLabels: ['NVIDIA-H200', 'nvidia-h200-141gb'],
      labelPatterns: ['h200', 'gh200'],
      adapterNames: ['NVIDIA H200'],
      adapterPatterns: ['h200'],
    },
  },
  {
    id: 'b200',
    name: 'NVIDIA B200 (HGX) 180GB',
    vendor: 'nvidia',
    memoryBytes: 180 * GiB,
    memoryBandwidth: 7700 * GB,
    tensorFlops: { fp16: 2250 * T, fp8: 4500 * T },
    vectorFp32Flops: 75 * T,
    gpusPerNode: 8,
    intraNode: NVLINK5,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.nvidia.com/en-us/data-center/hgx/ (HGX B200: 8 GPUs, 1.4 TB HBM3e, 62 TB/s, FP8 72 PFLOPS sparse, FP16 36 PFLOPS sparse)',
    ],
    notes:
      'Per-GPU figures are the 8-GPU HGX totals divided by 8; vector FP32 is an estimate, NVIDIA quotes none for HGX B200.',
    deviceClass: 'nvidia-blackwell',
    recognition: {
      nodeLabels: ['NVIDIA-B200'],
      labelPatterns: ['b200', 'gb200'],
      adapterNames: ['NVIDIA B200'],
      adapterPatterns: ['b200'],
    },
  },
  {
    id: 'l40s',
    name: 'NVIDIA L40S 48GB',
    vendor: 'nvidia',
    memoryBytes: 48 * GiB,
    memoryBandwidth: 864 * GB,
    tensorFlops: { fp16: 362.05 * T, fp8: 733 * T },
    vectorFp32Flops: 91.6 * T,
    gpusPerNode: 8,
    intraNode: PCIE4,
    interNodeBytesPerSecond: ETH_100G_PER_GPU,
    interNodeLatencySeconds: 10 * us,
    hostLinkBytesPerSecond: 32 * GB,
    sources: ['https://resources.nvidia.com/en-us-l40s/l40s-datasheet-28413'],
    deviceClass: 'nvidia-ada',
    recognition: {
      nodeLabels: ['NVIDIA-L40S'],
      labelPatterns: ['l40s'],
      adapterNames: ['NVIDIA L40S'],
      adapterPatterns: ['l40s'],
    },
  },
  {
    id: 'l4',
    name: 'NVIDIA L4 24GB',
    vendor: 'nvidia',
    memoryBytes: 24 * GiB,
    memoryBandwidth: 300 * GB,
    tensorFlops: { fp16: 121 * T, fp8: 242.5 * T },
    vectorFp32Flops: 30.3 * T,
    gpusPerNode: 8,
    intraNode: PCIE4,
    interNodeBytesPerSecond: ETH_100G_PER_GPU,
    interNodeLatencySeconds: 10 * us,
    hostLinkBytesPerSecond: 32 * GB,
    sources: ['https://www.nvidia.com/en-us/data-center/l4/'],
    deviceClass: 'nvidia-ada',
    recognition: {
      nodeLabels: ['NVIDIA-L4'],
      labelPatterns: ['(^|[^a-z0-9])l4($|[^0-9a-z])'],
      adapterNames: ['NVIDIA L4'],
      adapterPatterns: ['\\bl4\\b'],
    },
  },
  {
    id: 'a10g',
    name: 'NVIDIA A10G 24GB',
    vendor: 'nvidia',
    memoryBytes: 24 * GiB,
    memoryBandwidth: 600 * GB,
    tensorFlops: { fp16: 125 * T, fp8: null },
    vectorFp32Flops: 31.2 * T,
    gpusPerNode: 8,
    intraNode: PCIE4,
    interNodeBytesPerSecond: ETH_100G_PER_GPU,
    interNodeLatencySeconds: 10 * us,
    hostLinkBytesPerSecond: 32 * GB,
    sources: [
      'https://www.nvidia.com/en-us/data-center/products/a10-gpu/ (A10 datasheet)',
      'https://aws.amazon.com/ec2/instance-types/g5/ (A10G in g5: 24 GB, 8 per g5.48xlarge)',
    ],
    notes:
      'AWS does not publish A10G peaks; these are the A10 datasheet figures (same GA102 chip and memory).',
    deviceClass: 'nvidia-ampere',
    recognition: {
      nodeLabels: ['NVIDIA-A10G'],
      labelPatterns: ['a10g'],
      adapterNames: ['NVIDIA A10G'],
      adapterPatterns: ['\\ba10g?\\b'],
    },
  },
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X 192GB',
    vendor: 'amd',
    memoryBytes: 192 * GiB,
    memoryBandwidth: 5300 * GB,
    tensorFlops: { fp16: 1307.4 * T, fp8: 2614.9 * T },
    vectorFp32Flops: 163.4 * T,
    gpusPerNode: 8,
    intraNode: INFINITY_FABRIC,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/amd-instinct-mi300x-data-sheet.pdf',
    ],
    deviceClass: 'amd-cdna3',
    recognition: {
      nodeLabels: ['AMD-Instinct-MI300X', 'mi300x'],
      labelPatterns: ['mi300x'],
      adapterNames: ['AMD Instinct MI300X'],
      adapterPatterns: ['mi300x'],
    },
  },
  {
    id: 'rtx-4090',
    name: 'NVIDIA GeForce RTX 4090 24GB',
    vendor: 'nvidia',
    memoryBytes: 24 * GiB,
    memoryBandwidth: 1008 * GB,
    tensorFlops: { fp16: 165.2 * T, fp8: 330.3 * T },
    vectorFp32Flops: 82.6 * T,
    gpusPerNode: 8,
    intraNode: PCIE4,
    interNodeBytesPerSecond: ETH_100G_PER_GPU,
    interNodeLatencySeconds: 10 * us,
    hostLinkBytesPerSecond: 32 * GB,
    sources: [
      'https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf (Appendix A: RTX 4090, FP16/FP8 tensor with FP32 accumulate)',
    ],
    notes: 'No NVLink: tensor parallel traffic crosses PCIe.',
    deviceClass: 'nvidia-ada',
    recognition: {
      nodeLabels: ['NVIDIA-GeForce-RTX-4090'],
      labelPatterns: ['4090'],
      adapterNames: ['NVIDIA GeForce RTX 4090'],
      adapterPatterns: ['rtx\\s*4090'],
    },
  },
];

export const HARDWARE_CATALOG: readonly CatalogHardwareSpec[] = entries.map((entry) =>
  CatalogHardwareSpec.parse(entry),
);

function hardwareIds(): string[] {
  return HARDWARE_CATALOG.map((h) => h.id);
}

const ALIASES: Record<string, string> = {
  h100: 'h100-sxm',
  'h100-80gb': 'h100-sxm',
  'h100-sxm5': 'h100-sxm',
  'h200-sxm': 'h200',
  a100: 'a100-80gb-sxm',
  'a100-80gb': 'a100-80gb-sxm',
  'a100-40gb': 'a100-40gb-sxm',
  '4090': 'rtx-4090',
};

export function findHardware(query: string): CatalogHardwareSpec | undefined {
  const q = query.trim().toLowerCase();
  const id = ALIASES[q] ?? q;
  return HARDWARE_CATALOG.find((h) => h.id === id || h.name.toLowerCase() === q);
}

export function getHardware(query: string): CatalogHardwareSpec {
  const found = findHardware(query);
  if (found) return found;
  throw new ServeTuneError(
    `Unknown hardware '${query}'.${didYouMean(query, hardwareIds())} Run 'servetune hardware' for the list.`,
    'unknown-hardware',
    query,
  );
}
