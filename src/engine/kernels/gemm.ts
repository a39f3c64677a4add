import gemmNaiveSource from '../../../shaders/gemm_naive.wgsl';
import gemmTiledSource from '../../../shaders/gemm_tiled.wgsl';
import gemvSource from '../../../shaders/gemv.wgsl';
import { bytesPerElement } from '../gpu/buffers.js';
import { cpuLaneWidth, type GpuContext } from '../gpu/device.js';
import { computePipeline, type Dispatch, makeDispatch, packParams } from '../gpu/pipelines.js';
import type { ShaderDtype } from '../gpu/types.js';
import { ServeTuneError } from '../util/errors.js';
import type { BufferArena } from './arena.js';
import {
  type BroadcastGemmConfig,
  broadcastGemmSource,
  broadcastWordColumns,
  checkBroadcastConfig,
  packsF16,
} from './gemm-broadcast.js';

export type { BroadcastGemmConfig } from './gemm-broadcast.js';

/** C[m,n] = A[m,k] · B[k,n], row-major; B is the weight, stored input-major ([k, n]). */
interface GemmArgs {
  dtype: ShaderDtype;
  m: number;
  n: number;
  k: number;
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
}

export type GemmKernel = 'tiled' | 'naive' | 'gemv';

interface TiledConfig {
  wgX: number;
  wgY: number;
  /** Rows per invocation. */
  tm: number;
  /** vec4 columns per invocation. */
  tn4: number;
  bk: number;
}

/**
 * Register tile 8 × 16 on 8 × 8 invocations: a 64 × 128 tile of C per workgroup, K in steps of 32
 * (24 KiB of f32 tiles). The fastest of the configurations tried on lavapipe (bench/results).
 */
export const DEFAULT_TILED: TiledConfig = { wgX: 8, wgY: 8, tm: 8, tn4: 4, bk: 32 };
/** Within WebGPU's default 16 KiB of workgroup storage, for devices that offer no more. */
const SMALL_TILED: TiledConfig = { wgX: 8, wgY: 8, tm: 8, tn4: 2, bk: 16 };

function tiledWorkgroupBytes(config: TiledConfig, dtype: ShaderDtype): number {
  const bm = config.wgY * config.tm;
  const bn = config.wgX * config.tn4 * 4;
  return (bm * config.bk + config.bk * bn) * bytesPerElement(dtype);
}

function workgroupTiledConfigFor(gpu: GpuContext, dtype: ShaderDtype): TiledConfig {
  const limit = gpu.device.limits.maxComputeWorkgroupStorageSize;
  return tiledWorkgroupBytes(DEFAULT_TILED, dtype) <= limit ? DEFAULT_TILED : SMALL_TILED;
}

/** Whether the register-broadcast kernels (gemm-broadcast.ts) replace the workgroup-memory GEMM and the GEMV. */
export function usesBroadcastGemm(gpu: GpuContext): boolean {
  return cpuLaneWidth(gpu) > 0;
}

function smallestPowerOfTwoAtLeast(value: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, value)));
}

/**
 * Rows per workgroup of the broadcast kernel, measured on llvmpipe (8 lanes): 32 rows for f32 GEMM and
 * 16 for packed f16 (the same 128 accumulators per invocation; more spill, and compile for tens of
 * seconds); a decode batch takes its row count rounded up to a power of two (a divisor or a multiple
 * of the subgroup size, as the kernel needs, for power-of-two subgroups). Packed f16 skips the block of
 * exactly one subgroup of rows: that kernel ran at 0.13 of copy bandwidth for 5 to 8 rows against
 * 0.21 for the 16-row one, which reads the weight as often (bench/results/kernels-lavapipe.md).
 */
function broadcastGemmConfig(gpu: GpuContext, dtype: ShaderDtype, m: number, n: number): BroadcastGemmConfig {
  const subgroup = gpu.info.subgroupMinSize;
  const packed = packsF16(dtype, n);
  const gemmRows = Math.max(subgroup, packed ? 16 : 32);
  const fitted = Math.min(gemmRows, smallestPowerOfTwoAtLeast(m));
  const rows = packed && fitted === subgroup ? Math.min(gemmRows, 2 * subgroup) : fitted;
  // Decode batches use narrower workgroups: more of them over a weight's columns.
  return { rows, words: 1, wg: rows <= GEMV_MAX_ROWS ? 2 * subgroup : 8 * subgroup, subgroup };
}

