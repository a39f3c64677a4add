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

export const HardwareSpec = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  vendor: z.enum(['nvidia', 'amd']),
  /** Device memory in bytes. */
  memoryBytes: positive,
  /** Peak memory bandwidth in bytes/s. */
  memoryBandwidth: positive,
  /** Dense (no sparsity) tensor-core peaks in FLOP/s; fp8 is null where the chip has no fp8 tensor cores. */
  tensorFlops: z.object({ fp16: positive, fp8: positive.nullable() }),
  /** Non-tensor fp32 FLOP/s (FMA counted as two). */
  vectorFp32Flops: positive,
  gpusPerNode: z.number().int().positive(),
  intraNode: Interconnect,
  /** Network between nodes, bytes/s per GPU per direction (InfiniBand NDR 400 Gb/s = 50e9). */
  interNodeBytesPerSecond: positive,
  interNodeLatencySeconds: positive,
  /** Host link (PCIe), bytes/s per direction: KV swap to CPU memory goes over it. */
  hostLinkBytesPerSecond: positive,
  sources: z.array(z.string()).min(1),
  notes: z.string().optional(),
});
export type HardwareSpec = z.infer<typeof HardwareSpec>;
