// Shared by the GPU test files: one device per file, and helpers to upload, run and compare.
import assert from 'node:assert/strict';
import { readTensor, uploadTensor } from '../../../src/engine/gpu/buffers.js';
import { acquireGpu, type GpuContext } from '../../../src/engine/gpu/device.js';
import { roundToF16 } from '../../../src/engine/gpu/f16.js';
import { type Dispatch, runDispatches } from '../../../src/engine/gpu/pipelines.js';
import type { ShaderDtype } from '../../../src/engine/gpu/types.js';
import { firstMismatch } from '../../../src/engine/kernels/reference.js';

/**
 * The GPU tests need an adapter: CI installs lavapipe (scripts/setup-system.sh). No adapter is a test
 * failure with the reason, never a skip.
 */
export async function requireGpu(): Promise<GpuContext> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  return acquireGpu();
}

export const TOLERANCE: Record<ShaderDtype, { atol: number; rtol: number }> = {
  f32: { atol: 1e-4, rtol: 1e-4 },
  // f16 storage: inputs are pre-rounded to f16 for the reference; the result itself is stored in f16
  // (11-bit mantissa), and sums accumulate in f32.
  f16: { atol: 4e-3, rtol: 4e-3 },
};

/** Values as the kernel will see them: rounded to f16 for f16 kernels. */
export function asDtype(values: Float32Array, dtype: ShaderDtype): Float32Array {
  return dtype === 'f16' ? roundToF16(values) : values;
}

export function upload(gpu: GpuContext, values: Float32Array, dtype: ShaderDtype): GPUBuffer {
  return uploadTensor(gpu.device, values, dtype, 'test tensor');
}

export async function run(gpu: GpuContext, dispatches: readonly Dispatch[]): Promise<void> {
  gpu.device.pushErrorScope('validation');
  await runDispatches(gpu.device, dispatches);
  const error = await gpu.device.popErrorScope();
  assert.equal(error, null, error?.message);
}

export async function read(gpu: GpuContext, buffer: GPUBuffer, elements: number, dtype: ShaderDtype) {
  return readTensor(gpu.device, buffer, elements, dtype);
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  dtype: ShaderDtype,
  what: string,
  scale = 1,
): void {
  const { atol, rtol } = TOLERANCE[dtype];
  const mismatch = firstMismatch(actual, expected, atol * scale, rtol);
  assert.equal(
    mismatch,
    null,
    mismatch
      ? `${what} (${dtype}): element ${mismatch.index} is ${mismatch.actual}, expected ${mismatch.expected}`
      : '',
  );
}
