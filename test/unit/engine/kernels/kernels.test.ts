import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { uploadU32 } from '../../../../src/engine/gpu/buffers.js';
import type { ShaderDtype } from '../../../../src/engine/gpu/types.js';
import { BufferArena } from '../../../../src/engine/kernels/arena.js';
import {
  type AttentionShape,
  type DecodeSequence,
  type DecodeVariant,
  decodeAttention,
  decodeUsesLanes,
  type PrefillPiece,
  prefillAttention,
} from '../../../../src/engine/kernels/attention.js';
import { COPY_VARIANTS, copyKernel, copyVariantName } from '../../../../src/engine/kernels/copy.js';
import {
  kvWrite,
  residualAdd,
  rmsNorm,
  rope,
  siluAndMul,
} from '../../../../src/engine/kernels/elementwise.js';
import {
  type BroadcastGemmConfig,
  broadcastGemm,
  DEFAULT_TILED,
  type GemmKernel,
  gemmDispatch,
  tiledGemm,
} from '../../../../src/engine/kernels/gemm.js';
import {
  attentionRef,
  matmulRef,
  rmsNormRef,
  ropeRef,
  siluAndMulRef,
} from '../../../../src/engine/kernels/reference.js';
import { SeededRandom } from '../../../../src/engine/util/random.js';
import { asDtype, assertClose, read, requireGpu, run, upload } from '../../helpers/gpu-fixture.js';

const gpu = await requireGpu();
const arena = new BufferArena(gpu.device);
after(() => {
  arena.destroy();
  gpu.destroy();
});
const dtypes: ShaderDtype[] = gpu.hasF16 ? ['f32', 'f16'] : ['f32'];

it('has an adapter with the features the profiler reports', () => {
  assert.ok(gpu.info.description.length > 0);
  assert.ok(gpu.info.limits.maxStorageBufferBindingSize > 0);
});

describe('GEMM', () => {
  const cases: { kernel: GemmKernel; m: number; n: number; k: number }[] = [
    { kernel: 'naive', m: 5, n: 7, k: 9 },
    { kernel: 'naive', m: 33, n: 40, k: 24 },
    { kernel: 'tiled', m: 67, n: 72, k: 52 },
    { kernel: 'tiled', m: 128, n: 64, k: 96 },
    { kernel: 'tiled', m: 3, n: 132, k: 20 },
    { kernel: 'gemv', m: 1, n: 136, k: 100 },
    { kernel: 'gemv', m: 2, n: 72, k: 44 },
    { kernel: 'gemv', m: 3, n: 64, k: 48 },
    { kernel: 'gemv', m: 4, n: 200, k: 64 },
    { kernel: 'gemv', m: 7, n: 200, k: 44 },
    { kernel: 'gemv', m: 13, n: 72, k: 36 },
  ];
  for (const dtype of dtypes) {
    for (const { kernel, m, n, k } of cases) {
      it(`${kernel} ${m}×${n}×${k} ${dtype} matches the CPU reference`, async () => {
        const rng = new SeededRandom(m * 1000 + n + k);
        const a = asDtype(rng.floats(m * k), dtype);
        const b = asDtype(rng.floats(k * n), dtype);
        const c = arena.storage(m * n * 4, 'c');
        const args = { dtype, m, n, k, a: upload(gpu, a, dtype), b: upload(gpu, b, dtype), c };
        await run(gpu, [gemmDispatch(gpu, arena, kernel, args)]);
        // Sums of k products of values in [-1, 1]: errors grow with √k.
        assertClose(await read(gpu, c, m * n, dtype), matmulRef(a, b, m, n, k), dtype, kernel, Math.sqrt(k));
      });
    }
  }

  async function checkGemm(
    dtype: ShaderDtype,
    m: number,
    n: number,
    k: number,
    what: string,
    dispatch: (args: Parameters<typeof tiledGemm>[2]) => ReturnType<typeof tiledGemm>,
  ): Promise<void> {
    const rng = new SeededRandom(m * 7919 + n * 31 + k);
    const a = asDtype(rng.floats(m * k), dtype);
    const b = asDtype(rng.floats(k * n), dtype);
    const c = arena.storage(m * n * 4, 'c');
    await run(gpu, [dispatch({ dtype, m, n, k, a: upload(gpu, a, dtype), b: upload(gpu, b, dtype), c })]);
    assertClose(await read(gpu, c, m * n, dtype), matmulRef(a, b, m, n, k), dtype, what, Math.sqrt(k));
  }

  // The tuned kernel differs by device; both families are checked wherever they can run.
  for (const dtype of dtypes) {
    it(`workgroup-tiled GEMM 67×72×52 ${dtype} matches the CPU reference`, () =>
      checkGemm(dtype, 67, 72, 52, 'workgroup-tiled', (args) => tiledGemm(gpu, arena, args, DEFAULT_TILED)));
  }
  if (gpu.hasSubgroups && gpu.info.subgroupMinSize === gpu.info.subgroupMaxSize) {
    const subgroup = gpu.info.subgroupMinSize;
    // Rows below, at and above the subgroup size; n not a multiple of the columns per workgroup, nor
    // (132) of 8, so f16 takes both the packed and the vec4 path; k / 4 odd for the k-step tail.
    const shapes = [
      { rows: 1, m: 1, n: 136, k: 100 },
      { rows: 2, m: 2, n: 72, k: 44 },
      { rows: 4, m: 3, n: 132, k: 20 },
      { rows: subgroup, m: 7, n: 200, k: 36 },
      { rows: 2 * subgroup, m: 13, n: 72, k: 52 },
      { rows: 4 * subgroup, m: 67, n: 520, k: 28 },
      { rows: 4 * subgroup, m: 40, n: 132, k: 12 },
    ];
    for (const dtype of dtypes) {
      for (const { rows, m, n, k } of shapes) {
        const config: BroadcastGemmConfig = { rows, words: 1, wg: 8 * subgroup, subgroup };
        it(`broadcast GEMM (rows ${rows}) ${m}×${n}×${k} ${dtype} matches the CPU reference`, () =>
          checkGemm(dtype, m, n, k, 'broadcast', (args) => broadcastGemm(gpu, arena, args, config)));
      }
      it(`broadcast GEMM with 2 words per invocation ${dtype} matches the CPU reference`, () =>
        checkGemm(dtype, 19, 264, 24, 'broadcast', (args) =>
          broadcastGemm(gpu, arena, args, { rows: subgroup, words: 2, wg: subgroup, subgroup }),
        ));
    }
  }
});

