import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { uploadTensor } from '../../../../src/engine/gpu/buffers.js';
import type { ShaderDtype } from '../../../../src/engine/gpu/types.js';
import {
  forwardStep,
  LayerForward,
  type LayerShape,
  LayerWeights,
  PagedKvCache,
  randomLayerWeights,
  type StepSequence,
  scaleLayerShape,
} from '../../../../src/engine/kernels/layer.js';
import { layerRef, type RefKvHistory } from '../../../../src/engine/kernels/reference.js';
import { SeededRandom } from '../../../../src/engine/util/random.js';
import { asDtype, assertClose, read, requireGpu } from '../../helpers/gpu-fixture.js';

const gpu = await requireGpu();
after(() => gpu.destroy());

const shape: LayerShape = {
  hiddenSize: 64,
  intermediateSize: 96,
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  rmsEps: 1e-5,
  ropeTheta: 10000,
};

describe('layer forward over a mixed batch with a paged KV cache', () => {
  const dtypes: ShaderDtype[] = gpu.hasF16 ? ['f32', 'f16'] : ['f32'];
  for (const dtype of dtypes) {
    it(`${dtype}: two layers, a prefill step then a mixed chunk-plus-decodes step, match the CPU`, async () => {
      const rng = new SeededRandom(31);
      const layers = 2;
      const blockSize = 4;
      const hostWeights = Array.from({ length: layers }, () => {
        const w = randomLayerWeights(shape, rng);
        return {
          inputNorm: asDtype(w.inputNorm, dtype),
          qkv: asDtype(w.qkv, dtype),
          o: asDtype(w.o, dtype),
          postNorm: asDtype(w.postNorm, dtype),
          gateUp: asDtype(w.gateUp, dtype),
          down: asDtype(w.down, dtype),
        };
      });
      const weights = hostWeights.map((w) => new LayerWeights(gpu, w, dtype));
      const cache = new PagedKvCache(gpu, { layers, blocks: 32, blockSize, kvHeads: 2, headDim: 16, dtype });
      const forward = new LayerForward(gpu, shape, dtype, 64);
      // Three sequences; their block tables interleave, so pages are not contiguous per sequence.
      const tables: number[][] = [[], [], []];
      const grow = (seq: number, tokens: number) => {
        while (tables[seq].length * blockSize < tokens) tables[seq].push(...cache.allocate(1));
      };
      const histories: RefKvHistory[][] = Array.from({ length: layers }, () =>
        Array.from({ length: 3 }, () => ({ keys: new Float32Array(0), values: new Float32Array(0) })),
      );
      const contexts = [0, 0, 0];

      async function step(pieces: { seq: number; tokens: number }[]) {
        for (const p of pieces) grow(p.seq, contexts[p.seq] + p.tokens);
        const rows = pieces.reduce((sum, p) => sum + p.tokens, 0);
        const input = asDtype(rng.floats(rows * shape.hiddenSize, 2), dtype);
        const hidden = uploadTensor(gpu.device, input, dtype, 'hidden');
        const sequences: StepSequence[] = pieces.map((p) => ({
          tokens: p.tokens,
          context: contexts[p.seq],
          blockTable: tables[p.seq],
        }));
        gpu.device.pushErrorScope('validation');
        await forwardStep(gpu, forward, weights, cache, sequences, hidden);
        assert.equal(await gpu.device.popErrorScope(), null);
        let expected = input;
        for (let layer = 0; layer < layers; layer++) {
          expected = layerRef(
            shape,
            hostWeights[layer],
            expected,
            pieces.map((p) => ({ tokens: p.tokens, history: histories[layer][p.seq] })),
          );
        }
        for (const p of pieces) contexts[p.seq] += p.tokens;
        const actual = await read(gpu, hidden, rows * shape.hiddenSize, dtype);
        hidden.destroy();
        return { actual, expected };
      }

      // f16 rounds every intermediate (normed, qkv, attention, FFN) where the reference does not.
      const scale = dtype === 'f16' ? 10 : 4;
      const first = await step([
        { seq: 0, tokens: 11 },
        { seq: 1, tokens: 6 },
      ]);
      assertClose(first.actual, first.expected, dtype, 'prefill step', scale);
      const second = await step([
        { seq: 1, tokens: 9 }, // the next chunk of a prompt, after 6 cached tokens
        { seq: 0, tokens: 1 }, // decodes
        { seq: 2, tokens: 1 },
      ]);
      assertClose(second.actual, second.expected, dtype, 'mixed step', scale);
      const third = await step([
        { seq: 0, tokens: 1 },
        { seq: 1, tokens: 1 },
        { seq: 2, tokens: 1 },
      ]);
      assertClose(third.actual, third.expected, dtype, 'decode step', scale);

      forward.destroy();
      cache.destroy();
      for (const w of weights) w.destroy();
    });
  }

  it('scales a model layer down by a divisor of its KV heads', () => {
    const scaled = scaleLayerShape(
      {
        hiddenSize: 4096,
        intermediateSize: 14336,
        heads: 32,
        kvHeads: 8,
        headDim: 128,
        rmsEps: 1e-5,
        ropeTheta: 5e5,
      },
      4,
    );
    assert.deepEqual(
      [scaled.hiddenSize, scaled.intermediateSize, scaled.heads, scaled.kvHeads, scaled.headDim],
      [1024, 3584, 8, 2, 128],
    );
    assert.throws(() => scaleLayerShape(scaled, 3), /divide/);
  });

  it('the KV block pool hands out and takes back blocks, and refuses more than it has', () => {
    const cache = new PagedKvCache(gpu, {
      layers: 1,
      blocks: 4,
      blockSize: 4,
      kvHeads: 1,
      headDim: 4,
      dtype: 'f32',
    });
    const a = cache.allocate(3);
    assert.deepEqual(a, [0, 1, 2]);
    assert.equal(cache.freeBlocks, 1);
    assert.throws(() => cache.allocate(2), /2 blocks wanted, 1 free/);
    cache.release(a);
    assert.equal(cache.freeBlocks, 4);
    cache.destroy();
  });
});
