import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  engineBehaviourAttribute,
  engineLineText,
  engineWords,
} from '../../../../src/engine/chart/engine-line.js';

describe('the engine line', () => {
  it('names the behaviours away from the defaults, or says the defaults', () => {
    const eager = { name: 'sglang', behaviour: ['NCCL all-reduce', 'eager'] };
    assert.equal(engineLineText(eager), 'Engine: sglang · NCCL all-reduce, eager');
    assert.equal(engineWords(eager), 'sglang · NCCL all-reduce, eager');
    assert.equal(engineBehaviourAttribute(eager), 'NCCL all-reduce, eager');
    const plain = { name: 'vllm', behaviour: [] };
    assert.equal(engineLineText(plain), 'Engine: vllm (defaults)');
    assert.equal(engineBehaviourAttribute(plain), '');
  });
});
