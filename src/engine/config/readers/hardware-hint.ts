/** GPU product names as clusters label them, to hardware catalog ids. Most specific first. */
const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/h100.*pcie|pcie.*h100/i, 'h100-pcie'],
  [/h100|h800/i, 'h100-sxm'],
  [/h200|gh200/i, 'h200'],
  [/b200|gb200/i, 'b200'],
  [/a100.*40|a100-sxm4-40/i, 'a100-40gb-sxm'],
  [/a100/i, 'a100-80gb-sxm'],
  [/l40s/i, 'l40s'],
  [/(^|[^a-z0-9])l4($|[^0-9a-z])|nvidia-l4/i, 'l4'],
  [/a10g/i, 'a10g'],
  [/mi300x/i, 'mi300x'],
  [/4090/i, 'rtx-4090'],
];

/** The catalog id a label value names (`NVIDIA-H100-80GB-HBM3`, `nvidia-l4`), if any. */
export function hardwareFromLabel(text: string): string | null {
  for (const [pattern, id] of PATTERNS) if (pattern.test(text)) return id;
  return null;
}

/** Label keys that name a node's GPU product. */
export const GPU_LABEL_KEYS = [
  'nvidia.com/gpu.product',
  'cloud.google.com/gke-accelerator',
  'node.kubernetes.io/instance-type',
  'accelerator',
  'gpu-type',
];
