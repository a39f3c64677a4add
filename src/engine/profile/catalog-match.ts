import { HARDWARE_CATALOG } from '../hardware/catalog.js';
import type { HardwareSpec } from '../hardware/spec.js';

/**
 * Which hardware catalog entry an adapter is, from the description and device strings the driver
 * reports (e.g. "NVIDIA H100 80GB HBM3", "AMD Instinct MI300X"). Software adapters match nothing.
 * The more specific patterns come first (H100 PCIe before H100).
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/h100.*pcie/, 'h100-pcie'],
  [/h100/, 'h100-sxm'],
  [/h200/, 'h200'],
  [/b200/, 'b200'],
  [/a100.*40\s*gb/, 'a100-40gb-sxm'],
  [/a100/, 'a100-80gb-sxm'],
  [/l40s/, 'l40s'],
  [/\bl4\b/, 'l4'],
  [/\ba10g?\b/, 'a10g'],
  [/mi300x/, 'mi300x'],
  [/rtx\s*4090/, 'rtx-4090'],
];

export function matchCatalogHardware(adapter: {
  description: string;
  device: string;
  vendor: string;
}): HardwareSpec | null {
  const text = `${adapter.description} ${adapter.device}`.toLowerCase();
  for (const [pattern, id] of PATTERNS) {
    if (pattern.test(text)) return HARDWARE_CATALOG.find((h) => h.id === id) ?? null;
  }
  return null;
}
