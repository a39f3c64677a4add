import { bytesPerElement, createStorageBuffer, uploadTensor } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { type Dispatch, encodeDispatches } from '../gpu/pipelines.js';
import type { ShaderDtype } from '../gpu/types.js';
import { moeLayers } from '../model/geometry.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';
import type { SeededRandom } from '../util/random.js';
import { BufferArena } from './arena.js';
import {
  type AttentionShape,
  type DecodeSequence,
  decodeAttention,
  type PrefillPiece,
  prefillAttention,
} from './attention.js';
import { kvWrite, residualAdd, rmsNorm, rope, siluAndMul } from './elementwise.js';
import { linear } from './gemm.js';

/** The shapes of one Llama-style decoder layer on one GPU. */
export interface LayerShape {
  hiddenSize: number;
  intermediateSize: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  rmsEps: number;
  ropeTheta: number;
}

/**
 * The Llama-style layer these kernels run, from the model's geometry: its FFN width is one expert's
 * where the model has experts, else the dense MLP's.
 */
export function layerShapeOf(model: ModelSpec): LayerShape {
  const [moe] = moeLayers(model);
  return {
    hiddenSize: model.hiddenSize,
    intermediateSize: moe ? moe.width : model.intermediateSize,
    heads: model.numHeads,
    kvHeads: model.numKvHeads,
    headDim: model.headDim,
    rmsEps: 1e-5,
    ropeTheta: 500000,
  };
}

/**
 * The layer with every width divided by `divisor` (KV heads, heads, hidden and FFN widths alike; the
 * head dimension kept): the same kernels at a size that fits a smaller device. `divisor` must divide
 * the KV head count.
 */
export function scaleLayerShape(shape: LayerShape, divisor: number): LayerShape {
  if (!Number.isInteger(divisor) || divisor < 1 || shape.kvHeads % divisor !== 0) {
    throw new ServeTuneError(
      `layer scale 1/${divisor} must divide the ${shape.kvHeads} KV heads`,
      'invalid-argument',
    );
  }
  const roundTo4 = (value: number) => Math.max(4, Math.round(value / 4) * 4);
  return {
    ...shape,
    heads: shape.heads / divisor,
    kvHeads: shape.kvHeads / divisor,
    hiddenSize: roundTo4(shape.hiddenSize / divisor),
    intermediateSize: roundTo4(shape.intermediateSize / divisor),
  };
}

function checkLayerShape(shape: LayerShape): void {
  const problems: string[] = [];
  if (shape.heads % shape.kvHeads !== 0) problems.push('heads must be a multiple of kvHeads');
  if (shape.headDim % 4 !== 0) problems.push('headDim must be a multiple of 4');
  if (shape.hiddenSize % 4 !== 0) problems.push('hiddenSize must be a multiple of 4');
  if (shape.intermediateSize % 4 !== 0) problems.push('intermediateSize must be a multiple of 4');
  if (problems.length > 0)
    throw new ServeTuneError(`layer shape: ${problems.join('; ')}`, 'invalid-argument');
}

const qkvWidth = (s: LayerShape) => (s.heads + 2 * s.kvHeads) * s.headDim;

/** Parameters of one layer; linear weights are stored input-major ([in, out]). */
interface LayerWeightsHost {
  inputNorm: Float32Array;
  /** [hidden, (heads + 2·kvHeads)·headDim]: q, k, v fused. */
  qkv: Float32Array;
  /** [heads·headDim, hidden]. */
  o: Float32Array;
  postNorm: Float32Array;
  /** [hidden, 2·intermediate]: gate, then up. */
  gateUp: Float32Array;
  /** [intermediate, hidden]. */
  down: Float32Array;
}

export function weightCount(shape: LayerShape): number {
  const h = shape.hiddenSize;
  return 2 * h + h * qkvWidth(shape) + shape.heads * shape.headDim * h + 3 * h * shape.intermediateSize;
}

/** Random weights scaled by 1/√fan-in so activations stay of order one through the layer. */
export function randomLayerWeights(shape: LayerShape, rng: SeededRandom): LayerWeightsHost {
  const h = shape.hiddenSize;
  const f = shape.intermediateSize;
  const attn = shape.heads * shape.headDim;
  const norm = () => Float32Array.from({ length: h }, () => 1 + rng.uniform(0.1));
  return {
    inputNorm: norm(),
    qkv: rng.floats(h * qkvWidth(shape), 1 / Math.sqrt(h)),
    o: rng.floats(attn * h, 1 / Math.sqrt(attn)),
    postNorm: norm(),
    gateUp: rng.floats(h * 2 * f, 1 / Math.sqrt(h)),
    down: rng.floats(f * h, 1 / Math.sqrt(f)),
  };
}

