import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SearchResult } from '../../../src/engine/search/run.js';
import { TuneBlockResult } from '../../../src/engine/tune/schema.js';

const cli = 'dist/cli.mjs';
const RUN = [
  ...['--hardware', 'b200', '--slo', 'ttft=2,tbt=0.2', '--sample-requests', '40', '--threads', '0'],
  ...['--workload', 'poisson:rate=2,prompt=fixed(256),output=fixed(32),n=40', '--json'],
];

function spawn(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args, ...RUN], { encoding: 'utf8', timeout: 120_000 });
}

function run(args: string[]): unknown {
  const child = spawn(args);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

// The editor's servetune.nvfp4Dispatch goes to search, capacity plans and the config lenses; the CLI
// carries the same option to each of them.
describe('search and tune --nvfp4-dispatch', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it("search times SGLang's steps with it and writes SGLANG_MOE_NVFP4_DISPATCH=1 into the emitted command", () => {
    const search = [
      'search',
      '--model',
      'gpt-oss-20b',
      '--gpus',
      '1',
      '--engine',
      'sglang',
      '--nvfp4-dispatch',
    ];
    const result = SearchResult.parse(run(search));
    assert.match(result.timedWith ?? '', /nvfp4 dispatch/);
    const best = result.configurations.find((c) => c.best);
    assert.match(
      best?.settings?.servers[0]?.commandLine ?? '',
      /^SGLANG_MOE_NVFP4_DISPATCH=1 python3 -m sglang/,
    );
  });

  it('search refuses it for an engine without it', () => {
    const child = spawn([
      'search',
      '--model',
      'gpt-oss-20b',
      '--gpus',
      '1',
      '--engine',
      'vllm',
      '--nvfp4-dispatch',
    ]);
    assert.equal(child.status, 1);
    assert.match(
      child.stderr,
      /--nvfp4-dispatch: SGLANG_MOE_NVFP4_DISPATCH is SGLang's; vllm has no such setting/,
    );
  });

  it("tune predicts an SGLang block with it, over the file's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-nvfp4-'));
    const script = join(dir, 'serve.sh');
    writeFileSync(script, 'python -m sglang.launch_server --model-path openai/gpt-oss-20b\n');
    const result = TuneBlockResult.parse(run(['tune', script, '--nvfp4-dispatch']));
    assert.deepEqual(result.target.engineBehaviour, ['nvfp4 dispatch']);
  });
});
