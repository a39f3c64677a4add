import { HARDWARE_CATALOG } from './catalog.js';
import type { CatalogHardwareSpec } from './spec.js';

/** Where a GPU's name was read: a node label or config file, or a driver's adapter name. */
export type GpuNameSource = 'label' | 'adapter';

const PATTERN_FIELD: Record<GpuNameSource, 'labelPatterns' | 'adapterPatterns'> = {
  label: 'labelPatterns',
  adapter: 'adapterPatterns',
};

interface CompiledPattern {
  hardware: CatalogHardwareSpec;
  pattern: RegExp;
}

function compile(source: GpuNameSource): CompiledPattern[] {
  return HARDWARE_CATALOG.flatMap((hardware) =>
    hardware.recognition[PATTERN_FIELD[source]].map((text) => ({ hardware, pattern: new RegExp(text, 'i') })),
  );
}

const COMPILED: Record<GpuNameSource, CompiledPattern[]> = {
  label: compile('label'),
  adapter: compile('adapter'),
};

export interface GpuMatch {
  hardware: CatalogHardwareSpec;
  /** The longest text one of its patterns matched. */
  matched: string;
}

/**
 * Every catalog GPU one of whose patterns matches `text`, the longest match first (the most specific:
 * `H100-PCIe` before `H100`); equal lengths keep catalog order.
 */
export function gpuMatches(text: string, source: GpuNameSource): GpuMatch[] {
  const best = new Map<CatalogHardwareSpec, string>();
  for (const { hardware, pattern } of COMPILED[source]) {
    const matched = pattern.exec(text)?.[0];
    if (matched !== undefined && matched.length > (best.get(hardware)?.length ?? -1))
      best.set(hardware, matched);
  }
  return [...best]
    .map(([hardware, matched]) => ({ hardware, matched }))
    .sort((a, b) => b.matched.length - a.matched.length);
}

/** The catalog GPU a label value, product name or adapter name names, if any. */
export function recogniseGpu(text: string, source: GpuNameSource): CatalogHardwareSpec | null {
  return gpuMatches(text, source)[0]?.hardware ?? null;
}
