import { ServeTuneError } from '../util/errors.js';
import { fromF16Array, toF16Array } from './f16.js';
import type { ShaderDtype } from './types.js';

export function bytesPerElement(dtype: ShaderDtype): number {
  return dtype === 'f16' ? 2 : 4;
}

/**
 * `GPUBufferUsage` is a global only once the `webgpu` module has loaded; these are the spec's fixed
 * values, so that modules can be imported before any GPU is acquired.
 */
export const BufferUsage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
  QUERY_RESOLVE: 0x200,
} as const;

/** A storage buffer, rounded up to 16 bytes (vec4 access and binding alignment). */
export function createStorageBuffer(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  const maxBuffer = device.limits.maxBufferSize;
  if (size > maxBuffer) {
    throw new ServeTuneError(
      `${label}: ${size} bytes exceed the device's maxBufferSize ${maxBuffer}`,
      'gpu',
      label,
    );
  }
  return device.createBuffer({
    label,
    size,
    usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC,
  });
}

export function createUniformBuffer(device: GPUDevice, data: ArrayBufferView, label: string): GPUBuffer {
  const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
  const buffer = device.createBuffer({ label, size, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** Packs f32 values in the tensor's dtype. */
export function encodeTensor(values: Float32Array, dtype: ShaderDtype): Uint8Array {
  const typed = dtype === 'f16' ? toF16Array(values) : values;
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

export function uploadTensor(
  device: GPUDevice,
  values: Float32Array,
  dtype: ShaderDtype,
  label: string,
): GPUBuffer {
  const bytes = encodeTensor(values, dtype);
  const buffer = createStorageBuffer(device, bytes.byteLength, label);
  writeBytes(device, buffer, 0, bytes);
  return buffer;
}

export function writeBytes(
  device: GPUDevice,
  buffer: GPUBuffer,
  offset: number,
  bytes: ArrayBufferView,
): void {
  // writeBuffer wants a multiple of 4 bytes.
  const padded = bytes.byteLength % 4 === 0 ? bytes : padTo4(bytes);
  device.queue.writeBuffer(buffer, offset, padded.buffer, padded.byteOffset, padded.byteLength);
}

function padTo4(bytes: ArrayBufferView): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return out;
}

export function uploadU32(device: GPUDevice, values: ArrayLike<number>, label: string): GPUBuffer {
  const data = Uint32Array.from(values);
  const buffer = createStorageBuffer(device, data.byteLength, label);
  writeBytes(device, buffer, 0, data);
  return buffer;
}

export async function readBytes(
  device: GPUDevice,
  source: GPUBuffer,
  bytes: number,
  offset = 0,
): Promise<ArrayBuffer> {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = device.createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, offset, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1 /* GPUMapMode.READ */);
  // Copy out: the mapped range is detached on unmap.
  const copy = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return copy;
}

export async function readTensor(
  device: GPUDevice,
  source: GPUBuffer,
  elements: number,
  dtype: ShaderDtype,
  elementOffset = 0,
): Promise<Float32Array> {
  const size = bytesPerElement(dtype);
  const raw = await readBytes(device, source, elements * size, elementOffset * size);
  return dtype === 'f16' ? fromF16Array(new Uint16Array(raw)) : new Float32Array(raw);
}
