import { z } from 'zod';

const positive = z.number().positive();

const Interconnect = z.object({
  /** How GPUs in one node talk: NVLink (with its generation), AMD Infinity Fabric, or PCIe only. */
  kind: z.enum(['nvlink', 'infinity-fabric', 'pcie']),
  generation: z.string(),
  /** Bandwidth one GPU can send to its peers, in bytes/s per direction. */
  bytesPerSecondPerDirection: positive,
  /** One-way latency of a small transfer, in seconds. */
  latencySeconds: positive,
});

/** Which family of default efficiencies a GPU gets (perf/calibration.ts). */
export const DeviceClass = z.enum([
  'nvidia-hopper',
  'nvidia-blackwell',
  'nvidia-ampere',
  'nvidia-ada',
  /** GB20x (RTX 50 series, RTX PRO Blackwell): GDDR7 and PCIe, consumer-like kernels (sm_120). */
  'nvidia-blackwell-rtx',
  'amd-cdna3',
  'amd-cdna4',
]);
export type DeviceClass = z.infer<typeof DeviceClass>;

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}

/** A regular expression, as its source text; matched case-insensitively. */
const Pattern = z.string().min(1).refine(compiles, { message: 'is not a valid regular expression' });

/**
 * How a GPU is recognised where it is only named: in a cluster's node labels and the configuration files
 * that select nodes by them, and in the adapter name a driver reports. When several GPUs' patterns
 * match one text, the one matching the longest part of it wins (`H100 PCIe` over `H100`).
 */
export const GpuRecognition = z.object({
  /**
   * Values nodes with this GPU carry in a GPU product label (`nvidia.com/gpu.product` from GPU feature
   * discovery, `cloud.google.com/gke-accelerator`): `labelPatterns` must recognise each.
   */
  nodeLabels: z.array(z.string().min(1)).min(1),
  /** Recognise the GPU in node labels and in product names written in config files. */
  labelPatterns: z.array(Pattern).min(1),
  /**
   * Adapter names the driver reports for this GPU (the WebGPU adapter's description): `adapterPatterns`
   * must recognise each.
   */
  adapterNames: z.array(z.string().min(1)).min(1),
  /** Recognise the GPU from its adapter's description and device strings. */
  adapterPatterns: z.array(Pattern).min(1),
});
export type GpuRecognition = z.infer<typeof GpuRecognition>;

/**
 * An on-demand list price to rent one GPU for an hour, US dollars, with where and when it was read:
 * costs (search/cost.ts) start from it unless the user gives their own (`--price`, servetune.json).
 */
export const GpuPrice = z.object({
  usdPerGpuHour: positive,
  /** The page the price was read from. */
  source: z.string().url(),
  /** When the page listed it, YYYY-MM-DD. */
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Which offer it is (provider, tier), where the page lists several. */
  offer: z.string().min(1),
});
export type GpuPrice = z.infer<typeof GpuPrice>;

/** The most power one GPU (board or module) is specified to draw, watts, and the datasheet that says so. */
export const GpuPower = z.object({
  watts: positive,
  source: z.string().min(1),
});
export type GpuPower = z.infer<typeof GpuPower>;

export const HardwareSpec = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  vendor: z.enum(['nvidia', 'amd']),
  /** Device memory in bytes. */
  memoryBytes: positive,
  /** Peak memory bandwidth in bytes/s. */
  memoryBandwidth: positive,
  /**
   * Dense (no sparsity) tensor-core peaks in FLOP/s. fp8 and fp4 are null where the chip has no tensor
   * cores for them; fp4 is the block-scaled rate (NVFP4/MXFP4 on Blackwell, MXFP4 on CDNA 4).
   */
  tensorFlops: z.object({
    fp16: positive,
    fp8: positive.nullable(),
    // Optional in files written before it existed: read as no fp4 rate.
    fp4: positive.nullable().default(null),
  }),
  /** Non-tensor fp32 FLOP/s (FMA counted as two). */
  vectorFp32Flops: positive,
  gpusPerNode: z.number().int().positive(),
  /**
   * GPUs that reach one another over `intraNode` (the scale-up domain): the node on HGX and PCIe
   * servers, the whole rack on NVL72 (72 GPUs in 4-GPU trays joined by NVLink switches). A group that
   * fits in it talks over `intraNode`; a larger one crosses the network. Every catalog GPU has one;
   * elsewhere it defaults to `gpusPerNode` (see `scaleUpDomainOf`).
   */
  scaleUpDomain: z.number().int().positive().optional(),
  /** The scale-up interconnect: NVLink (through NVSwitch), Infinity Fabric, or PCIe between cards. */
  intraNode: Interconnect,
  /** Network between nodes, bytes/s per GPU per direction (InfiniBand NDR 400 Gb/s = 50e9). */
  interNodeBytesPerSecond: positive,
  interNodeLatencySeconds: positive,
  /** Host link (PCIe), bytes/s per direction: KV swap to CPU memory goes over it. */
  hostLinkBytesPerSecond: positive,
  sources: z.array(z.string()).min(1),
  notes: z.string().optional(),
  /**
   * Every catalog GPU has one. A device described elsewhere (a file, the profiler) may leave it out:
   * it is then classed as the catalog GPU its id names, else by vendor.
   */
  deviceClass: DeviceClass.optional(),
  /** Every catalog GPU has one; see GpuRecognition. */
  recognition: GpuRecognition.optional(),
  /** A public on-demand rental price, where one was found (`GpuPrice`). */
  price: GpuPrice.optional(),
  /** Thermal design power, where a datasheet gives one (`GpuPower`): energy estimates start from it. */
  power: GpuPower.optional(),
});
export type HardwareSpec = z.infer<typeof HardwareSpec>;

/** A catalog entry: a HardwareSpec whose device class, recognition and scale-up domain are given. */
export const CatalogHardwareSpec = HardwareSpec.required({
  deviceClass: true,
  recognition: true,
  scaleUpDomain: true,
});
export type CatalogHardwareSpec = z.infer<typeof CatalogHardwareSpec>;

/** How many GPUs share the scale-up interconnect: the spec's domain, else one node. */
export function scaleUpDomainOf(hardware: Pick<HardwareSpec, 'gpusPerNode' | 'scaleUpDomain'>): number {
  return hardware.scaleUpDomain ?? hardware.gpusPerNode;
}
