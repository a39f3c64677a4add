import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { makeDispatch } from '../../../../src/engine/gpu/pipelines.js';
import { rmsNorm } from '../../../../src/engine/kernels/elementwise.js';
import { LocalModel } from '../../../../src/engine/kernels/local-model.js';
import { StepArena } from '../../../../src/engine/kernels/step-arena.js';
import { presetModel } from '../../../../src/engine/serve/local/presets.js';
import { requireGpu } from '../../helpers/gpu-fixture.js';

const gpu = await requireGpu();
after(() => gpu.destroy());

/** Counts the device's buffer and bind-group creations from now on. */
function countCreations(device: GPUDevice): { buffers: number; groups: number; stop: () => void } {
  const counts = { buffers: 0, groups: 0, stop: () => {} };
  const createBuffer = device.createBuffer.bind(device);
  const createBindGroup = device.createBindGroup.bind(device);
  device.createBuffer = (d) => {
    counts.buffers++;
    return createBuffer(d);
  };
  device.createBindGroup = (d) => {
    counts.groups++;
    return createBindGroup(d);
  };
  counts.stop = () => {
    device.createBuffer = createBuffer;
    device.createBindGroup = createBindGroup;
  };
  return counts;
}

test('a step arena reuses uniforms by content, scratch by order within the step, and bind groups', () => {
  const arena = new StepArena(gpu.device);
  try {
    arena.beginStep();
    const a = arena.uniform(Uint32Array.from([1, 2, 3, 4]), 'p');
    const scratch0 = arena.storage(64, 's');
    const scratch1 = arena.storage(64, 's');
    assert.notEqual(scratch0, scratch1, 'two scratch buffers of one step are distinct');
    assert.equal(arena.uniform(Uint32Array.from([1, 2, 3, 4]), 'p'), a, 'same contents, same buffer');
    assert.notEqual(arena.uniform(Uint32Array.from([1, 2, 3, 5]), 'p'), a);
    const x = arena.storage(4 * 64, 'x');
    const norm = (rows: number) =>
      rmsNorm(gpu, arena, { dtype: 'f32', rows, width: 64, eps: 1e-5, x, weight: x, y: x });
    const first = norm(1);
    arena.beginStep();
    assert.equal(arena.storage(64, 's'), scratch0, 'the next step gets the same scratch back');
    assert.equal(norm(1).bindGroup, first.bindGroup, 'same pipeline over the same buffers, same bind group');
    assert.notEqual(norm(2).bindGroup, first.bindGroup, 'other parameters, another bind group');
    assert.equal(
      makeDispatch(arena, 'again', first.pipeline, [a, x], [1, 1, 1]).bindGroup,
      makeDispatch(arena, 'again', first.pipeline, [a, x], [1, 1, 1]).bindGroup,
    );
  } finally {
    arena.destroy();
  }
});

test('a step arena gives a changing table the same slot every step, shared by identical tables', () => {
  const arena = new StepArena(gpu.device);
  try {
    arena.beginStep();
    const first = arena.table(Uint32Array.from([1, 40, 0, 0]), 't');
    assert.equal(arena.table(Uint32Array.from([1, 40, 0, 0]), 't'), first, 'identical within a step: shared');
    const other = arena.table(Uint32Array.from([2, 40, 0, 0]), 't');
    assert.notEqual(other, first, 'different within a step: its own buffer');
    arena.beginStep();
    assert.equal(
      arena.table(Uint32Array.from([1, 41, 0, 0]), 't'),
      first,
      'next step, new contents: same slot',
    );
    assert.equal(arena.table(Uint32Array.from([2, 41, 0, 0]), 't'), other);
  } finally {
    arena.destroy();
  }
});

test('a step arena gives back the least recently used buffers beyond its limit, with their bind groups', () => {
  const arena = new StepArena(gpu.device, 8);
  try {
    arena.beginStep();
    const old = arena.uniform(Uint32Array.from([0, 0, 0, 0]), 'p');
    for (let i = 1; i <= 12; i++) arena.uniform(Uint32Array.from([i, 0, 0, 0]), 'p');
    arena.beginStep();
    assert.notEqual(arena.uniform(Uint32Array.from([0, 0, 0, 0]), 'p'), old, 'the oldest was given back');
    assert.equal(
      arena.uniform(Uint32Array.from([12, 0, 0, 0]), 'p'),
      arena.uniform(Uint32Array.from([12, 0, 0, 0]), 'p'),
    );
  } finally {
    arena.destroy();
  }
});

test('the local model creates no buffers or bind groups per step once its shapes have been seen', async () => {
  const spec = presetModel('tiny');
  const model = new LocalModel(gpu, spec, {
    dtype: 'f32',
    maxTokens: 32,
    maxSequences: 2,
    kvBlocks: 16,
    blockSize: 16,
    seed: 1,
  });
  try {
    const tables = [model.cache.allocate(4), model.cache.allocate(4)];
    const decode = (...contexts: number[]) =>
      model.step(
        tables.map((blockTable, i) => ({
          tokens: 1,
          context: contexts[i],
          blockTable,
          tokenIds: Uint32Array.from([5]),
          samples: true,
        })),
      );
    // The longest context sets the split of the decode attention (its parameters), and the blocks in
    // use the size of the step's block table: see each once (contexts 17–30 all take two blocks of 16).
    for (let c = 17; c <= 30; c++) await decode(c, c);
    const counts = countCreations(gpu.device);
    try {
      // The same longest contexts, other tables: per-sequence contexts change every step, as decodes' do.
      for (let c = 18; c <= 30; c++) await decode(c, c - 1);
    } finally {
      counts.stop();
    }
    assert.deepEqual({ buffers: counts.buffers, groups: counts.groups }, { buffers: 0, groups: 0 });
  } finally {
    model.destroy();
  }
});
