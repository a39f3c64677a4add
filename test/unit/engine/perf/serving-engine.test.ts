import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeServingEngine,
  parseEngineSpec,
  servingEngineFor,
} from '../../../../src/engine/perf/serving-engine.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

const known = ['vllm', 'sglang', 'tgi', 'trtllm'];

describe('parseEngineSpec', () => {
  it('reads a name with an optional version, and the usual aliases', () => {
    assert.deepEqual(parseEngineSpec('vllm', known), { id: 'vllm' });
    assert.deepEqual(parseEngineSpec('vllm@0.19', known), { id: 'vllm', version: '0.19' });
    assert.deepEqual(parseEngineSpec('TensorRT-LLM@1.2.0rc5', known), { id: 'trtllm', version: '1.2.0rc5' });
    assert.deepEqual(parseEngineSpec('SGLang', known), { id: 'sglang' });
  });
  it('refuses unknown engines and malformed versions, naming the flag', () => {
    for (const bad of ['ollama', 'vllm@', 'vllm@0.1@2', '']) {
      assert.throws(
        () => parseEngineSpec(bad, known),
        (e) => isServeTuneError(e) && e.where === '--engine' && /vllm\|sglang\|tgi\|trtllm/.test(e.message),
      );
    }
  });
  it('refuses a version that is not a number instead of taking the newest measured', () => {
    for (const bad of ['vllm@latest', 'sglang@abc', 'trtllm@rc5']) {
      assert.throws(
        () => parseEngineSpec(bad, known),
        (e) => isServeTuneError(e) && e.where === '--engine' && /is not a version of/.test(e.message),
      );
    }
    assert.deepEqual(parseEngineSpec('sglang@v0.5.14', known), { id: 'sglang', version: 'v0.5.14' });
  });
});

describe('servingEngineFor', () => {
  it('maps the flags to the engine the step model times, and skips engines without measured tables', () => {
    assert.deepEqual(servingEngineFor({ id: 'sglang', version: '0.5' }, { enforceEager: true }), {
      id: 'sglang',
      version: '0.5',
      customAllReduce: true,
      cudaGraphs: false,
    });
    assert.equal(servingEngineFor({ id: 'tgi' }), undefined);
  });
  it("takes SGLang's nvfp4 dispatch, names it, and refuses it for another engine", () => {
    const engine = servingEngineFor({ id: 'sglang' }, { nvfp4Dispatch: true });
    assert.equal(engine?.nvfp4Dispatch, true);
    assert.equal(describeServingEngine(engine!), 'sglang (nvfp4 dispatch)');
    assert.throws(
      () => servingEngineFor({ id: 'vllm' }, { nvfp4Dispatch: true }),
      (e) => isServeTuneError(e) && e.where === '--nvfp4-dispatch',
    );
  });
  it("takes vLLM's FULL_DECODE_ONLY CUDA graphs, names it, and refuses it for another engine", () => {
    const engine = servingEngineFor({ id: 'vllm' }, { decodeOnlyCudaGraphs: true });
    assert.equal(engine?.decodeOnlyCudaGraphs, true);
    assert.equal(describeServingEngine(engine!), 'vllm (CUDA graphs for decode only)');
    // --enforce-eager runs every step without graphs: the decode-only mode has nothing left to say.
    const eager = servingEngineFor({ id: 'vllm' }, { decodeOnlyCudaGraphs: true, enforceEager: true });
    assert.equal(eager?.decodeOnlyCudaGraphs, undefined);
    assert.throws(
      () => servingEngineFor({ id: 'sglang' }, { decodeOnlyCudaGraphs: true }),
      (e) => isServeTuneError(e) && e.where === '--decode-only-cuda-graphs',
    );
  });
  it('describes an engine as a user writes it', () => {
    assert.equal(
      describeServingEngine({ id: 'vllm', version: '0.19', customAllReduce: false, cudaGraphs: false }),
      'vllm@0.19 (NCCL all-reduce, eager)',
    );
  });
});
