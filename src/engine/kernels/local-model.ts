import {
  BufferUsage,
  bytesPerElement,
  createStorageBuffer,
  encodeTensor,
  uploadTensor,
  writeBytes,
} from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { encodeDispatches } from '../gpu/pipelines.js';
import { pacedGpuWait } from '../gpu/poll-pacing.js';
import type { ShaderDtype } from '../gpu/types.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';
import { SeededRandom } from '../util/random.js';
import { rmsNorm } from './elementwise.js';
import { linear } from './gemm.js';
import {
  LayerForward,
  LayerWeights,
  layerShapeOf,
  PagedKvCache,
  randomLayerWeights,
  type StepSequence,
  stepDispatches,
} from './layer.js';
import { argmax } from './sampling.js';
import { StepArena } from './step-arena.js';

interface LocalModelOptions {
  dtype: ShaderDtype;
  /** Most tokens in one step (the scheduler's token budget). */
  maxTokens: number;
  /** Most sequences in one step (the scheduler's max-num-seqs). */
  maxSequences: number;
  kvBlocks: number;
  blockSize: number;
  seed: number;
}

/** One sequence's part of a step, with the token ids it feeds; `samples` when its last token yields the next one. */
export interface ModelStepSequence extends StepSequence {
  tokenIds: ArrayLike<number>;
  samples: boolean;
}

/**
 * A Llama-shaped model with seeded random weights on the GPU: embedding rows gathered on the host and
 * uploaded with the step, every decoder layer through `stepDispatches` (one compute pass), then for
 * the sampling rows only: final RMSNorm, LM head and a greedy argmax on the device. One submit per
 * step; only the sampled ids are read back.
 */
export class LocalModel {
  readonly cache: PagedKvCache;
  private readonly embedding: Float32Array;
  private readonly layers: LayerWeights[];
  private readonly forward: LayerForward;
  private readonly finalNorm: GPUBuffer;
  private readonly lmHead: GPUBuffer;
  private readonly hidden: GPUBuffer;
  private readonly sampledHidden: GPUBuffer;
  private readonly sampledNormed: GPUBuffer;
  private readonly logits: GPUBuffer;
  private readonly ids: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly rowBytes: number;
  /** Parameter uniforms, scratch and bind groups reused from step to step. */
  private readonly arena: StepArena;

