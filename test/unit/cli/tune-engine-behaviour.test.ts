import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SearchResult } from '../../../src/engine/search/run.js';
import { TuneBlockResult } from '../../../src/engine/tune/schema.js';

const RUN = [
  ...['--hardware', 'h100-sxm', '--slo', 'ttft=1,tbt=0.05', '--sample-requests', '100', '--threads', '0'],
  ...['--workload', 'poisson:rate=4,prompt=lognormal(1024,0.6),output=fixed(64),n=100', '--json'],
];

/** `servetune tune --json` on a launch script of this text. */
function tune(text: string): TuneBlockResult {
  const dir = mkdtempSync(join(tmpdir(), 'servetune-tune-behaviour-'));
  const script = join(dir, 'serve.sh');
  writeFileSync(script, text);
  const run = spawnSync(process.execPath, ['dist/cli.mjs', 'tune', script, ...RUN], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return TuneBlockResult.parse(JSON.parse(run.stdout));
}

describe('servetune tune on a file that sets engine behaviours', () => {
  it('predicts with them: eager, NCCL all-reduce and step-by-step scheduling from the file', () => {
    const launch = 'vllm serve meta-llama/Llama-3.1-8B-Instruct --tensor-parallel-size 2';
    const plain = tune(`${launch}\n`);
    const flagged = tune(`${launch} --enforce-eager --disable-custom-all-reduce --no-async-scheduling\n`);
    assert.deepEqual(flagged.target.engineBehaviour, ['NCCL all-reduce', 'eager', 'no overlap scheduling']);
    assert.equal(plain.target.engineBehaviour, undefined);
    // Eager launches and NCCL's all-reduce lengthen every decode step.
    assert.ok(
      flagged.current.metrics!.tbt.p90 > plain.current.metrics!.tbt.p90,
      `${flagged.current.metrics!.tbt.p90} > ${plain.current.metrics!.tbt.p90}`,
    );
    // The search ran on the same engine: its commands carry the flags that timed them.
    const commands = flagged.search.configurations.flatMap(
      (c) => c.settings?.servers.map((s) => s.commandLine) ?? [],
    );
    assert.ok(commands.length > 0);
    for (const line of commands)
      assert.match(line, /--enforce-eager --disable-custom-all-reduce --no-async-scheduling/);
  });
});

describe('servetune search --disable-overlap-scheduling', () => {
  it('writes the flag into the commands of the configurations it timed that way', () => {
    const run = spawnSync(
      process.execPath,
      [
        ...['dist/cli.mjs', 'search', '--model', 'llama-3.1-8b', '--gpus', '1', ...RUN],
        ...['--engine', 'sglang', '--disable-overlap-scheduling'],
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const result = SearchResult.parse(JSON.parse(run.stdout));
    const commands = result.configurations.flatMap(
      (c) => c.settings?.servers.map((s) => s.commandLine) ?? [],
    );
    assert.ok(commands.length > 0);
    for (const line of commands) assert.match(line, /--disable-overlap-schedule\b/);
  });
});
