// Kernel benchmark: the measure stage's targets, measured side by side in one run.
//   npm run bench:kernels [-- --out bench/results/kernels-<device>.json] [-- --skip-profile]
// Prints a JSON report (and writes it with --out): tuned vs naive GEMM 1024³ f32, GEMV (1 to 64 rows)
// and decode attention bandwidth as fractions of the copy kernel's, and the wall time of
// `servetune profile --quick` with a cold and a warm shader cache. Kernels compared with each other are
// timed side by side in interleaved rounds (KernelTimer.measureSideBySide), so that load from other work
// on the machine falls on both; ratios are also reported round by round (median, p10, p90).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { uploadTensor } from '../src/engine/gpu/buffers.js';
import { acquireGpu } from '../src/engine/gpu/device.js';
import type { Dispatch } from '../src/engine/gpu/pipelines.js';
import { FULL_BUDGET, KernelTimer, summarize } from '../src/engine/gpu/timing.js';
import type { ShaderDtype } from '../src/engine/gpu/types.js';
import { BufferArena } from '../src/engine/kernels/arena.js';
import { decodeAttention } from '../src/engine/kernels/attention.js';
import { COPY_VARIANTS, copyKernel, copyVariantName } from '../src/engine/kernels/copy.js';
import {
  DEFAULT_TILED,
  gemv,
  naiveGemm,
  tiledGemm,
  tunedGemmConfig,
  usesBroadcastGemm,
} from '../src/engine/kernels/gemm.js';
import { matchCatalogHardware } from '../src/engine/profile/catalog-match.js';
import { DeviceProfile } from '../src/engine/profile/schema.js';
import { SeededRandom } from '../src/engine/util/random.js';
import { benchArgs } from './args.js';

const flags = benchArgs(
  'bench:kernels',
  'The measure stage kernels timed side by side (GEMM, GEMV, decode attention against copy bandwidth).',
  {
    out: { type: 'string', value: 'FILE', help: 'also write the JSON report here' },
    'skip-profile': { type: 'boolean', help: 'leave out the timing of `servetune profile --quick`' },
  },
);
const out = flags.out;
const skipProfile = flags['skip-profile'] ?? false;

const gpu = await acquireGpu();
const timer = new KernelTimer(gpu);
const arena = new BufferArena(gpu.device);
const rng = new SeededRandom(7);
const budget = { ...FULL_BUDGET, minPassSeconds: 5e-3 };
const rounds = 9;
const log = (line: string) => process.stderr.write(`${line}\n`);
const loadAverage = () => loadavg().map((v) => Number(v.toFixed(2)));
const loadAtStart = loadAverage();
const ratioOf = (numerator: readonly number[], denominator: readonly number[]) =>
  summarize(numerator.map((value, round) => value / denominator[round]));

// GEMM 1024³ f32 on the same inputs: the tuned kernel for this device, the workgroup-tiled kernel
// (the tuned one on GPUs) and the naive baseline, in interleaved rounds.
const n = 1024;
const a = uploadTensor(gpu.device, rng.floats(n * n), 'f32', 'a');
const b = uploadTensor(gpu.device, rng.floats(n * n), 'f32', 'b');
const c = arena.storage(n * n * 4, 'c');
const gemmArgs = { dtype: 'f32' as const, m: n, n, k: n, a, b, c };
const flops = 2 * n ** 3;
const tunedConfig = tunedGemmConfig(gpu, gemmArgs);
const [tiled, workgroupTiled, naive] = await timer.measureSideBySide(
  [
    [tiledGemm(gpu, arena, gemmArgs, tunedConfig)],
    [tiledGemm(gpu, arena, gemmArgs, DEFAULT_TILED)],
    [naiveGemm(gpu, arena, gemmArgs)],
  ],
  rounds,
  budget,
);
const gemm = {
  shape: '1024x1024x1024 f32',
  method: `${rounds} interleaved rounds, one timed pass of each kernel per round`,
  tiledKernel: usesBroadcastGemm(gpu) ? 'broadcast' : 'workgroup-tiled',
  tiledConfig: tunedConfig,
  tiledGflops: flops / tiled.timing.median / 1e9,
  naiveGflops: flops / naive.timing.median / 1e9,
  ratio: naive.timing.median / tiled.timing.median,
  ratioByRound: ratioOf(naive.samples, tiled.samples),
  target: 10,
  tiled: tiled.timing,
  naive: naive.timing,
  workgroupTiled: {
    config: DEFAULT_TILED,
    gflops: flops / workgroupTiled.timing.median / 1e9,
    ratio: naive.timing.median / workgroupTiled.timing.median,
    time: workgroupTiled.timing,
  },
};
log(
  `GEMM 1024³ f32: tuned (${gemm.tiledKernel}) ${gemm.tiledGflops.toFixed(2)} GFLOP/s, workgroup-tiled ${gemm.workgroupTiled.gflops.toFixed(2)}, naive ${gemm.naiveGflops.toFixed(2)}; ratio ${gemm.ratio.toFixed(2)}× (by round: median ${gemm.ratioByRound.median.toFixed(2)}, p10 ${gemm.ratioByRound.p10.toFixed(2)}, p90 ${gemm.ratioByRound.p90.toFixed(2)})`,
);

