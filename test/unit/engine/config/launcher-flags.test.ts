import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockSettings, readConfig } from '../../../../src/engine/config/index.js';
import { launcherFlag } from '../../../../src/engine/config/knobs/flag-spelling.js';
import { knobTable } from '../../../../src/engine/config/knobs/index.js';

const knob = (setting: string) => {
  const found = knobTable('trtllm').knobs.find((k) => k.flag && k.settings.includes(setting as never));
  assert.ok(found, setting);
  return found;
};

describe("each launcher's own flag for a TensorRT-LLM knob", () => {
  test('trtllm-serve and Dynamo worker spellings, each from the knob table', () => {
    const spellings = ['tp', 'ep', 'maxNumSeqs', 'kvCacheFreeMemoryFraction', 'disaggregationMode'].map(
      (setting) => [
        launcherFlag('trtllm', knob(setting), 'trtllm-serve'),
        launcherFlag('trtllm', knob(setting), 'dynamo.trtllm'),
      ],
    );
    assert.deepEqual(spellings, [
      ['--tp_size', '--tensor-parallel-size'],
      ['--ep_size', '--expert-parallel-size'],
      ['--max_batch_size', '--max-batch-size'],
      ['--kv_cache_free_gpu_memory_fraction', '--free-gpu-memory-fraction'],
      ['--server_role', '--disaggregation-mode'],
    ]);
  });

  test("a Dynamo worker's own flags are read: --expert-parallel-size, --disaggregation-mode", () => {
    const text =
      'python3 -m dynamo.trtllm --model-path m --tensor-parallel-size 4 --expert-parallel-size 4 --disaggregation-mode decode\n';
    const [block] = readConfig('worker.sh', text).blocks;
    const settings = blockSettings(block);
    assert.equal(settings.tp, 4);
    assert.equal(settings.ep, 4);
    assert.equal(settings.disaggregationMode, 'decode');
    assert.deepEqual(
      block.problems.filter((p) => p.severity !== 'info').map((p) => p.message),
      [],
    );
  });
});
