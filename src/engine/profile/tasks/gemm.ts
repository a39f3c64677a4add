import { bytesPerElement } from '../../gpu/buffers.js';
import type { ShaderDtype } from '../../gpu/types.js';
import { type GemmKernel, gemmBytes, gemmDispatch } from '../../kernels/gemm.js';
import type { ProfileContext } from '../context.js';
import type { Task } from '../task-runner.js';

interface GemmShape {
  kernel: GemmKernel;
  dtype: ShaderDtype;
  m: number;
  n: number;
  k: number;
}

/**
 * The linears as the layer forward runs them: the tiled GEMM over rows (tokens) × square weights, the
 * GEMV for decode-sized row counts, and the naive GEMM as the baseline, in each of `dtypes`.
 */
export function gemmShapes(quick: boolean, dtypes: readonly ShaderDtype[]): GemmShape[] {
  const shapes: GemmShape[] = [];
  const squareSizes = quick ? [1024] : [1024, 2048, 4096];
  const tiledRows = quick ? [64, 256, 512] : [16, 64, 256, 512, 1024, 2048];
  for (const dtype of dtypes) {
    for (const size of squareSizes) {
      for (const m of dtype === 'f16' && quick ? [256] : tiledRows)
        shapes.push({ kernel: 'tiled', dtype, m, n: size, k: size });
    }
  }
  for (const dtype of dtypes) {
    const size = quick ? 2048 : 4096;
    for (const m of dtype === 'f16' && quick ? [1] : quick ? [1, 8] : [1, 2, 4, 8, 16, 32, 64]) {
      shapes.push({ kernel: 'gemv', dtype, m, n: size, k: size });
    }
  }
  shapes.push(
    quick
      ? { kernel: 'naive', dtype: 'f32', m: 256, n: 512, k: 512 }
      : { kernel: 'naive', dtype: 'f32', m: 1024, n: 1024, k: 1024 },
  );
  return shapes;
}

/** One task per GEMM shape; the tiled kernel's rate raises the context's FLOP rate for later estimates. */
export function gemmTasks(context: ProfileContext): Task[] {
  return gemmShapes(context.quick, context.dtypes).map((shape) => ({
    what: `${shape.kernel} GEMM ${shape.m}×${shape.n}×${shape.k} ${shape.dtype}`,
    run: () => measureGemm(context, shape),
  }));
}

async function measureGemm(context: ProfileContext, shape: GemmShape): Promise<string> {
  const { kernel, dtype, m, n, k } = shape;
  const e = bytesPerElement(dtype);
  context.requireBinding(k * n * e, 'the weight');
  context.requireBinding(m * Math.max(n, k) * e, 'the activations');
  const flops = 2 * m * n * k;
  const bytes = gemmBytes(m, n, k, dtype);
  const flopsRate = kernel === 'naive' ? context.flopsRate / 5 : context.flopsRate;
  context.requireTime(Math.max(flops / flopsRate, bytes / context.bytesRate));
  const time = await context.measure((arena) => [
    gemmDispatch(context.gpu, arena, kernel, {
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
  if (kernel === 'tiled') context.flopsRate = Math.max(context.flopsRate, flopsPerSecond);
  context.tables.gemm.push({
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
}
