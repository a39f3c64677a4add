import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

const cli = 'dist/cli.mjs';

const step = (...extra: string[]) =>
  execFileSync('node', [
    cli,
    'step',
    '--model',
    'deepseek-v3',
    '--hardware',
    'h100-sxm',
    '--tp',
    '1',
    '--dp',
    '16',
    '--ep',
    '16',
    '--decode-batch',
    '128',
    '--decode-context',
    '2000',
    ...extra,
  ]).toString();

const stepTime = (out: string) => Number(/^step time: ([\d.]+) ms/m.exec(out)?.[1]);

describe('servetune step --all-to-all', { skip: !existsSync(cli) && 'dist/cli.mjs not built' }, () => {
  it('says which source timed the all-to-all: the link model beyond a node, DeepEP published measurement with DeepEP', () => {
    const nccl = step();
    assert.match(nccl, /dispatch \+ combine [\d.]+ ms from the link model;/);
    const deepEp = step('--all-to-all', 'deepep-low-latency');
    assert.match(deepEp, /all-to-all DeepEP low-latency/);
    assert.match(
      deepEp,
      /from the DeepEP published measurement \(DeepEP published H800 measurement .*low-latency dispatch 118 µs at EP 16/,
    );
    assert.ok(stepTime(deepEp) < stepTime(nccl), `${stepTime(deepEp)} vs ${stepTime(nccl)}`);
  });

  it('is documented in --help for step and simulate', () => {
    for (const command of ['step', 'simulate']) {
      const help = execFileSync('node', [cli, command, '--help']).toString();
      assert.match(help, /--all-to-all <kernels>/, command);
      assert.match(help, /deepep-low-latency/, command);
    }
  });

  it('--moe-tp: MoE TP over the attention-DP ranks, an all-gather and a reduce-scatter in place of the all-to-all', () => {
    const out = step('--moe-tp');
    assert.match(out, /TP1 × DP16 × MoE TP16/);
    assert.match(out, /expert parallel: MoE TP16 over 16 attention-DP ranks/);
    assert.match(out, /moe_all_gather/);
    assert.doesNotMatch(out, /ep_dispatch/);
  });
});
