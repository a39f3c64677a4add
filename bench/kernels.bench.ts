// Kernel benchmark: the measure stage's targets, measured side by side in one run.
//   npm run bench:kernels [-- --out bench/results/kernels-<device>.json] [-- --skip-profile]
// Prints a JSON report (and writes it with --out): tuned vs naive GEMM 1024³ f32, GEMV and decode
// attention bandwidth as fractions of the copy kernel's, and the wall time of `servetune profile --quick`
// with a cold and a warm shader cache.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { uploadTensor } from '../src/engine/gpu/buffers.js';
import { acquireGpu } from '../src/engine/gpu/device.js';
import type { Dispatch } from '../src/engine/gpu/pipelines.js';
import { FULL_BUDGET, KernelTimer } from '../src/engine/gpu/timing.js';
import { BufferArena } from '../src/engine/kernels/arena.js';
import { decodeAttention } from '../src/engine/kernels/attention.js';
import { COPY_VARIANTS, copyKernel } from '../src/engine/kernels/copy.js';
import { DEFAULT_TILED, gemv, naiveGemm, tiledGemm } from '../src/engine/kernels/gemm.js';
import { matchCatalogHardware } from '../src/engine/profile/catalog-match.js';
import { DeviceProfile } from '../src/engine/profile/schema.js';
import { SeededRandom } from '../src/engine/util/random.js';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
const skipProfile = args.includes('--skip-profile');

const gpu = await acquireGpu();
const timer = new KernelTimer(gpu);
const arena = new BufferArena(gpu.device);
const rng = new SeededRandom(7);
const budget = { ...FULL_BUDGET, targetSeconds: 1.5, minRepetitions: 3 };
const time = async (dispatches: Dispatch[]) => (await timer.measure(dispatches, budget)).timing;
const log = (line: string) => process.stderr.write(`${line}\n`);

// GEMM 1024³ f32, tuned and naive on the same inputs.
const n = 1024;
const a = uploadTensor(gpu.device, rng.floats(n * n), 'f32', 'a');
const b = uploadTensor(gpu.device, rng.floats(n * n), 'f32', 'b');
const c = arena.storage(n * n * 4, 'c');
const gemmArgs = { dtype: 'f32' as const, m: n, n, k: n, a, b, c };
const flops = 2 * n ** 3;
const tiled = await time([tiledGemm(gpu, arena, gemmArgs)]);
const naive = await time([naiveGemm(gpu, arena, gemmArgs)]);
const gemm = {
  shape: '1024x1024x1024 f32',
  tiledConfig: DEFAULT_TILED,
  tiledGflops: flops / tiled.median / 1e9,
  naiveGflops: flops / naive.median / 1e9,
  ratio: naive.median / tiled.median,
  target: 10,
  tiled,
  naive,
};
log(
  `GEMM 1024³ f32: tiled ${gemm.tiledGflops.toFixed(2)} GFLOP/s, naive ${gemm.naiveGflops.toFixed(2)}, ratio ${gemm.ratio.toFixed(2)}×`,
);

// Copy bandwidth (best variant), 64 MiB.
const copyBytes = 64 * 2 ** 20;
const src = arena.storage(copyBytes, 'src');
const dst = arena.storage(copyBytes, 'dst');
const copies = [];
for (const variant of COPY_VARIANTS) {
  const t = await time([copyKernel(gpu, arena, copyBytes, src, dst, variant)]);
  copies.push({ variant, bytesPerSecond: (2 * copyBytes) / t.median, time: t });
}
const copy = copies.reduce((best, v) => (v.bytesPerSecond > best.bytesPerSecond ? v : best));
log(
  `copy 64 MiB: ${copies.map((v) => `${(v.bytesPerSecond / 1e9).toFixed(2)} GB/s (word ${v.variant.word})`).join(', ')}`,
);

// GEMV: one row against a 4096 × 4096 weight, in each dtype.
const gemvResults = [];
for (const dtype of gpu.hasF16 ? (['f32', 'f16'] as const) : (['f32'] as const)) {
  const k = 4096;
  const size = dtype === 'f16' ? 2 : 4;
  for (const m of [1, 8]) {
    const t = await time([
      gemv(gpu, arena, {
        dtype,
        m,
        n: k,
        k,
        a: arena.storage(m * k * size, 'x'),
        b: arena.storage(k * k * size, 'w'),
        c: arena.storage(m * k * size, 'y'),
      }),
    ]);
    const bytes = (k * k + 2 * m * k) * size;
    const bytesPerSecond = bytes / t.median;
    gemvResults.push({
      dtype,
      m,
      n: k,
      k,
      bytesPerSecond,
      fractionOfCopy: bytesPerSecond / copy.bytesPerSecond,
      time: t,
    });
    log(
      `GEMV ${m}×${k}×${k} ${dtype}: ${(bytesPerSecond / 1e9).toFixed(2)} GB/s = ${(bytesPerSecond / copy.bytesPerSecond).toFixed(2)} of copy`,
    );
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
const decodeTime = await time(
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
const kvBytes = 2 * cacheBytes;
const decode = {
  dtype,
  batch,
  context,
  heads,
  kvHeads,
  headDim,
  blockSize,
  kvBytesPerSecond: kvBytes / decodeTime.median,
  fractionOfCopy: kvBytes / decodeTime.median / copy.bytesPerSecond,
  time: decodeTime,
};
log(
  `decode attention b${batch} ctx${context} ${dtype}: ${(decode.kvBytesPerSecond / 1e9).toFixed(2)} GB/s of KV = ${decode.fractionOfCopy.toFixed(3)} of copy`,
);
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
  gemm,
  copy: { bytes: copyBytes, best: copy.variant, bytesPerSecond: copy.bytesPerSecond, variants: copies },
  gemv: gemvResults,
  decodeAttention: decode,
  quickProfile,
};
const text = `${JSON.stringify(report, null, 2)}\n`;
if (out) writeFileSync(out, text);
process.stdout.write(text);
