import type { CatalogHardwareSpec } from '../spec.js';
import { GB, GiB, IB_LATENCY, INFINITY_FABRIC, INFINITY_FABRIC_CDNA4, NDR_PER_GPU, T } from './links.js';

/** AMD Instinct: MI300X, MI325X (CDNA 3) and MI355X (CDNA 4). */
export const AMD_INSTINCT: CatalogHardwareSpec[] = [
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X 192GB',
    vendor: 'amd',
    memoryBytes: 192 * GiB,
    memoryBandwidth: 5300 * GB,
    tensorFlops: { fp16: 1307.4 * T, fp8: 2614.9 * T, fp4: null },
    vectorFp32Flops: 163.4 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: INFINITY_FABRIC,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/amd-instinct-mi300x-data-sheet.pdf',
    ],
    price: {
      usdPerGpuHour: 1.85,
      source: 'https://www.cliffcenter.com/research/amd-inference-economics',
      asOf: '2026-05-18',
      offer: 'Vultr MI300X on-demand',
    },
    power: {
      watts: 750,
      source:
        'https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/amd-instinct-mi300x-data-sheet.pdf (MI300X OAM: 750 W peak board power)',
    },
    deviceClass: 'amd-cdna3',
    recognition: {
      nodeLabels: ['AMD-Instinct-MI300X', 'mi300x'],
      labelPatterns: ['mi300x'],
      adapterNames: ['AMD Instinct MI300X'],
      adapterPatterns: ['mi300x'],
    },
  },
  {
    id: 'mi325x',
    name: 'AMD Instinct MI325X 256GB',
    vendor: 'amd',
    memoryBytes: 256 * GiB,
    memoryBandwidth: 6000 * GB,
    tensorFlops: { fp16: 1307.4 * T, fp8: 2614.9 * T, fp4: null },
    vectorFp32Flops: 163.4 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: INFINITY_FABRIC,
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html (256 GB HBM3E, 6 TB/s, MI300X compute; checked 2026-12)',
      'https://rocm.docs.amd.com/en/latest/reference/gpu-specs.html (MI325X: CDNA3, gfx942, 304 CUs, 256 GiB; checked 2026-12)',
    ],
    notes: 'The MI300X chip (same peaks and Infinity Fabric) with 256 GB HBM3E.',
    price: {
      usdPerGpuHour: 1.95,
      source: 'https://www.cliffcenter.com/research/amd-inference-economics',
      asOf: '2026-05-18',
      offer: 'TensorWave MI325X',
    },
    power: {
      watts: 1000,
      source:
        'https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html (MI325X: 1000 W peak board power)',
    },
    deviceClass: 'amd-cdna3',
    recognition: {
      nodeLabels: ['AMD-Instinct-MI325X', 'mi325x'],
      labelPatterns: ['mi325x'],
      adapterNames: ['AMD Instinct MI325X'],
      adapterPatterns: ['mi325x'],
    },
  },
  {
    id: 'mi355x',
    name: 'AMD Instinct MI355X 288GB',
    vendor: 'amd',
    memoryBytes: 288 * GiB,
    memoryBandwidth: 8000 * GB,
    // 256 CUs × 8192 fp8 FLOP/clock × 2.4 GHz; fp16 half, MXFP4/MXFP6 twice that.
    tensorFlops: { fp16: 2516.6 * T, fp8: 5033.2 * T, fp4: 10066.3 * T },
    vectorFp32Flops: 157.3 * T,
    gpusPerNode: 8,
    scaleUpDomain: 8,
    intraNode: INFINITY_FABRIC_CDNA4,
    // One 400 Gb/s NIC (AMD Pollara 400) per GPU.
    interNodeBytesPerSecond: NDR_PER_GPU,
    interNodeLatencySeconds: IB_LATENCY,
    hostLinkBytesPerSecond: 64 * GB,
    sources: [
      'https://www.amd.com/en/products/accelerators/instinct/mi350/mi355x.html (288 GB HBM3E, 8 TB/s, FP16 2.5 / FP8 5 / MXFP4 10 PFLOPS dense, 1400 W; checked 2026-12)',
      'https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/white-papers/amd-cdna-4-architecture-whitepaper.pdf (CDNA 4: 256 CUs, 8192 FP8 FLOP/clock per CU, 2.4 GHz; checked 2026-12)',
      'https://rocm.docs.amd.com/en/latest/reference/gpu-specs.html (MI355X: CDNA4, gfx950, 256 CUs, 288 GiB; checked 2026-12)',
    ],
    notes: 'CDNA 4: adds MXFP4/MXFP6 matrix cores; liquid-cooled 1400 W part of the MI350 series.',
    power: {
      watts: 1400,
      source: 'https://www.amd.com/en/products/accelerators/instinct/mi350/mi355x.html (MI355X: 1400 W)',
    },
    deviceClass: 'amd-cdna4',
    recognition: {
      nodeLabels: ['AMD-Instinct-MI355X', 'mi355x'],
      labelPatterns: ['mi355x'],
      adapterNames: ['AMD Instinct MI355X'],
      adapterPatterns: ['mi355x'],
    },
  },
];