function isBroadcastConfig(
  config: TiledConfig | BroadcastGemmConfig | GemvConfig,
): config is BroadcastGemmConfig {
  return 'rows' in config && 'words' in config;
}

/** The tuned GEMM's configuration on this device: broadcast on CPU adapters, workgroup-tiled elsewhere. */
export function tunedGemmConfig(
  gpu: GpuContext,
  args: Pick<GemmArgs, 'dtype' | 'm' | 'n'>,
): TiledConfig | BroadcastGemmConfig {
  return usesBroadcastGemm(gpu)
    ? broadcastGemmConfig(gpu, args.dtype, args.m, args.n)
    : workgroupTiledConfigFor(gpu, args.dtype);
}

interface GemvConfig {
  /** vec4 columns per workgroup and K slices; their product is the workgroup size. */
  cx: number;
  ks: number;
  /** Activation rows per workgroup: W is streamed once per this many rows. */
  rows: number;
}

/** Decode-shaped linears up to this many rows go to the skinny kernel; more go to the tiled GEMM. */
export const GEMV_MAX_ROWS = 16;

/** Keeps the partial sums (cx · ks · rows vec4) within 16 KiB, WebGPU's default workgroup storage. */
function defaultGemvConfig(m: number): GemvConfig {
  if (m <= 2) return { cx: 16, ks: 16, rows: m <= 1 ? 1 : 2 };
  if (m <= 4) return { cx: 32, ks: 8, rows: 4 };
  return { cx: 32, ks: 4, rows: 8 };
}

function checkShape(args: GemmArgs, what: string, vec4: boolean): void {
  const { m, n, k } = args;
  if (![m, n, k].every((v) => Number.isInteger(v) && v > 0)) {
    throw new ServeTuneError(
      `${what}: m, n, k must be positive integers (got ${m}, ${n}, ${k})`,
      'invalid-argument',
    );
  }
  if (vec4 && (n % 4 !== 0 || k % 4 !== 0)) {
    throw new ServeTuneError(
      `${what}: n and k must be multiples of 4 (got n=${n}, k=${k})`,
      'invalid-argument',
    );
  }
}

function shapeParams(args: GemmArgs): Uint8Array {
  return packParams([
    ['u32', args.m],
    ['u32', args.n],
    ['u32', args.k],
    ['u32', 0],
  ]);
}

export function naiveGemm(gpu: GpuContext, arena: BufferArena, args: GemmArgs): Dispatch {
  checkShape(args, 'naive GEMM', false);
  const pipeline = computePipeline(gpu.device, 'gemm_naive', gemmNaiveSource, { dtype: args.dtype });
  const params = arena.uniform(shapeParams(args), 'gemm_naive params');
  return makeDispatch(
    arena,
    'gemm_naive',
    pipeline,
    [params, args.a, args.b, args.c],
    [Math.ceil(args.n / 16), Math.ceil(args.m / 16), 1],
  );
}

/** C = A · B with the register-broadcast kernel (gemm-broadcast.ts); needs subgroups. */
export function broadcastGemm(
  gpu: GpuContext,
  arena: BufferArena,
  args: GemmArgs,
  config: BroadcastGemmConfig = broadcastGemmConfig(gpu, args.dtype, args.m, args.n),
): Dispatch {
  checkShape(args, 'broadcast GEMM', true);
  checkBroadcastConfig(config);
  if (!gpu.hasSubgroups) {
    throw new ServeTuneError('broadcast GEMM: the device has no subgroups', 'invalid-argument');
  }
  const packed = packsF16(args.dtype, args.n);
  const pipeline = computePipeline(
    gpu.device,
    'gemm_broadcast',
    broadcastGemmSource(config, args.dtype, packed),
    {
      dtype: args.dtype,
      subgroups: true,
    },
  );
  const params = arena.uniform(shapeParams(args), 'gemm_broadcast params');
  const words = args.n / broadcastWordColumns(args.dtype, args.n);
  return makeDispatch(
    arena,
    'gemm_broadcast',
    pipeline,
    [params, args.a, args.b, args.c],
    [Math.ceil(words / (config.wg * config.words)), Math.ceil(args.m / config.rows), 1],
  );
}

