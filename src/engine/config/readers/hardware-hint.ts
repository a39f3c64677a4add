import { recogniseGpu } from '../../hardware/recognise.js';

/**
 * The catalog id a label value or product name names (`NVIDIA-H100-80GB-HBM3`, `nvidia-l4`), if any:
 * each catalog GPU's `recognition.labelPatterns`.
 */
export function hardwareFromLabel(text: string): string | null {
  return recogniseGpu(text, 'label')?.id ?? null;
}

/** Label keys that name a node's GPU product. */
export const GPU_LABEL_KEYS = [
  'nvidia.com/gpu.product',
  'cloud.google.com/gke-accelerator',
  'node.kubernetes.io/instance-type',
  'accelerator',
  'gpu-type',
];
