import { bytesPerElement } from '../gpu/buffers.js';
import { acquireGpu, type GpuContext } from '../gpu/device.js';
import type { Dispatch } from '../gpu/pipelines.js';
import {
  FULL_BUDGET,
  KernelTimer,
  MeasurementCancelled,
  QUICK_BUDGET,
  type TimingBudget,
} from '../gpu/timing.js';
import type { ShaderDtype, Timing } from '../gpu/types.js';
import { BufferArena } from '../kernels/arena.js';
import { decodeAttention, prefillAttention } from '../kernels/attention.js';
import { COPY_VARIANTS, copyKernel, copyVariantName } from '../kernels/copy.js';
import { residualAdd, rmsNorm, rope, siluAndMul } from '../kernels/elementwise.js';
import { type GemmKernel, gemmBytes, gemmDispatch } from '../kernels/gemm.js';
import {
  LayerForward,
  type LayerShape,
  LayerWeights,
  layerShapeOf,
  PagedKvCache,
  type StepSequence,
  scaleLayerShape,
  stepDispatches,
  weightCount,
} from '../kernels/layer.js';
import { attendedPairs } from '../model/cost.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';
import { matchCatalogHardware } from './catalog-match.js';
import { type EngineStepConfig, measureEngineSteps } from './engine-steps.js';
import { DeviceProfile, type EngineStepTable } from './schema.js';
import { measureStepDispatchSeconds } from './step-overhead.js';

export interface ProfileProgress {
  /** 1-based index of the measurement and how many the run has. */
  index: number;
  total: number;
  what: string;
  state: 'measuring' | 'done' | 'skipped';
  /** A short result ("12.3 GFLOP/s") or the reason for a skip. */
  detail?: string;
  elapsedSeconds: number;
}

export interface ProfileOptions {
  quick?: boolean;
  /** Shapes for the attention and layer measurements; default llama-3.1-8b's. */
  model: ModelSpec;
  signal?: AbortSignal;
  onProgress?: (progress: ProfileProgress) => void;
  /** An already acquired device (tests); otherwise one is acquired and released. */
  gpu?: GpuContext;
  /**
   * Also time the local reference engine's own steps for `model` with this engine configuration
   * (`DeviceProfile.engineSteps`): what `servetune validate` predicts the engine from.
   */
  engineSteps?: EngineStepConfig;
}

/** Largest served model (weights in bytes) whose engine steps the profiler builds and times. */
const MAX_ENGINE_STEP_WEIGHT_BYTES = 512 * 2 ** 20;

/** A measurement that cannot run on this device, and why. */
class Skip extends Error {}

type Tables = Pick<
  DeviceProfile,
  'gemm' | 'prefillAttention' | 'decodeAttention' | 'copy' | 'elementwise' | 'layer'
>;

interface Task {
  what: string;
  run(): Promise<string>;
}

/** Per-run wall time above which a shape is skipped rather than measured (estimated before running). */
const MAX_RUN_SECONDS = { quick: 1.5, full: 6 };

/**
 * Measures the local GPU with the kernel suite and returns a validated DeviceProfile. Each measurement
 * reports progress; when `signal` aborts, the run stops between repetitions and the profile holds what
 * was measured, with `cancelled: true`. Shapes beyond the device's limits (or far too slow for it) are
 * listed in `skipped` with the reason.
 */
