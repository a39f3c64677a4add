import { Buffer } from 'node:buffer';
import { createStorageBuffer, createUniformBuffer, writeBytes } from '../gpu/buffers.js';
import { createBindGroup } from '../gpu/pipelines.js';
import { BufferArena } from './arena.js';

/** Buffers kept between steps, the least recently used given back beyond this count. */
const MAX_KEPT_BUFFERS = 2048;

/**
 * An arena that lives as long as an engine and reuses what its steps ask for: a parameter uniform with
 * the same contents, the same scratch buffer (by label, size and its order within the step), and the
 * bind group of the same pipeline over the same buffers. Made anew every step, these are dozens of
 * native objects per step whose wrappers the garbage collector finalizes in bulk: a 40–130 ms stall
 * every few hundred steps of 2–3 ms. `beginStep` must be called between steps, once the previous
 * step's GPU work is done, because that is where buffers beyond the limit are destroyed.
 */
export class StepArena extends BufferArena {
  /** Key → buffer, in least-recently-used order (a Map keeps insertion order). */
  private readonly kept = new Map<string, GPUBuffer>();
  private readonly groups = new Map<string, GPUBindGroup>();
  /** The bind groups each kept buffer is part of, dropped with it. */
  private readonly groupsOf = new Map<GPUBuffer, string[]>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly ordinals = new Map<string, number>();
  /** This step's tables per slot: identical ones (every layer's) share a buffer. */
  private readonly stepTables = new Map<string, { bytes: Uint8Array; buffer: GPUBuffer }[]>();

  constructor(
    device: GPUDevice,
    private readonly maxKept = MAX_KEPT_BUFFERS,
  ) {
    super(device);
  }

  beginStep(): void {
    this.ordinals.clear();
    this.stepTables.clear();
    // A few at a time, as they overflow: giving back hundreds at once would hand the collector the
    // same bulk of wrappers to finalize that the arena exists to avoid.
    for (const [key, buffer] of this.kept) {
      if (this.kept.size <= this.maxKept) break;
      this.kept.delete(key);
      for (const group of this.groupsOf.get(buffer) ?? []) this.groups.delete(group);
      this.groupsOf.delete(buffer);
      buffer.destroy();
    }
  }

  override uniform(data: ArrayBufferView, label: string): GPUBuffer {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    return this.reuse(`u|${label}|${bytes}`, () => createUniformBuffer(this.device, data, label));
  }

  /**
   * A table that changes every step (a decode's contexts grow by one) gets a slot like a scratch buffer
   * and is rewritten, never keyed by its contents: keyed, each step made a new buffer, and the kept keys
   * (kilobytes of table text each) filled the old generation, which the collector then swept in a
   * 50–180 ms pause every couple of seconds while serving.
   */
  override table(data: ArrayBufferView, label: string): GPUBuffer {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const slot = `t|${label}|${bytes.byteLength}`;
    let used = this.stepTables.get(slot);
    if (!used) {
      used = [];
      this.stepTables.set(slot, used);
    }
    for (const table of used) if (sameBytes(table.bytes, bytes)) return table.buffer;
    const buffer = this.reuse(`${slot}|${used.length}`, () => createUniformBuffer(this.device, data, label));
    writeBytes(this.device, buffer, 0, data);
    used.push({ bytes: bytes.slice(), buffer });
    return buffer;
  }

  override storage(bytes: number, label: string): GPUBuffer {
    const slot = `s|${label}|${bytes}`;
    const ordinal = this.ordinals.get(slot) ?? 0;
    this.ordinals.set(slot, ordinal + 1);
    return this.reuse(`${slot}|${ordinal}`, () => createStorageBuffer(this.device, bytes, label));
  }

  override uploadU32(values: ArrayLike<number>, label: string): GPUBuffer {
    const data = Uint32Array.from(values);
    const buffer = this.storage(data.byteLength, label);
    writeBytes(this.device, buffer, 0, data);
    return buffer;
  }

  override bindGroup(
    label: string,
    pipeline: GPUComputePipeline,
    buffers: readonly GPUBuffer[],
  ): GPUBindGroup {
    const key = `${this.id(pipeline)}:${buffers.map((b) => this.id(b)).join(',')}`;
    let group = this.groups.get(key);
    if (!group) {
      group = createBindGroup(this.device, label, pipeline, buffers);
      this.groups.set(key, group);
      for (const buffer of buffers) {
        const keys = this.groupsOf.get(buffer);
        if (!keys) continue;
        keys.push(key);
        // Groups given back with another of their buffers leave stale keys here; drop them now and then.
        if (keys.length > 64)
          this.groupsOf.set(
            buffer,
            keys.filter((k) => this.groups.has(k)),
          );
      }
    }
    return group;
  }

  /** Gives back every kept buffer (the engine's own end). */
  override destroy(): void {
    for (const buffer of this.kept.values()) buffer.destroy();
    this.kept.clear();
    this.groups.clear();
    this.groupsOf.clear();
    super.destroy();
  }

  private reuse(key: string, create: () => GPUBuffer): GPUBuffer {
    let buffer = this.kept.get(key);
    if (buffer) this.kept.delete(key);
    else {
      buffer = create();
      this.groupsOf.set(buffer, []);
    }
    this.kept.set(key, buffer);
    return buffer;
  }

  private id(object: object): number {
    let id = this.ids.get(object);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(object, id);
    }
    return id;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
