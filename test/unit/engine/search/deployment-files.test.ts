import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { searchedDeploymentFiles } from '../../../../src/engine/search/deployment-files.js';
import type { EngineSettings } from '../../../../src/engine/search/engine-commands.js';

const eightGpuServer = (): EngineSettings => ({
  engine: 'vllm',
  servers: [
    {
      role: 'server',
      commandLine: '',
      argv: [],
      env: {},
      replicas: 1,
      gpusPerServer: 8,
      dropped: [],
      expressed: { model: 'meta-llama/Llama-3.1-70B-Instruct', tp: 8 },
    },
  ],
});

describe('a searched configuration as deployment files', () => {
  test('the GPU searched on sizes the nodes: 8 GPUs fit one H100 node, span two GB200 trays', () => {
    const h100 = searchedDeploymentFiles(eightGpuServer(), 'h100-sxm', 'kubernetes');
    const gb200 = searchedDeploymentFiles(eightGpuServer(), 'gb200', 'kubernetes');
    const text = (files: { text: string }[]) => files.map((f) => f.text).join('\n');
    assert.match(text(h100), /kind: Deployment/);
    assert.doesNotMatch(text(h100), /LeaderWorkerSet/);
    assert.match(text(gb200), /kind: LeaderWorkerSet/);
    assert.match(text(gb200), /size: 2/);
  });

  test('a configuration without engine settings is refused with the reason', () => {
    assert.throws(
      () => searchedDeploymentFiles(null, 'h100-sxm', 'compose'),
      /only the Pareto fronts’ members and the best carry them/,
    );
  });
});
