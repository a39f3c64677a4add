import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers.js';

/**
 * Owns the buffers a group of dispatches needs (parameter uniforms, scratch) so they can be released
 * together once the work that uses them is done.
 */
export class BufferArena {
  private readonly buffers: GPUBuffer[] = [];
  constructor(readonly device: GPUDevice) {}

  uniform(data: ArrayBufferView, label: string): GPUBuffer {
    return this.keep(createUniformBuffer(this.device, data, label));
  }

  storage(bytes: number, label: string): GPUBuffer {
    return this.keep(createStorageBuffer(this.device, bytes, label));
  }

  keep(buffer: GPUBuffer): GPUBuffer {
    this.buffers.push(buffer);
    return buffer;
  }

  destroy(): void {
    for (const buffer of this.buffers.splice(0)) buffer.destroy();
  }
}
