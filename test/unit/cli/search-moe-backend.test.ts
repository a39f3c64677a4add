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

function run(args: string[]) {
  const child = spawnSync(process.execPath, [cli, ...args, ...RUN], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as unknown;
}

/** The best configuration's first server, as search emits it. */
function bestServer(args: string[]) {
  const result = SearchResult.parse(run(['search', '--model', 'gpt-oss-20b', '--gpus', '1', ...args]));
  const best = result.configurations.find((c) => c.best);
  assert.ok(best?.settings, 'a best configuration with engine settings');
  return { result, server: best.settings.servers[0]! };
}

describe('search and tune --moe-backend', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('search times the steps with it and writes it into the emitted command, only when given', () => {
    const marlin = bestServer(['--engine', 'vllm', '--moe-backend', 'marlin']);
    assert.match(marlin.result.timedWith ?? '', /MoE marlin/);
    assert.match(marlin.server.commandLine, /^VLLM_MXFP4_USE_MARLIN=1 vllm serve/);
    const plain = bestServer(['--engine', 'vllm']);
    assert.doesNotMatch(plain.server.commandLine, /VLLM_MXFP4_USE_MARLIN/);
  });

  it('search refuses a kernel the engine does not have', () => {
    const child = spawnSync(
      process.execPath,
      [
        cli,
        'search',
        '--model',
        'gpt-oss-20b',
        '--gpus',
        '1',
        '--engine',
        'vllm',
        '--moe-backend',
        'deepgemm',
        ...RUN,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(child.status, 1);
    assert.match(child.stderr, /--moe-backend deepgemm: vllm has no such MoE backend/);
  });

  it("tune times the block with it, over the file's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-moe-'));
    const script = join(dir, 'serve.sh');
    writeFileSync(script, 'vllm serve openai/gpt-oss-20b\n');
    const result = TuneBlockResult.parse(run(['tune', script, '--moe-backend', 'marlin']));
    assert.deepEqual(result.target.engineBehaviour, ['MoE marlin']);
  });
});
