import { InvalidArgumentError, Option } from 'commander';
import { KvDtype, WeightDtype } from '../engine/dtypes.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'.`);
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number (0 or more), got '${value}'.`);
  }
  return n;
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number in (0, 1], got '${value}'.`);
  }
  return n;
}

export const weightDtypeOption = () =>
  new Option('--weight-dtype <dtype>', 'weight format').choices(WeightDtype.options).default('bf16');
export const kvDtypeOption = () =>
  new Option('--kv-dtype <dtype>', 'KV cache format').choices(KvDtype.options).default('bf16');

/** The engine memory knobs shared by `memory` and `plans`, with vLLM's flag names. */
export const memorySettingOptions = () => [
  new Option('--gpu-memory-utilization <fraction>', 'share of GPU memory the engine may use')
    .argParser(fraction)
    .default(0.9),
  new Option('--block-size <tokens>', 'KV cache block size').argParser(positiveInt).default(16),
  new Option('--max-num-batched-tokens <tokens>', 'tokens in the largest step')
    .argParser(positiveInt)
    .default(8192),
  new Option('--max-num-seqs <n>', 'sequences in the largest step').argParser(positiveInt).default(256),
  new Option(
    '--max-model-len <tokens>',
    "context length to count concurrent sequences at (default: the model's)",
  ).argParser(positiveInt),
];

export interface MemorySettingFlags {
  gpuMemoryUtilization: number;
  blockSize: number;
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
  maxModelLen?: number;
}

export function memorySettingsFrom(flags: MemorySettingFlags) {
  return {
    gpuMemoryUtilization: flags.gpuMemoryUtilization,
    blockSize: flags.blockSize,
    maxNumBatchedTokens: flags.maxNumBatchedTokens,
    maxNumSeqs: flags.maxNumSeqs,
    contextLength: flags.maxModelLen,
  };
}
