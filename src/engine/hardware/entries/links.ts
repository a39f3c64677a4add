/** Units and the links catalog entries share. */

export const GiB = 1024 ** 3;
export const GB = 1e9;
export const T = 1e12;
export const us = 1e-6;

// Scale-up interconnects, bytes/s per GPU per direction (datasheets quote both directions added).
export const NVLINK3 = {
  kind: 'nvlink',
  generation: 'NVLink 3',
  bytesPerSecondPerDirection: 300 * GB,
  latencySeconds: 3 * us,
} as const;
export const NVLINK4 = {
  kind: 'nvlink',
  generation: 'NVLink 4',
  bytesPerSecondPerDirection: 450 * GB,
  latencySeconds: 3 * us,
} as const;
/** H800: NVLink 4 cut to 8 links, 400 GB/s both directions added. */
export const NVLINK4_8_LINKS = {
  kind: 'nvlink',
  generation: 'NVLink 4 (8 links)',
  bytesPerSecondPerDirection: 200 * GB,
  latencySeconds: 3 * us,
} as const;
export const NVLINK5 = {
  kind: 'nvlink',
  generation: 'NVLink 5',
  bytesPerSecondPerDirection: 900 * GB,
  latencySeconds: 3 * us,
} as const;
export const PCIE4 = {
  kind: 'pcie',
  generation: 'PCIe 4.0 x16',
  bytesPerSecondPerDirection: 32 * GB,
  latencySeconds: 10 * us,
} as const;
export const PCIE5 = {
  kind: 'pcie',
  generation: 'PCIe 5.0 x16',
  bytesPerSecondPerDirection: 64 * GB,
  latencySeconds: 10 * us,
} as const;
/** CDNA 3 (MI300X, MI325X): 7 links of 128 GB/s both directions added. */
export const INFINITY_FABRIC = {
  kind: 'infinity-fabric',
  generation: 'Infinity Fabric (7 links × 64 GB/s)',
  bytesPerSecondPerDirection: 448 * GB,
  latencySeconds: 4 * us,
} as const;
/** CDNA 4 (MI355X): 7 links of 153.6 GB/s both directions added. */
export const INFINITY_FABRIC_CDNA4 = {
  kind: 'infinity-fabric',
  generation: 'Infinity Fabric (7 links × 76.8 GB/s)',
  // unconfirmed: 153.6 GB/s a link is AMD's MI355X figure as third parties quote it; not read on an AMD page.
  bytesPerSecondPerDirection: 537.6 * GB,
  latencySeconds: 4 * us,
} as const;

// Network between nodes (or NVL72 racks), bytes/s per GPU per direction.
/** One 400 Gb/s NIC per GPU (NDR InfiniBand, 400G RoCE, ConnectX-7, AMD Pollara 400). */
export const NDR_PER_GPU = 50 * GB;
/** One 800 Gb/s ConnectX-8 per GPU (HGX B300, GB300 NVL72). */
export const XDR_PER_GPU = 100 * GB;
export const HDR_PER_GPU = 25 * GB;
/** 100 Gb/s per GPU, as PCIe cloud nodes have. */
export const ETH_100G_PER_GPU = 12.5 * GB;
export const IB_LATENCY = 5 * us;
