import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverLines } from '../../../src/engine/search/server-lines.js';
import { cliMissing, searchBestServer, spawnSmallRun, tuneLaunchLine } from '../helpers/small-cli-run.js';

describe('search and tune --moe-backend', { skip: cliMissing }, () => {
  it('search times the steps with it and writes it into the emitted command, only when given', () => {
    const marlin = searchBestServer(['--engine', 'vllm', '--moe-backend', 'marlin']);
    assert.match(marlin.result.timedWith ?? '', /MoE marlin/);
    assert.match(marlin.server.commandLine, /^VLLM_MXFP4_USE_MARLIN=1 vllm serve/);
    const plain = searchBestServer(['--engine', 'vllm']);
    assert.doesNotMatch(plain.server.commandLine, /VLLM_MXFP4_USE_MARLIN/);
  });

  it('the printed plan says what its command cannot: a backend vLLM picks itself has no flag', () => {
    const { server } = searchBestServer(['--engine', 'vllm', '--moe-backend', 'trtllm-gen']);
    assert.ok(server.dropped.some((d) => d.setting === 'moeBackend'));
    assert.match(serverLines(server).join('\n'), /^ {2}vllm serve .*\n {4}not in the command: moeBackend \(/);
    const plain = searchBestServer(['--engine', 'vllm']);
    assert.deepEqual(serverLines(plain.server).length, 1, 'nothing to say: the command line alone');
  });

  it('search refuses a kernel the engine does not have', () => {
    const args = ['search', '--model', 'gpt-oss-20b', '--gpus', '1', '--engine', 'vllm'];
    const child = spawnSmallRun([...args, '--moe-backend', 'deepgemm']);
    assert.equal(child.status, 1);
    assert.match(child.stderr, /--moe-backend deepgemm: vllm has no such MoE backend/);
  });

  it("tune times the block with it, over the file's", () => {
    const result = tuneLaunchLine('vllm serve openai/gpt-oss-20b', ['--moe-backend', 'marlin']);
    assert.deepEqual(result.target.engineBehaviour, ['MoE marlin']);
  });
});