describe('elementwise kernels', () => {
  for (const dtype of dtypes) {
    const subgroupModes = gpu.hasSubgroups ? [true, false] : [false];
    for (const subgroups of subgroupModes) {
      it(`RMSNorm ${dtype} (${subgroups ? 'subgroups' : 'workgroup memory'}) matches`, async () => {
        const rows = 7;
        const width = 264;
        const rng = new SeededRandom(11);
        const x = asDtype(rng.floats(rows * width, 3), dtype);
        const w = asDtype(rng.floats(width), dtype);
        const y = arena.storage(rows * width * 4, 'y');
        await run(gpu, [
          rmsNorm(gpu, arena, {
            dtype,
            rows,
            width,
            eps: 1e-5,
            x: upload(gpu, x, dtype),
            weight: upload(gpu, w, dtype),
            y,
            subgroups,
          }),
        ]);
        assertClose(
          await read(gpu, y, rows * width, dtype),
          rmsNormRef(x, w, rows, width, 1e-5),
          dtype,
          'rmsnorm',
        );
      });
    }

    it(`RoPE ${dtype} rotates q and k heads in place and leaves the rest`, async () => {
      const tokens = 5;
      const heads = 3;
      const headDim = 16;
      const rowStride = 5 * headDim; // 3 rotated heads, then 2 that must stay untouched
      const rng = new SeededRandom(12);
      const x = asDtype(rng.floats(tokens * rowStride), dtype);
      const positions = [0, 1, 7, 100, 4095];
      const buffer = upload(gpu, x, dtype);
      await run(gpu, [
        rope(gpu, arena, {
          dtype,
          tokens,
          heads,
          headDim,
          rowStride,
          theta: 10000,
          positions: uploadU32(gpu.device, positions, 'positions'),
          x: buffer,
        }),
      ]);
      const expected = Float32Array.from(x);
      ropeRef(expected, positions, tokens, heads, headDim, rowStride, 10000);
      assertClose(await read(gpu, buffer, tokens * rowStride, dtype), expected, dtype, 'rope');
    });

    it(`SiLU-and-mul ${dtype} matches`, async () => {
      const tokens = 6;
      const width = 44;
      const x = asDtype(new SeededRandom(13).floats(tokens * 2 * width, 4), dtype);
      const y = arena.storage(tokens * width * 4, 'y');
      await run(gpu, [siluAndMul(gpu, arena, { dtype, tokens, width, x: upload(gpu, x, dtype), y })]);
      assertClose(
        await read(gpu, y, tokens * width, dtype),
        siluAndMulRef(x, tokens, width),
        dtype,
        'silu_mul',
        4,
      );
    });

    it(`residual add ${dtype} adds in place`, async () => {
      const count = 1000;
      const rng = new SeededRandom(14);
      const x = asDtype(rng.floats(count), dtype);
      const y = asDtype(rng.floats(count), dtype);
      const xb = upload(gpu, x, dtype);
      await run(gpu, [residualAdd(gpu, arena, { dtype, count, x: xb, y: upload(gpu, y, dtype) })]);
      assertClose(
        await read(gpu, xb, count, dtype),
        x.map((v, i) => v + y[i]),
        dtype,
        'residual_add',
      );
    });
  }

  for (const variant of COPY_VARIANTS) {
    it(`copy (${copyVariantName(variant)}) moves every byte`, async () => {
      const bytes = 16 * 70_001;
      const words = new SeededRandom(15).floats(bytes / 4);
      const dst = arena.storage(bytes, 'dst');
      await run(gpu, [copyKernel(gpu, arena, bytes, upload(gpu, words, 'f32'), dst, variant)]);
      assert.deepEqual(await read(gpu, dst, bytes / 4, 'f32'), words);
    });
  }
});