// Memory-bound kernels against the copy kernel, side by side: copy (every variant; the fastest by
// median is the reference), GEMV for 1 to 64 rows in each dtype, and decode attention.
const copyBytes = 64 * 2 ** 20;
const src = arena.storage(copyBytes, 'src');
const dst = arena.storage(copyBytes, 'dst');
const memoryLists: Dispatch[][] = COPY_VARIANTS.map((variant) => [
  copyKernel(gpu, arena, copyBytes, src, dst, variant),
]);

const gemvShapes: { dtype: ShaderDtype; m: number; k: number; bytes: number }[] = [];
const weightSide = 4096;
for (const dtype of gpu.hasF16 ? (['f32', 'f16'] as const) : (['f32'] as const)) {
  const size = dtype === 'f16' ? 2 : 4;
  const k = weightSide;
  const w = arena.storage(k * k * size, `w ${dtype}`);
  for (const m of [1, 2, 4, 8, 16, 32, 64]) {
    memoryLists.push([
      gemv(gpu, arena, {
        dtype,
        m,
        n: k,
        k,
        a: arena.storage(m * k * size, 'x'),
        b: w,
        c: arena.storage(m * k * size, 'y'),
      }),
    ]);
    gemvShapes.push({ dtype, m, k, bytes: (k * k + 2 * m * k) * size });
  }
}

// Decode attention, batch 32, context 4096, f16 KV where available (8 query heads over 2 KV heads, d 128).
const dtype = gpu.hasF16 ? ('f16' as const) : ('f32' as const);
const e = dtype === 'f16' ? 2 : 4;
const [batch, context, heads, kvHeads, headDim, blockSize] = [32, 4096, 8, 2, 128, 16];
const blocks = (batch * context) / blockSize;
const cacheBytes = blocks * blockSize * kvHeads * headDim * e;
const table = arena.storage(blocks * 4, 'block table');
gpu.device.queue.writeBuffer(
  table,
  0,
  Uint32Array.from({ length: blocks }, (_, i) => i),
);
const qStride = (heads + 2 * kvHeads) * headDim;
memoryLists.push(
  decodeAttention(
    gpu,
    arena,
    { dtype, heads, kvHeads, headDim, blockSize, qStride, outStride: heads * headDim },
    Array.from({ length: batch }, (_, i) => ({
      qRow: i,
      keys: context,
      tableStart: (i * context) / blockSize,
    })),
    {
      qkv: arena.storage(batch * qStride * e, 'qkv'),
      blockTable: table,
      kCache: arena.storage(cacheBytes, 'k'),
      vCache: arena.storage(cacheBytes, 'v'),
      out: arena.storage(batch * heads * headDim * e, 'out'),
    },
  ),
);

