import type { CatalogHardwareSpec } from '../spec.js';
import { ETH_100G_PER_GPU, GB, GiB, HDR_PER_GPU, IB_LATENCY, NVLINK3, PCIE4, T, us } from './links.js';

/** NVIDIA Ampere: A100 (HGX) and A10G. */
export const NVIDIA_AMPERE: CatalogHardwareSpec[] = [
  {
    id: 'a100-40gb-sxm',
    name: 'NVIDIA A100 40GB SXM',
    vendor: 'nvidia',
    memoryBytes: 40 * GiB,
    memoryBandwidth: 1555 * GB,
    tensorFlops: { fp16: 312 * T, fp8: null, fp4: null },
    vectorFp32Flops: 19.5 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: NVLINK3,
    interNodeBytesPerSecond: HDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 32 * GB,
    sources: [
      'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf',
    ],
    power: {
      watts: 400,
      source:
        'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf (A100 SXM: max TDP 400 W)',
    },
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
    tensorFlops: { fp16: 312 * T, fp8: null, fp4: null },
    vectorFp32Flops: 19.5 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: NVLINK3,
    interNodeBytesPerSecond: HDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 32 * GB,
    sources: [
      'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf',
    ],
    price: {
      usdPerGpuHour: 1.39,
      source: 'https://deploybase.ai/articles/runpod-gpu-pricing',
      asOf: '2026-03-10',
      offer: 'RunPod A100 SXM 80GB, lowest listed hourly rate',
    },
    power: {
      watts: 400,
      source:
        'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf (A100 80GB SXM: max TDP 400 W)',
    },
    deviceClass: 'nvidia-ampere',
    recognition: {
      nodeLabels: ['NVIDIA-A100-SXM4-80GB', 'nvidia-a100-80gb'],
      labelPatterns: ['a100'],
      adapterNames: ['NVIDIA A100-SXM4-80GB'],
      adapterPatterns: ['a100'],
    },
  },
  {
    id: 'a10g',
    name: 'NVIDIA A10G 24GB',
    vendor: 'nvidia',
    memoryBytes: 24 * GiB,
    memoryBandwidth: 600 * GB,
    tensorFlops: { fp16: 125 * T, fp8: null, fp4: null },
    vectorFp32Flops: 31.2 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
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
];
