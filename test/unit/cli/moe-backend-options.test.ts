// --moe-backend (and --marlin-moe, its marlin shorthand): the MoE kernel of the engine a step or a
// simulation is for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { servingEngineFromFlags } from '../../../src/cli/options.js';

describe('--moe-backend', () => {
  it('--moe-backend and --marlin-moe set it; without --engine, or naming two kernels, they are errors', () => {
    assert.equal(
      servingEngineFromFlags({ engine: { id: 'trtllm' }, moeBackend: 'trtllm-gen' })?.moeBackend,
      'trtllm-gen',
    );
    assert.equal(servingEngineFromFlags({ engine: { id: 'vllm' }, marlinMoe: true })?.moeBackend, 'marlin');
    assert.throws(() => servingEngineFromFlags({ moeBackend: 'deepgemm' }), /give --engine too/);
    assert.throws(
      () => servingEngineFromFlags({ engine: { id: 'vllm' }, marlinMoe: true, moeBackend: 'trtllm-gen' }),
      /--marlin-moe is --moe-backend marlin/,
    );
    assert.throws(
      () => servingEngineFromFlags({ engine: { id: 'vllm' }, moeBackend: 'deepgemm' }),
      /vllm has no such MoE backend/,
    );
  });
});