const memory = await timer.measureSideBySide(memoryLists, rounds, budget);
const copies = COPY_VARIANTS.map((variant, i) => ({
  variant,
  name: copyVariantName(variant),
  bytesPerSecond: (2 * copyBytes) / memory[i].timing.median,
  time: memory[i].timing,
}));
const bestCopy = copies.reduce(
  (best, v, i) => (v.bytesPerSecond > copies[best].bytesPerSecond ? i : best),
  0,
);
const copy = copies[bestCopy];
const copySamples = memory[bestCopy].samples;
log(
  `copy 64 MiB: ${copies.map((v) => `${(v.bytesPerSecond / 1e9).toFixed(2)} GB/s (${v.name})`).join(', ')}`,
);

const gemvResults = gemvShapes.map((shape, i) => {
  const measured = memory[COPY_VARIANTS.length + i];
  const bytesPerSecond = shape.bytes / measured.timing.median;
  // Per round: this kernel's bandwidth over the reference copy's in the same round.
  const byRound = ratioOf(
    copySamples.map((t) => t / (2 * copyBytes)),
    measured.samples.map((t) => t / shape.bytes),
  );
  const result = {
    dtype: shape.dtype,
    m: shape.m,
    n: shape.k,
    k: shape.k,
    bytesPerSecond,
    fractionOfCopy: bytesPerSecond / copy.bytesPerSecond,
    fractionOfCopyByRound: byRound,
    time: measured.timing,
  };
  log(
    `GEMV ${shape.m}×${shape.k}×${shape.k} ${shape.dtype}: ${(bytesPerSecond / 1e9).toFixed(2)} GB/s = ${result.fractionOfCopy.toFixed(2)} of copy (by round ${byRound.median.toFixed(2)}, p10 ${byRound.p10.toFixed(2)}, p90 ${byRound.p90.toFixed(2)})`,
  );
  return result;
});

const decodeMeasured = memory[memory.length - 1];
const kvBytes = 2 * cacheBytes;
const decode = {
  dtype,
  batch,
  context,
  heads,
  kvHeads,
  headDim,
  blockSize,
  kvBytesPerSecond: kvBytes / decodeMeasured.timing.median,
  fractionOfCopy: kvBytes / decodeMeasured.timing.median / copy.bytesPerSecond,
  fractionOfCopyByRound: ratioOf(
    copySamples.map((t) => t / (2 * copyBytes)),
    decodeMeasured.samples.map((t) => t / kvBytes),
  ),
  time: decodeMeasured.timing,
};
log(
  `decode attention b${batch} ctx${context} ${dtype}: ${(decode.kvBytesPerSecond / 1e9).toFixed(2)} GB/s of KV = ${decode.fractionOfCopy.toFixed(3)} of copy`,
);
const loadAtEnd = loadAverage();
arena.destroy();
const adapter = gpu.info;
gpu.destroy();

// The quick profile through the CLI, as a user runs it: cold (no shader cache) and warm.
const quickProfile: Record<string, number> = {};
if (!skipProfile) {
  for (const [label, env] of [
    ['coldShaderCacheSeconds', { MESA_SHADER_CACHE_DISABLE: 'true' }],
    ['warmShaderCacheSeconds', {}],
  ] as const) {
    const start = performance.now();
    const json = execFileSync(process.execPath, ['dist/cli.mjs', 'profile', '--quick', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 2 ** 20,
    }).toString();
    quickProfile[label] = (performance.now() - start) / 1e3;
    DeviceProfile.parse(JSON.parse(json));
    log(`servetune profile --quick (${label}): ${quickProfile[label].toFixed(1)} s, output validates`);
  }
}

const report = {
  createdAt: new Date().toISOString(),
  adapter: {
    vendor: adapter.vendor,
    architecture: adapter.architecture,
    description: adapter.description,
    backend: adapter.backend,
  },
  catalogId: matchCatalogHardware(adapter)?.id ?? null,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
  timingMethod: timer.method,
  loadAverage: { start: loadAtStart, end: loadAtEnd },
  gemm,
  copy: { bytes: copyBytes, best: copy.variant, bytesPerSecond: copy.bytesPerSecond, variants: copies },
  gemv: gemvResults,
  decodeAttention: decode,
  quickProfile,
};
const text = `${JSON.stringify(report, null, 2)}\n`;
if (out) writeFileSync(out, text);
process.stdout.write(text);