/**
 * A paged KV cache on the host: each sequence's keys spread over blocks in a shuffled order, so a
 * kernel that ignores the block table cannot pass.
 */
class HostPagedCache {
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly table: number[] = [];
  private nextFree: number[];
  constructor(
    readonly blocks: number,
    readonly blockSize: number,
    readonly kvHeads: number,
    readonly headDim: number,
    rng: SeededRandom,
  ) {
    this.k = new Float32Array(blocks * kvHeads * blockSize * headDim);
    this.v = new Float32Array(this.k.length);
    this.nextFree = Array.from({ length: blocks }, (_, i) => i);
    for (let i = blocks - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [this.nextFree[i], this.nextFree[j]] = [this.nextFree[j], this.nextFree[i]];
    }
  }

  /** Stores keys/values [n, kvHeads·headDim] for a new sequence; returns its table start. */
  addSequence(keys: Float32Array, values: Float32Array, n: number): number {
    const start = this.table.length;
    const width = this.kvHeads * this.headDim;
    for (let b = 0; b < Math.ceil(n / this.blockSize); b++) this.table.push(this.nextFree.pop()!);
    for (let p = 0; p < n; p++) {
      const block = this.table[start + Math.floor(p / this.blockSize)];
      for (let h = 0; h < this.kvHeads; h++) {
        const dst = ((block * this.kvHeads + h) * this.blockSize + (p % this.blockSize)) * this.headDim;
        const src = p * width + h * this.headDim;
        this.k.set(keys.subarray(src, src + this.headDim), dst);
        this.v.set(values.subarray(src, src + this.headDim), dst);
      }
    }
    return start;
  }
}