/** One layer's weights in GPU buffers. */
export class LayerWeights {
  readonly inputNorm: GPUBuffer;
  readonly qkv: GPUBuffer;
  readonly o: GPUBuffer;
  readonly postNorm: GPUBuffer;
  readonly gateUp: GPUBuffer;
  readonly down: GPUBuffer;

  constructor(gpu: GpuContext, host: LayerWeightsHost, dtype: ShaderDtype) {
    const up = (values: Float32Array, name: string) =>
      uploadTensor(gpu.device, values, dtype, `layer ${name}`);
    this.inputNorm = up(host.inputNorm, 'input_norm');
    this.qkv = up(host.qkv, 'qkv_proj');
    this.o = up(host.o, 'o_proj');
    this.postNorm = up(host.postNorm, 'post_attention_norm');
    this.gateUp = up(host.gateUp, 'gate_up_proj');
    this.down = up(host.down, 'down_proj');
  }

  destroy(): void {
    for (const buffer of [this.inputNorm, this.qkv, this.o, this.postNorm, this.gateUp, this.down])
      buffer.destroy();
  }
}

interface KvCacheConfig {
  layers: number;
  blocks: number;
  blockSize: number;
  kvHeads: number;
  headDim: number;
  dtype: ShaderDtype;
}

/**
 * A paged KV cache: a pool of fixed-size blocks per layer (K and V buffers laid out
 * [blocks, kvHeads, blockSize, headDim]) and a free list. A sequence owns a block table, the ids of
 * its blocks in order; token p of the sequence lives in block table[p / blockSize] at p % blockSize.
 */
export class PagedKvCache {
  readonly k: GPUBuffer[] = [];
  readonly v: GPUBuffer[] = [];
  private readonly free: number[];

  constructor(
    gpu: GpuContext,
    readonly config: KvCacheConfig,
  ) {
    const bytes = PagedKvCache.bytesPerLayer(config);
    const limit = gpu.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new ServeTuneError(
        `KV cache: ${bytes} bytes per layer exceed the device's storage binding limit ${limit}; use fewer blocks`,
        'does-not-fit',
      );
    }
    for (let layer = 0; layer < config.layers; layer++) {
      this.k.push(createStorageBuffer(gpu.device, bytes, `k cache ${layer}`));
      this.v.push(createStorageBuffer(gpu.device, bytes, `v cache ${layer}`));
    }
    // Hand out low block ids first.
    this.free = Array.from({ length: config.blocks }, (_, i) => config.blocks - 1 - i);
  }

  static bytesPerLayer(config: Omit<KvCacheConfig, 'layers'>): number {
    return config.blocks * config.kvHeads * config.blockSize * config.headDim * bytesPerElement(config.dtype);
  }

  get freeBlocks(): number {
    return this.free.length;
  }

  /** Blocks needed to hold `tokens` tokens. */
  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.config.blockSize);
  }

  allocate(count: number): number[] {
    if (count > this.free.length) {
      throw new ServeTuneError(`KV cache: ${count} blocks wanted, ${this.free.length} free`, 'does-not-fit');
    }
    return this.free.splice(this.free.length - count, count).reverse();
  }

  release(blocks: readonly number[]): void {
    for (const block of blocks) {
      if (block < 0 || block >= this.config.blocks)
        throw new ServeTuneError(`KV cache: no block ${block}`, 'invalid-argument');
      this.free.push(block);
    }
  }

  destroy(): void {
    for (const buffer of [...this.k, ...this.v]) buffer.destroy();
  }
}

/**
 * One sequence's part of an engine step: `tokens` new tokens after `context` cached ones. Its block
 * table must already cover context + tokens. A decode is tokens = 1; a prefill chunk, tokens > 1.
 */
export interface StepSequence {
  tokens: number;
  context: number;
  blockTable: readonly number[];
}

/** A step's metadata on the device, shared by every layer: rows are the sequences' tokens in order. */
interface PreparedStep {
  tokens: number;
  positions: GPUBuffer;
  slots: GPUBuffer;
  blockTable: GPUBuffer;
  prefill: PrefillPiece[];
  decode: DecodeSequence[];
}

