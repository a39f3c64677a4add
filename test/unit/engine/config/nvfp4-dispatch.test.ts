import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  engineBehaviourOf,
  engineBehaviourSettings,
  mergeEngineBehaviour,
} from '../../../../src/engine/config/engines/engine-behaviour.js';
import {
  blockSettings,
  engineFlags,
  readConfig,
  readEngineFlags,
} from '../../../../src/engine/config/index.js';
import { servingEngineFor } from '../../../../src/engine/perf/serving-engine.js';

const LAUNCH =
  'python3 -m sglang.launch_server --model-path nvidia/DeepSeek-R1-FP4 --quantization modelopt_fp4 --tp 8 --moe-a2a-backend deepep\n';

function behaviourOf(text: string) {
  const block = readConfig('/c/serve.sh', text).blocks[0];
  assert.ok(block);
  assert.deepEqual(
    block.occurrences.filter((o) => o.error).map((o) => o.error),
    [],
  );
  return engineBehaviourOf(blockSettings(block));
}

describe("SGLang's nvfp4 DeepEP dispatch in config files", () => {
  it('reads SGLANG_MOE_NVFP4_DISPATCH and its v0.5.5 name, SGLANG_CUTEDSL_MOE_NVFP4_DISPATCH', () => {
    assert.deepEqual(behaviourOf(`SGLANG_MOE_NVFP4_DISPATCH=1 ${LAUNCH}`), { nvfp4Dispatch: true });
    assert.deepEqual(behaviourOf(`SGLANG_CUTEDSL_MOE_NVFP4_DISPATCH=1 ${LAUNCH}`), { nvfp4Dispatch: true });
    assert.deepEqual(behaviourOf(`SGLANG_MOE_NVFP4_DISPATCH=0 ${LAUNCH}`), {});
    assert.deepEqual(behaviourOf(LAUNCH), {});
  });

  it('reaches the engine the step model times, and is written back under its current name', () => {
    const behaviour = mergeEngineBehaviour(behaviourOf(`SGLANG_MOE_NVFP4_DISPATCH=1 ${LAUNCH}`), {});
    const engine = servingEngineFor({ id: 'sglang' }, behaviour);
    assert.equal(engine?.nvfp4Dispatch, true);
    const emitted = engineFlags('sglang', {
      model: 'nvidia/DeepSeek-R1-FP4',
      ...engineBehaviourSettings(engine),
    });
    assert.deepEqual(emitted.env, { SGLANG_MOE_NVFP4_DISPATCH: '1' });
    assert.equal(readEngineFlags(emitted).nvfp4Dispatch, true);
  });
});
