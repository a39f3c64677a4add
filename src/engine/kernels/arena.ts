import { createStorageBuffer, createUniformBuffer, uploadU32 } from '../gpu/buffers.js';
import { type BindGroupSource, createBindGroup } from '../gpu/pipelines.js';

/**
 * Owns the buffers a group of dispatches needs (parameter uniforms, scratch) so they can be released
 * together once the work that uses them is done.
 */
export class BufferArena implements BindGroupSource {
  private readonly buffers: GPUBuffer[] = [];
  constructor(readonly device: GPUDevice) {}

  uniform(data: ArrayBufferView, label: string): GPUBuffer {
    return this.keep(createUniformBuffer(this.device, data, label));
  }

  /** A uniform whose contents change from step to step (per-sequence tables); here, the same as `uniform`. */
  table(data: ArrayBufferView, label: string): GPUBuffer {
    return this.uniform(data, label);
  }

  storage(bytes: number, label: string): GPUBuffer {
    return this.keep(createStorageBuffer(this.device, bytes, label));
  }

  /** A storage buffer holding `values` as u32. */
  uploadU32(values: ArrayLike<number>, label: string): GPUBuffer {
    return this.keep(uploadU32(this.device, values, label));
  }

  bindGroup(label: string, pipeline: GPUComputePipeline, buffers: readonly GPUBuffer[]): GPUBindGroup {
    return createBindGroup(this.device, label, pipeline, buffers);
  }

  keep(buffer: GPUBuffer): GPUBuffer {
    this.buffers.push(buffer);
    return buffer;
  }

  destroy(): void {
    for (const buffer of this.buffers.splice(0)) buffer.destroy();
  }
}
