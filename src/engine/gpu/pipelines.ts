import { ServeTuneError } from '../util/errors.js';
import type { ShaderDtype } from './types.js';

/**
 * Compile-time values a kernel is specialized with. WGSL `override` constants cannot size private
 * arrays, so the specialization is a header of `const` declarations prepended to the shader text;
 * the shader uses the names without declaring them.
 */
interface ShaderSpecialization {
  /** Element type of the tensors (`T`, `T4` in the shader). */
  dtype?: ShaderDtype;
  /** Unsigned integer constants: tile sizes, head dimension… */
  constants?: Record<string, number>;
  /** Emit `enable subgroups;` and `const USE_SUBGROUPS = true`. */
  subgroups?: boolean;
}

function specializeShader(source: string, spec: ShaderSpecialization): string {
  const lines: string[] = [];
  const dtype = spec.dtype ?? 'f32';
  if (dtype === 'f16') lines.push('enable f16;');
  if (spec.subgroups) lines.push('enable subgroups;');
  lines.push(`alias T = ${dtype};`, `alias T4 = vec4<${dtype}>;`);
  for (const [name, value] of Object.entries(spec.constants ?? {})) {
    if (!Number.isInteger(value) || value < 0) {
      throw new ServeTuneError(`shader constant ${name} must be a non-negative integer, got ${value}`, 'gpu');
    }
    lines.push(`const ${name}: u32 = ${value}u;`);
  }
  return `${lines.join('\n')}\n${source}`;
}

/**
 * Per device, per shader source (the same string object every call, so its hash is computed once), per
 * specialization key. Looked up for every dispatch of every engine step: building the specialized text
 * to look it up allocated tens of kilobytes per step.
 */
const pipelineCache = new WeakMap<GPUDevice, Map<string, Map<string, GPUComputePipeline>>>();

function specializationKey(spec: ShaderSpecialization, entryPoint: string): string {
  let key = `${entryPoint}|${spec.dtype ?? 'f32'}|${spec.subgroups ? 1 : 0}`;
  for (const name in spec.constants) key += `|${name}=${spec.constants[name]}`;
  return key;
}

/** One compute pipeline per (shader, specialization, entry point) per device. */
export function computePipeline(
  device: GPUDevice,
  label: string,
  source: string,
  spec: ShaderSpecialization,
  entryPoint = 'main',
): GPUComputePipeline {
  let bySource = pipelineCache.get(device);
  if (!bySource) {
    bySource = new Map();
    pipelineCache.set(device, bySource);
  }
  let bySpecialization = bySource.get(source);
  if (!bySpecialization) {
    bySpecialization = new Map();
    bySource.set(source, bySpecialization);
  }
  const key = specializationKey(spec, entryPoint);
  let pipeline = bySpecialization.get(key);
  if (!pipeline) {
    const code = specializeShader(source, spec);
    const module = device.createShaderModule({ label, code });
    pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint } });
    bySpecialization.set(key, pipeline);
  }
  return pipeline;
}

/** One dispatch ready to encode: the pipeline, its bindings and the grid. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
}

/** Where a dispatch gets its bind group: made anew each time, or reused (see `StepArena`). */
export interface BindGroupSource {
  readonly device: GPUDevice;
  bindGroup(label: string, pipeline: GPUComputePipeline, buffers: readonly GPUBuffer[]): GPUBindGroup;
}

/** Binds `buffers` to bindings 0, 1, 2… of group 0, in order. */
export function createBindGroup(
  device: GPUDevice,
  label: string,
  pipeline: GPUComputePipeline,
  buffers: readonly GPUBuffer[],
): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/** One dispatch of `pipeline` over `buffers` (bindings 0, 1, 2… of group 0, in order). */
export function makeDispatch(
  source: BindGroupSource,
  label: string,
  pipeline: GPUComputePipeline,
  buffers: readonly GPUBuffer[],
  workgroups: readonly [number, number, number],
): Dispatch {
  const bindGroup = source.bindGroup(label, pipeline, buffers);
  const device = source.device;
  const limit = device.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups.some((count) => count > limit)) {
    throw new ServeTuneError(
      `${label}: grid ${workgroups.join('×')} exceeds ${limit} workgroups per dimension`,
      'gpu',
    );
  }
  return { label, pipeline, bindGroup, workgroups };
}

export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[]): void {
  for (const dispatch of dispatches) {
    const [x, y, z] = dispatch.workgroups;
    if (x === 0 || y === 0 || z === 0) continue;
    pass.setPipeline(dispatch.pipeline);
    pass.setBindGroup(0, dispatch.bindGroup);
    pass.dispatchWorkgroups(x, y, z);
  }
}

/** Runs `dispatches` once in one pass and waits for the queue. */
export async function runDispatches(device: GPUDevice, dispatches: readonly Dispatch[]): Promise<void> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encodeDispatches(pass, dispatches);
  pass.end();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}

/** Splits a 1-D count of workgroups over x and y to respect the per-dimension limit. */
export function grid1d(device: GPUDevice, workgroups: number): [number, number, number] {
  const limit = device.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups <= limit) return [Math.max(workgroups, 0), 1, 1];
  const y = Math.ceil(workgroups / limit);
  return [Math.ceil(workgroups / y), y, 1];
}

/** Packs a uniform struct of u32 and f32 fields (in declaration order, 4 bytes each). */
export function packParams(fields: readonly (readonly [kind: 'u32' | 'f32', value: number])[]): Uint8Array {
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  fields.forEach(([kind, value], i) => {
    if (kind === 'u32') view.setUint32(i * 4, value, true);
    else view.setFloat32(i * 4, value, true);
  });
  return new Uint8Array(bytes);
}
