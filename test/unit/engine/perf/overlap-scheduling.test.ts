import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { overlapScheduling } from '../../../../src/engine/perf/overlap-scheduling.js';
import { ServingEngine, servingEngineFor } from '../../../../src/engine/perf/serving-engine.js';

const engine = (input: object) => ServingEngine.parse(input);

describe('overlapScheduling: each engine and version default', () => {
  it('TensorRT-LLM and SGLang overlap by default, whatever the version', () => {
    assert.equal(overlapScheduling(engine({ id: 'trtllm', version: '1.0.0rc3' }), 1), true);
    assert.equal(overlapScheduling(engine({ id: 'trtllm' }), 1), true);
    assert.equal(overlapScheduling(engine({ id: 'sglang', version: '0.5.1.post1' }), 1), true);
  });

  it('vLLM from 0.14 (async scheduling on by default), not before; a version that does not parse is the newest', () => {
    assert.equal(overlapScheduling(engine({ id: 'vllm', version: '0.12.0' }), 1), false);
    assert.equal(overlapScheduling(engine({ id: 'vllm', version: '0.11.2' }), 1), false);
    assert.equal(overlapScheduling(engine({ id: 'vllm', version: '0.14.0' }), 1), true);
    assert.equal(overlapScheduling(engine({ id: 'vllm', version: 'v0.19.0' }), 1), true);
    assert.equal(overlapScheduling(engine({ id: 'vllm', version: 'nightly-5b8c30d' }), 1), true);
  });

  it("the engine's flag wins; pipeline parallelism and an unnamed engine never overlap", () => {
    assert.equal(overlapScheduling(engine({ id: 'trtllm', overlapScheduling: false }), 1), false);
    assert.equal(
      overlapScheduling(engine({ id: 'vllm', version: '0.12.0', overlapScheduling: true }), 1),
      true,
    );
    assert.equal(overlapScheduling(engine({ id: 'sglang' }), 2), false);
    assert.equal(overlapScheduling(undefined, 1), false);
  });

  it('--disable-overlap-scheduling (servingEngineFor) turns the default off', () => {
    const off = servingEngineFor({ id: 'trtllm' }, { disableOverlapScheduling: true });
    assert.equal(overlapScheduling(off, 1), false);
    assert.equal(overlapScheduling(servingEngineFor({ id: 'trtllm' }), 1), true);
  });
});
