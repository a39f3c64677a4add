import { recogniseGpu } from '../hardware/recognise.js';
import type { HardwareSpec } from '../hardware/spec.js';

/**
 * Which hardware catalog entry an adapter is, from the description and device strings the driver
 * reports (e.g. "NVIDIA H100 80GB HBM3", "AMD Instinct MI300X"): each catalog GPU's
 * `recognition.adapterPatterns`. Software adapters match nothing.
 */
export function matchCatalogHardware(adapter: {
  description: string;
  device: string;
  vendor: string;
}): HardwareSpec | null {
  return recogniseGpu(`${adapter.description} ${adapter.device}`, 'adapter');
}
