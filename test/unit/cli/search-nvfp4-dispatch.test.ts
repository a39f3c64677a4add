import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliMissing, searchBestServer, spawnSmallRun, tuneLaunchLine } from '../helpers/small-cli-run.js';

// The editor's servetune.nvfp4Dispatch goes to search, capacity plans and the config lenses; the CLI
// carries the same option to each of them.
describe('search and tune --nvfp4-dispatch', { skip: cliMissing }, () => {
  it("search times SGLang's steps with it and writes SGLANG_MOE_NVFP4_DISPATCH=1 into the emitted command", () => {
    const { result, server } = searchBestServer(['--engine', 'sglang', '--nvfp4-dispatch']);
    assert.match(result.timedWith ?? '', /nvfp4 dispatch/);
    assert.match(server.commandLine, /^SGLANG_MOE_NVFP4_DISPATCH=1 python3 -m sglang/);
  });

  it('search refuses it for an engine without it', () => {
    const args = ['search', '--model', 'gpt-oss-20b', '--gpus', '1', '--engine', 'vllm'];
    const child = spawnSmallRun([...args, '--nvfp4-dispatch']);
    assert.equal(child.status, 1);
    assert.match(
      child.stderr,
      /--nvfp4-dispatch: SGLANG_MOE_NVFP4_DISPATCH is SGLang's; vllm has no such setting/,
    );
  });

  it("tune predicts an SGLang block with it, over the file's", () => {
    const result = tuneLaunchLine('python -m sglang.launch_server --model-path openai/gpt-oss-20b', [
      '--nvfp4-dispatch',
    ]);
    assert.deepEqual(result.target.engineBehaviour, ['nvfp4 dispatch']);
  });
});