describe('attention over a paged KV cache', () => {
  const heads = 4;
  const kvHeads = 2;
  const headDim = 32;
  const blockSize = 8;
  const extraColumns = 8; // q rows wider than the q heads, as in fused qkv rows
  const qStride = heads * headDim + extraColumns;

  function shape(dtype: ShaderDtype): AttentionShape {
    return { dtype, heads, kvHeads, headDim, blockSize, qStride, outStride: heads * headDim };
  }

  /** Random q rows and per-sequence keys; the reference output for every row. */
  function buildCase(dtype: ShaderDtype, sequences: { tokens: number; keys: number }[], seed: number) {
    const rng = new SeededRandom(seed);
    const cache = new HostPagedCache(64, blockSize, kvHeads, headDim, rng);
    const totalRows = sequences.reduce((sum, s) => sum + s.tokens, 0);
    const q = asDtype(rng.floats(totalRows * qStride), dtype);
    const expected = new Float32Array(totalRows * heads * headDim);
    const placed: { qRow: number; tokens: number; keys: number; tableStart: number }[] = [];
    let row = 0;
    for (const s of sequences) {
      const keys = asDtype(rng.floats(s.keys * kvHeads * headDim), dtype);
      const values = asDtype(rng.floats(s.keys * kvHeads * headDim), dtype);
      const tableStart = cache.addSequence(keys, values, s.keys);
      const queries = new Float32Array(s.tokens * heads * headDim);
      for (let t = 0; t < s.tokens; t++) {
        queries.set(
          q.subarray((row + t) * qStride, (row + t) * qStride + heads * headDim),
          t * heads * headDim,
        );
      }
      const out = attentionRef(queries, keys, values, s.tokens, s.keys, heads, kvHeads, headDim);
      expected.set(out, row * heads * headDim);
      placed.push({ qRow: row, tokens: s.tokens, keys: s.keys, tableStart });
      row += s.tokens;
    }
    const out = arena.storage(totalRows * heads * headDim * 4, 'attention out');
    const buffers = {
      qkv: upload(gpu, q, dtype),
      blockTable: uploadU32(gpu.device, cache.table, 'block table'),
      kCache: upload(gpu, asDtype(cache.k, dtype), dtype),
      vCache: upload(gpu, asDtype(cache.v, dtype), dtype),
      out,
    };
    return { placed, expected, buffers, totalRows };
  }

  for (const dtype of dtypes) {
    it(`prefill ${dtype}: chunks with and without cached context, GQA`, async () => {
      const c = buildCase(
        dtype,
        [
          { tokens: 37, keys: 37 }, // a first chunk: no context
          { tokens: 9, keys: 50 }, // a later chunk after 41 cached keys
          { tokens: 2, keys: 2 },
        ],
        21,
      );
      const pieces: PrefillPiece[] = c.placed.map((p) => ({
        qRow: p.qRow,
        tokens: p.tokens,
        context: p.keys - p.tokens,
        tableStart: p.tableStart,
      }));
      await run(gpu, [prefillAttention(gpu, arena, shape(dtype), pieces, c.buffers)]);
      assertClose(
        await read(gpu, c.buffers.out, c.expected.length, dtype),
        c.expected,
        dtype,
        'prefill attention',
      );
    });

    const decodeVariants: DecodeVariant[] = decodeUsesLanes(gpu, headDim)
      ? ['workgroup', 'lanes']
      : ['workgroup'];
    for (const [splitSize, variant] of decodeVariants.flatMap((v) =>
      [undefined, 16].map((s) => [s, v] as const),
    )) {
      it(`decode ${dtype} (${variant}), ${splitSize ? `split-KV of ${splitSize} keys` : 'default split'}, GQA`, async () => {
        const c = buildCase(
          dtype,
          [
            { tokens: 1, keys: 1 },
            { tokens: 1, keys: 45 },
            { tokens: 1, keys: 100 },
            { tokens: 1, keys: 16 },
          ],
          22,
        );
        const sequences: DecodeSequence[] = c.placed.map((p) => ({
          qRow: p.qRow,
          keys: p.keys,
          tableStart: p.tableStart,
        }));
        const dispatches = decodeAttention(
          gpu,
          arena,
          shape(dtype),
          sequences,
          c.buffers,
          splitSize,
          variant,
        );
        assert.equal(dispatches.length, splitSize ? 2 : 1, 'a split run ends with the combine dispatch');
        await run(gpu, dispatches);
        assertClose(
          await read(gpu, c.buffers.out, c.expected.length, dtype),
          c.expected,
          dtype,
          'decode attention',
        );
      });
    }

    it(`kv_write ${dtype} appends k and v heads at the tokens' slots`, async () => {
      const tokens = 3;
      const rowWidth = (heads + 2 * kvHeads) * headDim;
      const qkv = asDtype(new SeededRandom(23).floats(tokens * rowWidth), dtype);
      const blocks = 4;
      const cacheElements = blocks * kvHeads * blockSize * headDim;
      const kCache = arena.storage(cacheElements * 4, 'k');
      const vCache = arena.storage(cacheElements * 4, 'v');
      const slots = [3 * blockSize + 5, 0 * blockSize + 7, 2 * blockSize];
      await run(gpu, [
        kvWrite(gpu, arena, {
          dtype,
          tokens,
          heads,
          kvHeads,
          headDim,
          blockSize,
          qkv: upload(gpu, qkv, dtype),
          slots: uploadU32(gpu.device, slots, 'slots'),
          kCache,
          vCache,
        }),
      ]);
      const k = await read(gpu, kCache, cacheElements, dtype);
      const v = await read(gpu, vCache, cacheElements, dtype);
      for (let t = 0; t < tokens; t++) {
        const block = Math.floor(slots[t] / blockSize);
        const offset = slots[t] % blockSize;
        for (let h = 0; h < kvHeads; h++) {
          const at = ((block * kvHeads + h) * blockSize + offset) * headDim;
          const kSrc = t * rowWidth + (heads + h) * headDim;
          const vSrc = t * rowWidth + (heads + kvHeads + h) * headDim;
          assert.deepEqual(k.subarray(at, at + headDim), qkv.subarray(kSrc, kSrc + headDim));
          assert.deepEqual(v.subarray(at, at + headDim), qkv.subarray(vSrc, vSrc + headDim));
        }
      }
    });
  }
});
