import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockSettings,
  ENGINES,
  engineFlags,
  type PartialServingSettings,
  readConfig,
  readEngineFlags,
} from '../../../../src/engine/config/index.js';
import { knobTable } from '../../../../src/engine/config/knobs/index.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { resolveSchedulerConfig, SGLANG_MAX_PREFILL_TOKENS } from '../../../../src/engine/sched/config.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import type { Candidate, SchedulerKnobs } from '../../../../src/engine/search/schema.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';

const LAUNCH = 'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp-size 1';
const H100 = { gpuMemoryBytes: 80 * 1024 ** 3, modelMaxContext: 131072 };

function settingsOf(path: string, text: string, files: Record<string, string> = {}): PartialServingSettings {
  const report = readConfig(path, text, { readFile: (p) => files[p] });
  const block = report.blocks[0]!;
  assert.deepEqual(
    block.occurrences.filter((o) => o.error),
    [],
  );
  return blockSettings(block);
}

/** The scheduler config the simulator gets for a file's first block, as `tune` and the editor build it. */
function schedulerOfFile(path: string, text: string) {
  const block = readConfig(path, text, { readFile: () => undefined }).blocks[0]!;
  const { pool } = resolveBlock(block, 0, { hardware: 'h100-sxm' });
  return resolveSchedulerConfig(
    { ...ENGINES.sglang.scheduler.policyFor(pool.knobs, 8192), maxModelLen: 8192 },
    H100,
  );
}

describe('SGLang --enable-mixed-chunk and --max-prefill-tokens', () => {
  it('are read from a launch command and from the --config YAML', () => {
    const fromFlags = settingsOf('/c/serve.sh', `${LAUNCH} --enable-mixed-chunk --max-prefill-tokens 9000\n`);
    assert.equal(fromFlags.mixedChunk, true);
    assert.equal(fromFlags.maxPrefillTokens, 9000);
    const fromYaml = settingsOf('/c/serve.sh', `${LAUNCH} --config /c/config.yaml\n`, {
      '/c/config.yaml': 'enable-mixed-chunk: true\nmax-prefill-tokens: 9000\n',
    });
    assert.equal(fromYaml.mixedChunk, true);
    assert.equal(fromYaml.maxPrefillTokens, 9000);
  });

  it('a bad value is an error on the flag, not a silent default', () => {
    const report = readConfig('/c/serve.sh', `${LAUNCH} --max-prefill-tokens lots\n`, {
      readFile: () => undefined,
    });
    const bad = report.blocks[0]!.occurrences.find((o) => o.error);
    assert.match(bad?.error ?? '', /lots/);
  });

  it('reach the scheduler config the simulator gets; absent, the engine defaults apply', () => {
    const set = schedulerOfFile('/c/serve.sh', `${LAUNCH} --enable-mixed-chunk --max-prefill-tokens 9000\n`);
    assert.equal(set.mixedChunk, true);
    assert.equal(set.maxPrefillTokens, 9000);
    const unset = schedulerOfFile('/c/serve.sh', `${LAUNCH}\n`);
    assert.equal(unset.mixedChunk, false);
    assert.equal(unset.maxPrefillTokens, SGLANG_MAX_PREFILL_TOKENS);
  });

  it('are SGLang defaults of the knob table, from the one source the scheduler uses', () => {
    const defaults = knobTable('sglang').defaults({ gpuMemoryBytes: H100.gpuMemoryBytes });
    assert.equal(defaults.maxPrefillTokens, SGLANG_MAX_PREFILL_TOKENS);
    assert.equal(defaults.mixedChunk, false);
  });

  it('emit and read back the same', () => {
    const settings = { model: 'meta-llama/Llama-3.1-8B-Instruct', mixedChunk: true, maxPrefillTokens: 9000 };
    const flags = engineFlags('sglang', settings);
    assert.match(flags.commandLine, /--max-prefill-tokens 9000/);
    assert.match(flags.commandLine, /--enable-mixed-chunk/);
    assert.deepEqual(readEngineFlags(flags), flags.expressed);
    assert.deepEqual(flags.expressed, settings);
  });
});

describe('SGLang commands for a candidate write the prefill-batch knobs only where they differ from the default', () => {
  const model = getModel('llama-3.1-8b');
  const candidate = (extra: Partial<SchedulerKnobs>): Candidate => ({
    kind: 'colocated',
    id: 'c',
    pool: {
      plan: { tp: 1, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      knobs: {
        maxNumSeqs: 64,
        maxNumBatchedTokens: 8192,
        chunkedPrefill: true,
        blockSize: 16,
        gpuMemoryUtilization: 0.9,
        ...extra,
      },
    },
  });
  const commandOf = (extra: Partial<SchedulerKnobs>) =>
    engineSettingsFor('sglang', model, candidate(extra), 8192).servers[0]!.commandLine;

  it('a plan without them, or with their defaults, emits neither flag', () => {
    for (const extra of [{}, { mixedChunk: false, maxPrefillTokens: SGLANG_MAX_PREFILL_TOKENS }]) {
      const line = commandOf(extra);
      assert.doesNotMatch(line, /--enable-mixed-chunk|--max-prefill-tokens/);
    }
  });

  it('set otherwise, both are written and read back', () => {
    const [server] = engineSettingsFor(
      'sglang',
      model,
      candidate({ mixedChunk: true, maxPrefillTokens: 9000 }),
      8192,
    ).servers;
    assert.match(server!.commandLine, /--max-prefill-tokens 9000/);
    assert.match(server!.commandLine, /--enable-mixed-chunk/);
    const back = settingsOf('/emitted/command.sh', `${server!.commandLine}\n`);
    assert.equal(back.mixedChunk, true);
    assert.equal(back.maxPrefillTokens, 9000);
  });
});