/**
 * The tuned GEMM: the workgroup-tiled kernel, or the register-broadcast kernel on CPU adapters
 * (`tunedGemmConfig`); an explicit configuration picks the kernel.
 */
export function tiledGemm(
  gpu: GpuContext,
  arena: BufferArena,
  args: GemmArgs,
  config: TiledConfig | BroadcastGemmConfig = tunedGemmConfig(gpu, args),
): Dispatch {
  if (isBroadcastConfig(config)) return broadcastGemm(gpu, arena, args, config);
  checkShape(args, 'tiled GEMM', true);
  const shared = tiledWorkgroupBytes(config, args.dtype);
  if (shared > gpu.device.limits.maxComputeWorkgroupStorageSize) {
    throw new ServeTuneError(
      `tiled GEMM: ${shared} bytes of workgroup storage exceed the device's ${gpu.device.limits.maxComputeWorkgroupStorageSize}`,
      'invalid-argument',
    );
  }
  if (config.bk % 4 !== 0)
    throw new ServeTuneError('tiled GEMM: bk must be a multiple of 4', 'invalid-argument');
  const pipeline = computePipeline(gpu.device, 'gemm_tiled', gemmTiledSource, {
    dtype: args.dtype,
    constants: { WG_X: config.wgX, WG_Y: config.wgY, TM: config.tm, TN4: config.tn4, BK: config.bk },
  });
  const params = arena.uniform(shapeParams(args), 'gemm_tiled params');
  const bm = config.wgY * config.tm;
  const bn = config.wgX * config.tn4 * 4;
  return makeDispatch(
    arena,
    'gemm_tiled',
    pipeline,
    [params, args.a, args.b, args.c],
    [Math.ceil(args.n / bn), Math.ceil(args.m / bm), 1],
  );
}

/** The skinny GEMM for decode batches; on CPU adapters the broadcast kernel with the batch's rows. */
export function gemv(
  gpu: GpuContext,
  arena: BufferArena,
  args: GemmArgs,
  config: GemvConfig | BroadcastGemmConfig = usesBroadcastGemm(gpu)
    ? broadcastGemmConfig(gpu, args.dtype, args.m, args.n)
    : defaultGemvConfig(args.m),
): Dispatch {
  if (isBroadcastConfig(config)) return broadcastGemm(gpu, arena, args, config);
  checkShape(args, 'GEMV', true);
  const pipeline = computePipeline(gpu.device, 'gemv', gemvSource, {
    dtype: args.dtype,
    constants: { CX: config.cx, KS: config.ks, ROWS: config.rows },
  });
  const params = arena.uniform(shapeParams(args), 'gemv params');
  return makeDispatch(
    arena,
    'gemv',
    pipeline,
    [params, args.a, args.b, args.c],
    [Math.ceil(args.n / 4 / config.cx), Math.ceil(args.m / config.rows), 1],
  );
}

export function gemmDispatch(
  gpu: GpuContext,
  arena: BufferArena,
  kernel: GemmKernel,
  args: GemmArgs,
): Dispatch {
  switch (kernel) {
    case 'naive':
      return naiveGemm(gpu, arena, args);
    case 'tiled':
      return tiledGemm(gpu, arena, args);
    case 'gemv':
      return gemv(gpu, arena, args);
  }
}

/** The kernel a linear layer uses for `m` rows, as the layer forward and the profiler choose it. */
function linearKernelFor(m: number): GemmKernel {
  return m <= GEMV_MAX_ROWS ? 'gemv' : 'tiled';
}

export function linear(gpu: GpuContext, arena: BufferArena, args: GemmArgs): Dispatch {
  return gemmDispatch(gpu, arena, linearKernelFor(args.m), args);
}

/** Bytes a GEMM must move at least: A and B read once, C written once. */
export function gemmBytes(m: number, n: number, k: number, dtype: ShaderDtype): number {
  return (m * k + k * n + m * n) * bytesPerElement(dtype);
}
