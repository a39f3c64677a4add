/** The systems (GPU + node) of the measured database whose op tables ship with ServeTune. */
export const SHIPPED_SYSTEMS = [
  'a100_sxm',
  'h100_sxm',
  'h200_sxm',
  'b200_sxm',
  'b300_sxm',
  'gb200',
  'gb300',
  'l40s',
  'rtx_pro_6000_server',
] as const;

/** The serving engines the database measured; `nccl` (the collectives) ships beside each. */
export const ENGINE_BACKENDS = ['vllm', 'sglang', 'trtllm'] as const;
export type EngineBackend = (typeof ENGINE_BACKENDS)[number];

export function isEngineBackend(name: string): name is EngineBackend {
  return (ENGINE_BACKENDS as readonly string[]).includes(name);
}

interface SystemMapping {
  /** The database's system name (its `<system>.yaml` and `data/<system>/`). */
  system: string;
  /** Why the measurements only approximate this GPU, where they do. */
  approximation?: string;
}

/**
 * Hardware catalog ids → the database system measured on that GPU. GPUs the database never measured
 * (h100-pcie, l4, a10g, mi300x, rtx-4090) are absent: their step times come from the roofline alone.
 */
const SYSTEM_OF_HARDWARE: Readonly<Record<string, SystemMapping>> = {
  'a100-80gb-sxm': { system: 'a100_sxm' },
  'a100-40gb-sxm': {
    system: 'a100_sxm',
    approximation: 'a100_sxm was measured on the 80 GB part (2.0 TB/s); the 40 GB part has 1.6 TB/s',
  },
  'h100-sxm': { system: 'h100_sxm' },
  h200: { system: 'h200_sxm' },
  b200: { system: 'b200_sxm' },
  b300: { system: 'b300_sxm' },
  gb200: { system: 'gb200' },
  gb300: { system: 'gb300' },
  l40s: { system: 'l40s' },
  'rtx-pro-6000': { system: 'rtx_pro_6000_server' },
};

/** The hardware catalog ids whose GPU a system measured (the exact part first). */
export function hardwareIdsMeasuredBy(system: string): string[] {
  return Object.entries(SYSTEM_OF_HARDWARE)
    .filter(([, mapping]) => mapping.system === system)
    .sort(([, a], [, b]) => Number(a.approximation !== undefined) - Number(b.approximation !== undefined))
    .map(([id]) => id);
}

/** The measured system for a hardware catalog id, or undefined where none was measured. */
export function perfDbSystemFor(hardwareId: string): SystemMapping | undefined {
  return SYSTEM_OF_HARDWARE[hardwareId];
}
