import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockSettings, ENGINES, readConfig } from '../../../../src/engine/config/index.js';
import { resolveSchedulerConfig } from '../../../../src/engine/sched/config.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';

const LAUNCH = 'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp-size 1';
const H100 = { gpuMemoryBytes: 80 * 1024 ** 3, modelMaxContext: 131072 };

/** The scheduler config the simulator gets for a file's first block, as `tune` and the editor build it. */
function schedulerOfFile(text: string) {
  const block = readConfig('/c/serve.sh', text, { readFile: () => undefined }).blocks[0]!;
  const { pool } = resolveBlock(block, 0, { hardware: 'h100-sxm' });
  return resolveSchedulerConfig(
    { ...ENGINES.sglang.scheduler.policyFor(pool.knobs, 8192), maxModelLen: 8192 },
    H100,
  );
}

describe('SGLang --scheduler-recv-interval', () => {
  it('is read from a launch command and reaches the simulated scheduler', () => {
    const text = `${LAUNCH} --scheduler-recv-interval 30\n`;
    const block = readConfig('/c/serve.sh', text, { readFile: () => undefined }).blocks[0]!;
    assert.equal(blockSettings(block).schedulerRecvInterval, 30);
    assert.equal(schedulerOfFile(text).schedulerRecvInterval, 30);
  });

  it('defaults to taking in requests every iteration', () => {
    assert.equal(schedulerOfFile(`${LAUNCH}\n`).schedulerRecvInterval, 1);
  });

  it('a bad value is an error on the flag', () => {
    const report = readConfig('/c/serve.sh', `${LAUNCH} --scheduler-recv-interval often\n`, {
      readFile: () => undefined,
    });
    assert.match(report.blocks[0]!.occurrences.find((o) => o.error)?.error ?? '', /often/);
  });
});