export function prepareStep(
  _gpu: GpuContext,
  arena: BufferArena,
  sequences: readonly StepSequence[],
  blockSize: number,
): PreparedStep {
  const positions: number[] = [];
  const slots: number[] = [];
  const table: number[] = [];
  const prefill: PrefillPiece[] = [];
  const decode: DecodeSequence[] = [];
  sequences.forEach((seq, index) => {
    if (
      !Number.isInteger(seq.tokens) ||
      seq.tokens < 1 ||
      !Number.isInteger(seq.context) ||
      seq.context < 0
    ) {
      throw new ServeTuneError(
        `step sequence ${index}: tokens ≥ 1 and context ≥ 0 required`,
        'invalid-argument',
      );
    }
    const needed = Math.ceil((seq.context + seq.tokens) / blockSize);
    if (seq.blockTable.length < needed) {
      throw new ServeTuneError(
        `step sequence ${index}: ${seq.context + seq.tokens} tokens need ${needed} blocks, the block table has ${seq.blockTable.length}`,
        'invalid-argument',
      );
    }
    const qRow = positions.length;
    const tableStart = table.length;
    table.push(...seq.blockTable.slice(0, needed));
    for (let i = 0; i < seq.tokens; i++) {
      const position = seq.context + i;
      positions.push(position);
      slots.push(seq.blockTable[Math.floor(position / blockSize)] * blockSize + (position % blockSize));
    }
    if (seq.tokens === 1) decode.push({ qRow, keys: seq.context + 1, tableStart });
    else prefill.push({ qRow, tokens: seq.tokens, context: seq.context, tableStart });
  });
  return {
    tokens: positions.length,
    positions: arena.uploadU32(positions, 'step positions'),
    slots: arena.uploadU32(slots, 'step slots'),
    blockTable: arena.uploadU32(table, 'step block table'),
    prefill,
    decode,
  };
}

/**
 * The forward pass of one decoder layer over a mixed batch (prefill chunks and decodes together, as a
 * chunked-prefill engine runs them), built from the kernel suite:
 *   RMSNorm → qkv linear → RoPE → KV write → attention (prefill pieces: flash kernel; decodes: paged
 *   split-KV kernel) → o linear → residual add → RMSNorm → gate/up linear → SiLU-and-mul → down linear
 *   → residual add.
 * The hidden state [tokens, hidden] is updated in place. Scratch is sized for `maxTokens` rows.
 */
export class LayerForward {
  private readonly normed: GPUBuffer;
  private readonly qkv: GPUBuffer;
  private readonly attention: GPUBuffer;
  private readonly projected: GPUBuffer;
  private readonly gateUp: GPUBuffer;
  private readonly activated: GPUBuffer;

  constructor(
    private readonly gpu: GpuContext,
    readonly shape: LayerShape,
    readonly dtype: ShaderDtype,
    readonly maxTokens: number,
  ) {
    checkLayerShape(shape);
    const e = bytesPerElement(dtype);
    const rows = maxTokens;
    const make = (elements: number, label: string) =>
      createStorageBuffer(gpu.device, rows * elements * e, label);
    this.normed = make(shape.hiddenSize, 'layer normed');
    this.qkv = make(qkvWidth(shape), 'layer qkv');
    this.attention = make(shape.heads * shape.headDim, 'layer attention out');
    this.projected = make(shape.hiddenSize, 'layer projected');
    this.gateUp = make(2 * shape.intermediateSize, 'layer gate_up');
    this.activated = make(shape.intermediateSize, 'layer activated');
  }

