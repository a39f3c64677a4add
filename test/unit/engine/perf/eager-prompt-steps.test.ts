import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import type { Plan } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import {
  promptStepHostSeconds,
  TRTLLM_EAGER_HOST_SECONDS_PER_KERNEL,
} from '../../../../src/engine/perf/eager-prompt-steps.js';
import { EAGER_LAUNCH_SECONDS, ServingEngine } from '../../../../src/engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../../../src/engine/perf/shape.js';
import { compileStepModel } from '../../../../src/engine/perf/step-model.js';

const llama8b = getModel('llama-3.1-8b');
const hw = getHardware('h100-sxm');
const tp8: Plan = { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' };
const trtllm10 = { id: 'trtllm' as const, version: '1.0.0rc3' };
const trtllmNewest = { id: 'trtllm' as const };

function step(prompt: number, decodes: number) {
  const shape = createBatchShape(llama8b.slidingWindow);
  if (prompt > 0) addPrefillChunk(shape, prompt, 0, true);
  if (decodes > 0) addUniformDecodes(shape, decodes, 1000);
  return shape;
}

/** Kernels one step launches, read off the eager launch cost `--enforce-eager` charges per kernel. */
function kernelsPerStep(engine: { id: 'trtllm'; version?: string }): number {
  const graphs = compileStepModel(llama8b, hw, tp8, { engine });
  const eager = compileStepModel(llama8b, hw, tp8, { engine: { ...engine, cudaGraphs: false } });
  const shape = step(0, 8);
  return Math.round((eager.stepSeconds(shape) - graphs.stepSeconds(shape)) / EAGER_LAUNCH_SECONDS);
}

describe('TensorRT-LLM prompt steps run without CUDA graphs', () => {
  it('holds a short prompt step of TensorRT-LLM 1.0 to its kernels’ host launches', () => {
    const fitted = compileStepModel(llama8b, hw, tp8, { engine: trtllm10 });
    const newest = compileStepModel(llama8b, hw, tp8, { engine: trtllmNewest });
    const shape = step(256, 8);
    const kernels = kernelsPerStep(trtllm10);
    const floor = kernels * TRTLLM_EAGER_HOST_SECONDS_PER_KERNEL;
    const unfloored = newest.stepSeconds(shape);
    // The newest version's overhead holds the prompt step's eager launches (8 µs a kernel), not the floor.
    const overhead = newest.breakdown(shape).find((e) => e.name === 'step_overhead')?.seconds ?? 0;
    const fittedOverhead = overhead - kernels * EAGER_LAUNCH_SECONDS;
    // Llama-3.1-8B on 8 GPUs: a 256-token prompt's kernels take well under the ~19 ms of launches.
    assert.ok(
      unfloored - fittedOverhead < floor,
      `kernels ${unfloored - fittedOverhead} s, floor ${floor} s`,
    );
    assert.ok(
      Math.abs(fitted.stepSeconds(shape) - (fittedOverhead + floor)) < 1e-9,
      `${fitted.stepSeconds(shape)}`,
    );
  });

  it('leaves decode-only steps (graph replays) and prompts longer than the floor alone', () => {
    const fitted = compileStepModel(llama8b, hw, tp8, { engine: trtllm10 });
    const newest = compileStepModel(llama8b, hw, tp8, { engine: trtllmNewest });
    for (const shape of [step(0, 64), step(32768, 8)]) {
      assert.equal(fitted.stepSeconds(shape), newest.stepSeconds(shape));
    }
  });

  it('applies to TensorRT-LLM 1.0 with graphs on only', () => {
    const at = (engine: Parameters<typeof ServingEngine.parse>[0]) =>
      promptStepHostSeconds(ServingEngine.parse(engine), 1000);
    assert.equal(at(trtllm10), 1000 * TRTLLM_EAGER_HOST_SECONDS_PER_KERNEL);
    assert.equal(at({ id: 'trtllm', version: '1.0.0' }), 1000 * TRTLLM_EAGER_HOST_SECONDS_PER_KERNEL);
    // Graphs off: --enforce-eager charges every step its launches instead.
    assert.equal(at({ ...trtllm10, cudaGraphs: false }), 0);
    for (const other of [
      trtllmNewest,
      { id: 'trtllm', version: '1.1.0rc2' },
      { id: 'trtllm', version: '0.8.1' },
    ]) {
      assert.equal(at(other), 0);
    }
    assert.equal(at({ id: 'vllm', version: '1.0.0' }), 0);
    assert.equal(promptStepHostSeconds(undefined, 1000), 0);
  });
});

describe('vLLM with cudagraph_mode FULL_DECODE_ONLY', () => {
  const vllm = { id: 'vllm' as const };
  const decodeOnly = { ...vllm, decodeOnlyCudaGraphs: true };

  it('charges a step holding a prompt its eager launches, as --enforce-eager prices them', () => {
    const graphs = compileStepModel(llama8b, hw, tp8, { engine: vllm });
    const partial = compileStepModel(llama8b, hw, tp8, { engine: decodeOnly });
    // Both within vLLM's default 512-token graphs: only FULL_DECODE_ONLY runs them eagerly.
    const added = [step(256, 8), step(500, 0)].map(
      (prompt) => partial.stepSeconds(prompt) - graphs.stepSeconds(prompt),
    );
    // The same charge whatever the prompt: EAGER_LAUNCH_SECONDS for each of the step's kernels
    // (32 layers of Llama-3.1-8B launch several apiece).
    const kernels = added[0] / EAGER_LAUNCH_SECONDS;
    assert.ok(Math.abs(kernels - Math.round(kernels)) < 1e-6 && kernels > 32 * 5, `${kernels} kernels`);
    assert.ok(Math.abs(added[1] - added[0]) < 1e-12, `${added[1]} against ${added[0]}`);
    const overhead = partial.breakdown(step(256, 8)).find((e) => e.name === 'step_overhead');
    assert.match(overhead?.source ?? '', /eager launches \(a step with a prompt runs without CUDA graphs\)/);
  });

  it('leaves decode-only steps, which replay the full graph, as they were', () => {
    const graphs = compileStepModel(llama8b, hw, tp8, { engine: vllm });
    const partial = compileStepModel(llama8b, hw, tp8, { engine: decodeOnly });
    for (const decodes of [step(0, 1), step(0, 64)]) {
      assert.equal(partial.stepSeconds(decodes), graphs.stepSeconds(decodes));
    }
  });
});