export async function profileDevice(options: ProfileOptions): Promise<DeviceProfile> {
  const started = performance.now();
  const quick = options.quick ?? false;
  const gpu = options.gpu ?? (await acquireGpu());
  const timer = new KernelTimer(gpu);
  const budget: TimingBudget = quick ? QUICK_BUDGET : FULL_BUDGET;
  const maxRunSeconds = quick ? MAX_RUN_SECONDS.quick : MAX_RUN_SECONDS.full;
  const limits = gpu.device.limits;
  const tables: Tables = {
    gemm: [],
    prefillAttention: [],
    decodeAttention: [],
    copy: [],
    elementwise: [],
    layer: [],
  };
  const skipped: DeviceProfile['skipped'] = [];
  let dispatchOverheadSeconds = 0;
  let submitOverheadSeconds = 0;
  let stepDispatchSeconds = 0;
  let stepBaseSeconds = 0;
  let cancelled = false;
  let engineSteps: EngineStepTable | undefined;
  // Rough rates measured so far, to skip shapes that would take too long before running them.
  let flopsRate = 1e9;
  let bytesRate = 1e9;

  const requireBinding = (bytes: number, what: string) => {
    if (bytes > limits.maxStorageBufferBindingSize) {
      throw new Skip(
        `${what} needs ${bytes} bytes in one storage binding; the device allows ${limits.maxStorageBufferBindingSize}`,
      );
    }
  };
  const requireTime = (seconds: number) => {
    if (seconds > maxRunSeconds) {
      throw new Skip(
        `estimated ${seconds.toFixed(1)} s per run exceeds the ${maxRunSeconds} s cap for this mode`,
      );
    }
  };

  /** Builds the dispatches and times them, turning device errors into skips. */
  async function measure(build: (arena: BufferArena) => Dispatch[]): Promise<Timing> {
    const arena = new BufferArena(gpu.device);
    gpu.device.pushErrorScope('out-of-memory');
    gpu.device.pushErrorScope('validation');
    let timing: Timing | undefined;
    let thrown: unknown;
    try {
      timing = (await timer.measure(build(arena), budget, options.signal)).timing;
    } catch (error) {
      thrown = error;
    }
    const validation = await gpu.device.popErrorScope();
    const memory = await gpu.device.popErrorScope();
    arena.destroy();
    if (thrown instanceof ServeTuneError) throw new Skip(thrown.message);
    if (thrown !== undefined) throw thrown;
    const error = validation ?? memory;
    if (error) throw new Skip(`device error: ${error.message.split('\n')[0]}`);
    return timing as Timing;
  }

  const dtypes: ShaderDtype[] = gpu.hasF16 ? ['f32', 'f16'] : ['f32'];
  const tasks: Task[] = [];

  // Copy bandwidth: the ceiling every memory-bound kernel is compared with.
  const copySizes = quick ? [32 * 2 ** 20] : [4 * 2 ** 20, 32 * 2 ** 20, 128 * 2 ** 20];
  for (const bytes of copySizes) {
    tasks.push({
      what: `copy ${bytes / 2 ** 20} MiB`,
      async run() {
        requireBinding(bytes, 'copy');
        let best: { timing: Timing; variant: string } | undefined;
        for (const variant of COPY_VARIANTS) {
          const timing = await measure((arena) => [
            copyKernel(gpu, arena, bytes, arena.storage(bytes, 'src'), arena.storage(bytes, 'dst'), variant),
          ]);
          if (!best || timing.median < best.timing.median) {
            best = { timing, variant: copyVariantName(variant) };
          }
        }
        const found = best as { timing: Timing; variant: string };
        const rate = (2 * bytes) / found.timing.median;
        bytesRate = Math.max(bytesRate, rate);
        tables.copy.push({ bytes, time: found.timing, bytesPerSecond: rate, variant: found.variant });
        return `${(rate / 1e9).toFixed(2)} GB/s (${found.variant})`;
      },
    });
  }

  tasks.push({
    what: 'dispatch and submit overhead',
    async run() {
      const arena = new BufferArena(gpu.device);
      try {
        const tiny = copyKernel(gpu, arena, 16, arena.storage(16, 'src'), arena.storage(16, 'dst'));
        dispatchOverheadSeconds = await timer.dispatchOverhead(tiny, quick ? 5 : 15, options.signal);
        submitOverheadSeconds = await timer.submitOverhead(quick ? 10 : 30, options.signal);
        const step = await measureStepDispatchSeconds(
          gpu,
          options.model.headDim,
          quick ? 20 : 60,
          options.signal,
        );
        stepDispatchSeconds = step.perDispatchSeconds;
        stepBaseSeconds = step.stepBaseSeconds;
      } finally {
        arena.destroy();
      }
      return `${(dispatchOverheadSeconds * 1e6).toFixed(1)} µs/dispatch, ${(submitOverheadSeconds * 1e6).toFixed(0)} µs/submit, ${(stepDispatchSeconds * 1e6).toFixed(1)} µs per dispatch of a built step`;
    },
  });

  // GEMM and GEMV: the linears, as the layer forward runs them.
  const gemmShapes: { kernel: GemmKernel; dtype: ShaderDtype; m: number; n: number; k: number }[] = [];
  const squareSizes = quick ? [1024] : [1024, 2048, 4096];
  const tiledRows = quick ? [64, 256, 512] : [16, 64, 256, 512, 1024, 2048];
  for (const dtype of dtypes) {
    for (const size of squareSizes) {
      for (const m of dtype === 'f16' && quick ? [256] : tiledRows)
        gemmShapes.push({ kernel: 'tiled', dtype, m, n: size, k: size });
    }
  }
  for (const dtype of dtypes) {
    const size = quick ? 2048 : 4096;
    for (const m of dtype === 'f16' && quick ? [1] : quick ? [1, 8] : [1, 2, 4, 8, 16, 32, 64]) {
      gemmShapes.push({ kernel: 'gemv', dtype, m, n: size, k: size });
    }
  }
  gemmShapes.push(
    quick
      ? { kernel: 'naive', dtype: 'f32', m: 256, n: 512, k: 512 }
      : { kernel: 'naive', dtype: 'f32', m: 1024, n: 1024, k: 1024 },
  );
  for (const shape of gemmShapes) {
    const { kernel, dtype, m, n, k } = shape;
    tasks.push({
      what: `${kernel} GEMM ${m}×${n}×${k} ${dtype}`,
      async run() {
        const e = bytesPerElement(dtype);
        requireBinding(k * n * e, 'the weight');
        requireBinding(m * Math.max(n, k) * e, 'the activations');
        const flops = 2 * m * n * k;
        const bytes = gemmBytes(m, n, k, dtype);
        requireTime(Math.max(flops / (kernel === 'naive' ? flopsRate / 5 : flopsRate), bytes / bytesRate));
        const time = await measure((arena) => [
          gemmDispatch(gpu, arena, kernel, {
            dtype,
            m,
            n,
            k,
            a: arena.storage(m * k * e, 'a'),
            b: arena.storage(k * n * e, 'b'),
            c: arena.storage(m * n * e, 'c'),
          }),
        ]);
        const flopsPerSecond = flops / time.median;
        if (kernel === 'tiled') flopsRate = Math.max(flopsRate, flopsPerSecond);
        tables.gemm.push({
          kernel,
          dtype,
          m,
          n,
          k,
          time,
          flopsPerSecond,
          bytesPerSecond: bytes / time.median,
        });
        return `${(flopsPerSecond / 1e9).toFixed(2)} GFLOP/s, ${(bytes / time.median / 1e9).toFixed(2)} GB/s`;
      },
    });
  }

  // Attention, with the model's heads (KV heads halved until the cache fits one binding).
  const model = layerShapeOf(options.model);
  const attentionDtype: ShaderDtype = gpu.hasF16 ? 'f16' : 'f32';
  const blockSize = 16;
  const headsToFit = (keys: number, dtype: ShaderDtype) => {
    let kvHeads = model.kvHeads;
    const perHead = keys * model.headDim * bytesPerElement(dtype);
    while (kvHeads > 1 && kvHeads * perHead > limits.maxStorageBufferBindingSize) kvHeads /= 2;
    if (!Number.isInteger(kvHeads)) kvHeads = 1;
    return { kvHeads, heads: (model.heads / model.kvHeads) * kvHeads };
  };
  const cacheBytesOf = (blocks: number, kvHeads: number, dtype: ShaderDtype) =>
    blocks * blockSize * kvHeads * model.headDim * bytesPerElement(dtype);
  // What either attention kernel reads and writes for `rows` query rows over caches of `blocks` blocks,
  // the block table mapping block i to cache block i.
  const attentionOperands = (
    arena: BufferArena,
    dtype: ShaderDtype,
    heads: number,
    kvHeads: number,
    rows: number,
    blocks: number,
  ) => {
    const e = bytesPerElement(dtype);
    const qStride = (heads + 2 * kvHeads) * model.headDim;
    const outStride = heads * model.headDim;
    const cacheBytes = cacheBytesOf(blocks, kvHeads, dtype);
    const blockTable = arena.keep(
      gpu.device.createBuffer({
        size: Math.max(16, blocks * 4),
        usage: 0x80 | 0x8,
        mappedAtCreation: true,
      }),
    );
    new Uint32Array(blockTable.getMappedRange()).set(Array.from({ length: blocks }, (_, i) => i));
    blockTable.unmap();
    return {
      shape: { dtype, heads, kvHeads, headDim: model.headDim, blockSize, qStride, outStride },
      buffers: {
        qkv: arena.storage(rows * qStride * e, 'qkv'),
        blockTable,
        kCache: arena.storage(cacheBytes, 'k'),
        vCache: arena.storage(cacheBytes, 'v'),
        out: arena.storage(rows * outStride * e, 'out'),
      },
    };
  };
  const prefillShapes = quick
    ? [
        [128, 0],
        [128, 512],
      ]
    : [
        [128, 0],
        [512, 0],
        [512, 2048],
        [2048, 0],
        [512, 8192],
      ];
  for (const [chunk, context] of prefillShapes) {
    tasks.push({
      what: `prefill attention chunk ${chunk} context ${context} ${attentionDtype}`,
      async run() {
        const dtype = attentionDtype;
        const keys = chunk + context;
        const blocks = Math.ceil(keys / blockSize);
        const { heads, kvHeads } = headsToFit(blocks * blockSize, dtype);
        requireBinding(cacheBytesOf(blocks, kvHeads, dtype), 'the KV cache');
        const flops = 4 * heads * model.headDim * attendedPairs(chunk, context);
        requireTime(flops / (flopsRate / 4));
        const time = await measure((arena) => {
          const { shape, buffers } = attentionOperands(arena, dtype, heads, kvHeads, chunk, blocks);
          const sequence = { qRow: 0, tokens: chunk, context, tableStart: 0 };
          return [prefillAttention(gpu, arena, shape, [sequence], buffers)];
        });
        const flopsPerSecond = flops / time.median;
        tables.prefillAttention.push({
          dtype,
          chunk,
          context,
          heads,
          kvHeads,
          headDim: model.headDim,
          time,
          flopsPerSecond,
        });
        return `${(flopsPerSecond / 1e9).toFixed(2)} GFLOP/s (${heads} heads)`;
      },
    });
  }

  const decodeShapes = quick
    ? [
        [8, 1024],
        [32, 4096],
      ]
    : [
        [1, 1024],
        [8, 1024],
        [32, 1024],
        [32, 4096],
        [64, 4096],
        [8, 16384],
      ];
  for (const [batch, context] of decodeShapes) {
    tasks.push({
      what: `decode attention batch ${batch} context ${context} ${attentionDtype}`,
      async run() {
        const dtype = attentionDtype;
        const blocksPerSeq = Math.ceil(context / blockSize);
        const blocks = batch * blocksPerSeq;
        const { heads, kvHeads } = headsToFit(blocks * blockSize, dtype);
        requireBinding(cacheBytesOf(blocks, kvHeads, dtype), 'the KV cache');
        const kvBytes = 2 * batch * context * kvHeads * model.headDim * bytesPerElement(dtype);
        requireTime(kvBytes / (bytesRate / 4));
        const time = await measure((arena) => {
          const { shape, buffers } = attentionOperands(arena, dtype, heads, kvHeads, batch, blocks);
          const sequences = Array.from({ length: batch }, (_, i) => ({
            qRow: i,
            keys: context,
            tableStart: i * blocksPerSeq,
          }));
          return decodeAttention(gpu, arena, shape, sequences, buffers);
        });
        const bytesPerSecond = kvBytes / time.median;
        tables.decodeAttention.push({
          dtype,
          batch,
          context,
          heads,
          kvHeads,
          headDim: model.headDim,
          blockSize,
          time,
          bytesPerSecond,
        });
        return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s of KV (${heads} heads)`;
      },
    });
  }

  // Elementwise kernels at the model's widths.
  const elementwiseTokens = quick ? [256] : [1, 16, 256, 2048];
  for (const tokens of elementwiseTokens) {
    for (const op of ['rmsnorm', 'rope', 'silu_and_mul', 'residual_add'] as const) {
      const dtype = attentionDtype;
      const width =
        op === 'rope'
          ? (model.heads + model.kvHeads) * model.headDim
          : op === 'silu_and_mul'
            ? model.intermediateSize
            : model.hiddenSize;
      tasks.push({
        what: `${op} ${tokens}×${width} ${dtype}`,
        async run() {
          const e = bytesPerElement(dtype);
          // Bytes read plus written, as the kernel moves them.
          const bytes = (op === 'silu_and_mul' ? 3 : op === 'residual_add' ? 3 : 2) * tokens * width * e;
          requireBinding(tokens * width * e * (op === 'silu_and_mul' ? 2 : 1), 'the input');
          const time = await measure((arena) => {
            const x = arena.storage(tokens * width * e * (op === 'silu_and_mul' ? 2 : 1), 'x');
            const y = arena.storage(tokens * width * e, 'y');
            switch (op) {
              case 'rmsnorm':
                return [
                  rmsNorm(gpu, arena, {
                    dtype,
                    rows: tokens,
                    width,
                    eps: 1e-5,
                    x,
                    weight: arena.storage(width * e, 'w'),
                    y,
                  }),
                ];
              case 'rope': {
                const positions = arena.storage(tokens * 4, 'positions');
                const heads = model.heads + model.kvHeads;
                return [
                  rope(gpu, arena, {
                    dtype,
                    tokens,
                    heads,
                    headDim: model.headDim,
                    rowStride: width,
                    theta: 1e4,
                    positions,
                    x,
                  }),
                ];
              }
              case 'silu_and_mul':
                return [siluAndMul(gpu, arena, { dtype, tokens, width, x, y })];
              case 'residual_add':
                return [residualAdd(gpu, arena, { dtype, count: tokens * width, x, y })];
            }
          });
          const bytesPerSecond = bytes / time.median;
          tables.elementwise.push({ op, dtype, tokens, width, time, bytesPerSecond });
          return `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
        },
      });
    }
  }

  // One layer forward over a mixed batch, at the model's shapes scaled to fit.
  const layerBatches = quick
    ? [{ prefillTokens: 64, prefillContext: 0, decodeBatch: 8, decodeContext: 256 }]
    : [
        { prefillTokens: 256, prefillContext: 0, decodeBatch: 16, decodeContext: 1024 },
        { prefillTokens: 512, prefillContext: 512, decodeBatch: 32, decodeContext: 1024 },
        { prefillTokens: 0, prefillContext: 0, decodeBatch: 32, decodeContext: 1024 },
      ];
  const layerDtypes: ShaderDtype[] = quick ? [dtypes[0]] : dtypes;
  for (const dtype of layerDtypes) {
    for (const batch of layerBatches) {
      tasks.push({
        what: `layer forward ${options.model.id} (${batch.prefillTokens}-token chunk + ${batch.decodeBatch} decodes) ${dtype}`,
        async run() {
          const { shape, divisor } = fitLayer(model, dtype, quick, limits.maxStorageBufferBindingSize);
          const tokens = batch.prefillTokens + batch.decodeBatch;
          const flops = 2 * tokens * (weightCount(shape) - 2 * shape.hiddenSize);
          requireTime(flops / flopsRate);
          const time = await measureLayer(gpu, shape, dtype, batch, (build) => measure(build));
          tables.layer.push({
            model: options.model.id,
            scale: 1 / divisor,
            hiddenSize: shape.hiddenSize,
            intermediateSize: shape.intermediateSize,
            heads: shape.heads,
            kvHeads: shape.kvHeads,
            headDim: shape.headDim,
            ...batch,
            dtype,
            time,
          });
          return `${(time.median * 1e3).toFixed(2)} ms at scale 1/${divisor}`;
        },
      });
    }
  }

  const engineStepConfig = options.engineSteps;
  if (engineStepConfig) {
    tasks.push({
      what: `engine steps ${options.model.id} (${engineStepConfig.dtype}, ${engineStepConfig.maxTokens} tokens, ${engineStepConfig.maxSequences} sequences)`,
      async run() {
        const m = options.model;
        const weightBytes =
          bytesPerElement(engineStepConfig.dtype) *
          (m.numLayers * weightCount(layerShapeOf(m)) + m.vocabSize * m.hiddenSize);
        if (weightBytes > MAX_ENGINE_STEP_WEIGHT_BYTES) {
          throw new Skip(
            `the model's ${(weightBytes / 2 ** 20).toFixed(0)} MiB of weights exceed the ${MAX_ENGINE_STEP_WEIGHT_BYTES / 2 ** 20} MiB the profiler serves`,
          );
        }
        engineSteps = await measureEngineSteps(gpu, m, engineStepConfig, quick ? 50 : 100, options.signal);
        const decodes = engineSteps.steps.filter((s) => s.prefillTokens === 0);
        const last = decodes[decodes.length - 1];
        return `${engineSteps.steps.length} shapes; ${last?.decodeBatch ?? 0} decodes ${((last?.meanSeconds ?? 0) * 1e3).toFixed(2)} ms mean`;
      },
    });
  }

  const elapsed = () => (performance.now() - started) / 1e3;
  try {
    for (const [i, task] of tasks.entries()) {
      if (options.signal?.aborted) {
        cancelled = true;
        break;
      }
      const report = (state: ProfileProgress['state'], detail?: string) =>
        options.onProgress?.({
          index: i + 1,
          total: tasks.length,
          what: task.what,
          state,
          detail,
          elapsedSeconds: elapsed(),
        });
      report('measuring');
      try {
        report('done', await task.run());
      } catch (error) {
        if (error instanceof MeasurementCancelled) {
          cancelled = true;
          break;
        }
        if (!(error instanceof Skip)) throw error;
        skipped.push({ what: task.what, reason: error.message });
        report('skipped', error.message);
      }
    }
  } finally {
    if (!options.gpu) gpu.destroy();
  }

  const peak = (dtype: ShaderDtype) =>
    tables.gemm.filter((g) => g.dtype === dtype).reduce((best, g) => Math.max(best, g.flopsPerSecond), 0);
  const copyBytesPerSecond = tables.copy.reduce((best, c) => Math.max(best, c.bytesPerSecond), 0);
  const catalog = matchCatalogHardware(gpu.info);
  const peakF32 = peak('f32');
  return DeviceProfile.parse({
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    quick,
    adapter: {
      vendor: gpu.info.vendor,
      architecture: gpu.info.architecture,
      device: gpu.info.device,
      description: gpu.info.description,
      backend: gpu.info.backend,
      isFallbackAdapter: gpu.info.isFallbackAdapter,
      features: gpu.info.features,
      limits: gpu.info.limits,
    },
    catalogId: catalog?.id ?? null,
    timingMethod: timer.method,
    dispatchOverheadSeconds,
    submitOverheadSeconds,
    stepDispatchSeconds,
    stepBaseSeconds,
    ...tables,
    engineSteps,
    derived: {
      peakFlopsPerSecond: { f32: peakF32, f16: gpu.hasF16 ? peak('f16') : null },
      copyBytesPerSecond,
      efficiency: catalog
        ? {
            vectorFp32: peakF32 / catalog.vectorFp32Flops,
            memoryBandwidth: copyBytesPerSecond / catalog.memoryBandwidth,
          }
        : null,
    },
    skipped,
    cancelled,
    wallSeconds: elapsed(),
  });
}

