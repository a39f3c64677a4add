import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliMissing, searchBestServer, spawnSmallRun, tuneLaunchLine } from '../helpers/small-cli-run.js';

// Recipes set SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 in the server's environment: read from a config file
// by simulate --config and tune, and given as --fp8-q-b-proj to search and tune as to step and simulate.
describe('SGLang q_b_proj in block fp8 through the CLI', { skip: cliMissing }, () => {
  it('search times SGLang with --fp8-q-b-proj and writes SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1', () => {
    const { result, server } = searchBestServer(['--engine', 'sglang', '--fp8-q-b-proj']);
    assert.match(result.timedWith ?? '', /fp8 q_b_proj/);
    assert.match(server.commandLine, /^SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 python3 -m sglang/);
  });

  it('search refuses it for an engine without it', () => {
    const args = ['search', '--model', 'gpt-oss-20b', '--gpus', '1', '--engine', 'vllm'];
    const child = spawnSmallRun([...args, '--fp8-q-b-proj']);
    assert.equal(child.status, 1);
    assert.match(
      child.stderr,
      /--fp8-q-b-proj: SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN is SGLang's; vllm has no such setting/,
    );
  });

  it("tune predicts an SGLang block with --fp8-q-b-proj, over the file's, and with the file's env", () => {
    const launch = 'python -m sglang.launch_server --model-path openai/gpt-oss-20b';
    assert.deepEqual(tuneLaunchLine(launch, ['--fp8-q-b-proj']).target.engineBehaviour, ['fp8 q_b_proj']);
    const fromFile = tuneLaunchLine(`SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 ${launch}`, []);
    assert.deepEqual(fromFile.target.engineBehaviour, ['fp8 q_b_proj']);
  });

  it('simulate --config times an NVFP4 DeepSeek script that sets it as --fp8-q-b-proj does, and names it', () => {
    const launch =
      'python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-R1 --quantization modelopt_fp4 --tp 4';
    const folder = mkdtempSync(join(tmpdir(), 'servetune-fp8qb-'));
    const simulate = (text: string, args: string[]) => {
      const script = join(folder, 'serve.sh');
      writeFileSync(script, `${text}\n`);
      const workload = 'poisson:rate=2,prompt=fixed(256),output=fixed(32),n=20';
      const child = spawnSync(
        process.execPath,
        [
          'dist/cli.mjs',
          'simulate',
          '--config',
          script,
          '--hardware',
          'gb200',
          '--workload',
          workload,
          ...args,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(child.status, 0, child.stderr);
      const tpot = /^TPOT\s+(\S+) ms/m.exec(child.stdout)?.[1];
      return { tpot: Number(tpot), engine: /^engine: .*$/m.exec(child.stdout)?.[0] ?? '' };
    };
    const fromEnv = simulate(`SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 ${launch}`, []);
    const fromFlag = simulate(launch, ['--fp8-q-b-proj']);
    const without = simulate(launch, []);
    assert.match(fromEnv.engine, /^engine: sglang \(fp8 q_b_proj\)/);
    assert.doesNotMatch(without.engine, /fp8 q_b_proj/);
    assert.equal(fromEnv.tpot, fromFlag.tpot);
    assert.notEqual(fromEnv.tpot, without.tpot);
  });
});