  constructor(
    private readonly gpu: GpuContext,
    readonly spec: ModelSpec,
    readonly options: LocalModelOptions,
  ) {
    if (spec.moe) throw new ServeTuneError('the local engine serves dense models only', 'invalid-argument');
    if (options.dtype === 'f16' && !gpu.hasF16) {
      throw new ServeTuneError('f16 requested but the adapter has no shader-f16', 'invalid-argument');
    }
    const { dtype } = options;
    const shape = layerShapeOf(spec);
    const h = spec.hiddenSize;
    const vocab = spec.vocabSize;
    if (vocab % 4 !== 0) {
      throw new ServeTuneError(`vocabulary size ${vocab} must be a multiple of 4`, 'invalid-argument');
    }
    const rng = new SeededRandom(options.seed);
    this.embedding = rng.floats(vocab * h, 1);
    this.layers = [];
    for (let i = 0; i < spec.numLayers; i++) {
      this.layers.push(new LayerWeights(gpu, randomLayerWeights(shape, rng), dtype));
    }
    this.finalNorm = uploadTensor(
      gpu.device,
      Float32Array.from({ length: h }, () => 1 + rng.uniform(0.1)),
      dtype,
      'final norm',
    );
    this.lmHead = uploadTensor(gpu.device, rng.floats(h * vocab, 1 / Math.sqrt(h)), dtype, 'lm head');
    this.forward = new LayerForward(gpu, shape, dtype, options.maxTokens);
    this.cache = new PagedKvCache(gpu, {
      layers: spec.numLayers,
      blocks: options.kvBlocks,
      blockSize: options.blockSize,
      kvHeads: spec.numKvHeads,
      headDim: spec.headDim,
      dtype,
    });
    const e = bytesPerElement(dtype);
    this.rowBytes = h * e;
    this.hidden = createStorageBuffer(gpu.device, options.maxTokens * h * e, 'hidden');
    this.sampledHidden = createStorageBuffer(gpu.device, options.maxSequences * h * e, 'sampled hidden');
    this.sampledNormed = createStorageBuffer(gpu.device, options.maxSequences * h * e, 'sampled normed');
    this.logits = createStorageBuffer(gpu.device, options.maxSequences * vocab * e, 'logits');
    this.ids = createStorageBuffer(gpu.device, options.maxSequences * 4, 'sampled ids');
    this.arena = new StepArena(gpu.device);
    this.staging = gpu.device.createBuffer({
      label: 'sampled ids read-back',
      size: Math.max(16, Math.ceil((options.maxSequences * 4) / 16) * 16),
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
  }

  /**
   * Runs one step and returns the greedy next token of each sampling sequence, in order. The block
   * tables must already cover every sequence's context + tokens.
   */
  async step(sequences: readonly ModelStepSequence[]): Promise<Uint32Array> {
    const { gpu, spec, options } = this;
    const h = spec.hiddenSize;
    let tokens = 0;
    let sampling = 0;
    for (const s of sequences) {
      tokens += s.tokens;
      if (s.samples) sampling++;
    }
    if (tokens > options.maxTokens || sequences.length > options.maxSequences) {
      throw new ServeTuneError(
        `step of ${tokens} tokens over ${sequences.length} sequences exceeds the engine's ${options.maxTokens} tokens / ${options.maxSequences} sequences`,
        'invalid-argument',
      );
    }
    const rows = new Float32Array(tokens * h);
    let row = 0;
    for (const s of sequences) {
      for (let i = 0; i < s.tokens; i++) {
        const id = s.tokenIds[i];
        rows.set(this.embedding.subarray(id * h, (id + 1) * h), row * h);
        row++;
      }
    }
    const arena = this.arena;
    arena.beginStep();
    writeBytes(gpu.device, this.hidden, 0, encodeTensor(rows, options.dtype));
    const encoder = gpu.device.createCommandEncoder();
    const layerPass = encoder.beginComputePass();
    encodeDispatches(
      layerPass,
      stepDispatches(gpu, arena, this.forward, this.layers, this.cache, sequences, this.hidden),
    );
    layerPass.end();
    if (sampling > 0) {
      // Gather the last row of each sampling sequence, then norm, LM head and argmax on those rows only.
      let at = 0;
      let index = 0;
      for (const s of sequences) {
        at += s.tokens;
        if (!s.samples) continue;
        encoder.copyBufferToBuffer(
          this.hidden,
          (at - 1) * this.rowBytes,
          this.sampledHidden,
          index * this.rowBytes,
          this.rowBytes,
        );
        index++;
      }
      const headPass = encoder.beginComputePass();
      encodeDispatches(headPass, [
        rmsNorm(gpu, arena, {
          dtype: options.dtype,
          rows: sampling,
          width: h,
          eps: 1e-5,
          x: this.sampledHidden,
          weight: this.finalNorm,
          y: this.sampledNormed,
        }),
        linear(gpu, arena, {
          dtype: options.dtype,
          m: sampling,
          n: spec.vocabSize,
          k: h,
          a: this.sampledNormed,
          b: this.lmHead,
          c: this.logits,
        }),
        argmax(gpu, arena, {
          dtype: options.dtype,
          rows: sampling,
          width: spec.vocabSize,
          x: this.logits,
          ids: this.ids,
        }),
      ]);
      headPass.end();
      encoder.copyBufferToBuffer(this.ids, 0, this.staging, 0, Math.ceil((sampling * 4) / 16) * 16);
    }
    gpu.device.queue.submit([encoder.finish()]);
    if (sampling === 0) {
      await pacedGpuWait(() => gpu.device.queue.onSubmittedWorkDone());
      return new Uint32Array(0);
    }
    await pacedGpuWait(() => this.staging.mapAsync(0x1 /* GPUMapMode.READ */));
    const ids = new Uint32Array(this.staging.getMappedRange().slice(0, sampling * 4));
    this.staging.unmap();
    return ids;
  }

  destroy(): void {
    this.arena.destroy();
    for (const layer of this.layers) layer.destroy();
    this.forward.destroy();
    this.cache.destroy();
    for (const buffer of [
      this.finalNorm,
      this.lmHead,
      this.hidden,
      this.sampledHidden,
      this.sampledNormed,
      this.logits,
      this.ids,
      this.staging,
    ]) {
      buffer.destroy();
    }
  }
}