/**
 * The largest power-of-two fraction of the model's layer whose weights fit the mode's memory budget
 * and whose largest matrix fits one storage binding.
 */
export function fitLayer(
  model: LayerShape,
  dtype: ShaderDtype,
  quick: boolean,
  maxBinding: number,
): { shape: LayerShape; divisor: number } {
  const budget = (quick ? 24 : 512) * 2 ** 20;
  const e = bytesPerElement(dtype);
  let divisor = 1;
  for (;;) {
    const shape = scaleLayerShape(model, divisor);
    const largest = Math.max(
      shape.hiddenSize * (shape.heads + 2 * shape.kvHeads) * shape.headDim,
      shape.hiddenSize * 2 * shape.intermediateSize,
    );
    const fits = weightCount(shape) * e <= budget && largest * e <= maxBinding;
    if (fits || model.kvHeads % (divisor * 2) !== 0) return { shape, divisor };
    divisor *= 2;
  }
}

async function measureLayer(
  gpu: GpuContext,
  shape: LayerShape,
  dtype: ShaderDtype,
  batch: { prefillTokens: number; prefillContext: number; decodeBatch: number; decodeContext: number },
  measure: (build: (arena: BufferArena) => Dispatch[]) => Promise<Timing>,
): Promise<Timing> {
  const blockSize = 16;
  const sequences: StepSequence[] = [];
  let nextBlock = 0;
  const table = (tokens: number) => Array.from({ length: Math.ceil(tokens / blockSize) }, () => nextBlock++);
  if (batch.prefillTokens > 0) {
    sequences.push({
      tokens: batch.prefillTokens,
      context: batch.prefillContext,
      blockTable: table(batch.prefillContext + batch.prefillTokens),
    });
  }
  for (let i = 0; i < batch.decodeBatch; i++) {
    sequences.push({ tokens: 1, context: batch.decodeContext, blockTable: table(batch.decodeContext + 1) });
  }
  const tokens = batch.prefillTokens + batch.decodeBatch;
  const weights = new LayerWeights(gpu, zeroWeights(shape), dtype);
  const cache = new PagedKvCache(gpu, {
    layers: 1,
    blocks: nextBlock,
    blockSize,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    dtype,
  });
  const forward = new LayerForward(gpu, shape, dtype, tokens);
  try {
    return await measure((arena) => {
      const hidden = arena.storage(tokens * shape.hiddenSize * bytesPerElement(dtype), 'hidden');
      return stepDispatches(gpu, arena, forward, [weights], cache, sequences, hidden);
    });
  } finally {
    forward.destroy();
    cache.destroy();
    weights.destroy();
  }
}

/** Timing does not depend on the values; zeros keep the repeated in-place updates finite. */
function zeroWeights(shape: LayerShape) {
  const h = shape.hiddenSize;
  const f = shape.intermediateSize;
  const zeros = (n: number) => new Float32Array(n);
  return {
    inputNorm: zeros(h),
    qkv: zeros(h * (shape.heads + 2 * shape.kvHeads) * shape.headDim),
    o: zeros(shape.heads * shape.headDim * h),
    postNorm: zeros(h),
    gateUp: zeros(h * 2 * f),
    down: zeros(f * h),
  };
}
