import { ServeTuneError } from '../util/errors.js';
import { didYouMean } from '../util/nearest.js';
import { AMD_INSTINCT } from './entries/amd-instinct.js';
import { NVIDIA_ADA } from './entries/nvidia-ada.js';
import { NVIDIA_AMPERE } from './entries/nvidia-ampere.js';
import { NVIDIA_BLACKWELL } from './entries/nvidia-blackwell.js';
import { NVIDIA_HOPPER } from './entries/nvidia-hopper.js';
import { CatalogHardwareSpec } from './spec.js';

/**
 * Datasheet numbers, dense (sparsity-doubled figures halved). Memory sizes are the marketed capacity read
 * as GiB, which is how HBM and GDDR capacities are built (80 GB HBM3 = 5 stacks × 16 GiB). A value no
 * vendor page confirmed carries an `unconfirmed:` comment on its entry.
 */
const entries: CatalogHardwareSpec[] = [
  ...NVIDIA_AMPERE,
  ...NVIDIA_HOPPER,
  ...NVIDIA_BLACKWELL,
  ...NVIDIA_ADA,
  ...AMD_INSTINCT,
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
  '5090': 'rtx-5090',
  'h800-sxm': 'h800',
  'hgx-b300': 'b300',
  'gb200-nvl72': 'gb200',
  'gb300-nvl72': 'gb300',
  'rtx-pro-6000-server': 'rtx-pro-6000',
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