  dispatches(
    arena: BufferArena,
    step: PreparedStep,
    weights: LayerWeights,
    kCache: GPUBuffer,
    vCache: GPUBuffer,
    blockSize: number,
    hidden: GPUBuffer,
  ): Dispatch[] {
    const { gpu, shape, dtype } = this;
    const t = step.tokens;
    if (t > this.maxTokens) {
      throw new ServeTuneError(
        `layer forward: ${t} tokens exceed the ${this.maxTokens} it was built for`,
        'invalid-argument',
      );
    }
    const h = shape.hiddenSize;
    const f = shape.intermediateSize;
    const attnWidth = shape.heads * shape.headDim;
    const attentionShape: AttentionShape = {
      dtype,
      heads: shape.heads,
      kvHeads: shape.kvHeads,
      headDim: shape.headDim,
      blockSize,
      qStride: qkvWidth(shape),
      outStride: attnWidth,
    };
    const attentionBuffers = {
      qkv: this.qkv,
      blockTable: step.blockTable,
      kCache,
      vCache,
      out: this.attention,
    };
    const out: Dispatch[] = [
      rmsNorm(gpu, arena, {
        dtype,
        rows: t,
        width: h,
        eps: shape.rmsEps,
        x: hidden,
        weight: weights.inputNorm,
        y: this.normed,
      }),
      linear(gpu, arena, {
        dtype,
        m: t,
        n: qkvWidth(shape),
        k: h,
        a: this.normed,
        b: weights.qkv,
        c: this.qkv,
      }),
      rope(gpu, arena, {
        dtype,
        tokens: t,
        heads: shape.heads + shape.kvHeads,
        headDim: shape.headDim,
        rowStride: qkvWidth(shape),
        theta: shape.ropeTheta,
        positions: step.positions,
        x: this.qkv,
      }),
      kvWrite(gpu, arena, {
        dtype,
        tokens: t,
        heads: shape.heads,
        kvHeads: shape.kvHeads,
        headDim: shape.headDim,
        blockSize,
        qkv: this.qkv,
        slots: step.slots,
        kCache,
        vCache,
      }),
    ];
    if (step.prefill.length > 0)
      out.push(prefillAttention(gpu, arena, attentionShape, step.prefill, attentionBuffers));
    out.push(...decodeAttention(gpu, arena, attentionShape, step.decode, attentionBuffers));
    out.push(
      linear(gpu, arena, {
        dtype,
        m: t,
        n: h,
        k: attnWidth,
        a: this.attention,
        b: weights.o,
        c: this.projected,
      }),
      residualAdd(gpu, arena, { dtype, count: t * h, x: hidden, y: this.projected }),
      rmsNorm(gpu, arena, {
        dtype,
        rows: t,
        width: h,
        eps: shape.rmsEps,
        x: hidden,
        weight: weights.postNorm,
        y: this.normed,
      }),
      linear(gpu, arena, { dtype, m: t, n: 2 * f, k: h, a: this.normed, b: weights.gateUp, c: this.gateUp }),
      siluAndMul(gpu, arena, { dtype, tokens: t, width: f, x: this.gateUp, y: this.activated }),
      linear(gpu, arena, { dtype, m: t, n: h, k: f, a: this.activated, b: weights.down, c: this.projected }),
      residualAdd(gpu, arena, { dtype, count: t * h, x: hidden, y: this.projected }),
    );
    return out;
  }

  destroy(): void {
    for (const buffer of [
      this.normed,
      this.qkv,
      this.attention,
      this.projected,
      this.gateUp,
      this.activated,
    ]) {
      buffer.destroy();
    }
  }
}

/**
 * One engine step through a stack of layers: the step's metadata is uploaded once, every layer's
 * dispatches go into one compute pass, and one submit runs them. `hidden` ([tokens, hidden], the
 * sequences' rows in order) is updated in place.
 */
export async function forwardStep(
  gpu: GpuContext,
  forward: LayerForward,
  layers: readonly LayerWeights[],
  cache: PagedKvCache,
  sequences: readonly StepSequence[],
  hidden: GPUBuffer,
): Promise<void> {
  const arena = new BufferArena(gpu.device);
  try {
    const dispatches = stepDispatches(gpu, arena, forward, layers, cache, sequences, hidden);
    const encoder = gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, dispatches);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
  } finally {
    arena.destroy();
  }
}

/** The dispatches of one step through every layer, for callers that encode or time them themselves. */
export function stepDispatches(
  gpu: GpuContext,
  arena: BufferArena,
  forward: LayerForward,
  layers: readonly LayerWeights[],
  cache: PagedKvCache,
  sequences: readonly StepSequence[],
  hidden: GPUBuffer,
): Dispatch[] {
  if (layers.length > cache.config.layers) {
    throw new ServeTuneError(
      `${layers.length} layers but a KV cache for ${cache.config.layers}`,
      'invalid-argument',
    );
  }
  const step = prepareStep(gpu, arena, sequences, cache.config.blockSize);
  return layers.flatMap((weights, layer) =>
    forward.dispatches(arena, step, weights, cache.k[layer], cache.v[layer], cache.config.blockSize, hidden),
  );
}
