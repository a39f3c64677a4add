import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deployInputOf, deploymentName } from '../../../../src/engine/search/deploy-input.js';

describe('a searched configuration as a deployment', () => {
  test('names are Kubernetes-safe; a server over more GPUs than a node has spans nodes', () => {
    assert.equal(deploymentName('Qwen/Qwen3-30B-A3B'), 'qwen3-30b-a3b');
    assert.equal(deploymentName('meta-llama/Llama-3.1-8B-Instruct'), 'llama-3-1-8b-instruct');
    const server = (role: 'prefill' | 'decode', gpus: number) => ({
      role,
      commandLine: '',
      argv: [],
      env: {},
      replicas: 2,
      gpusPerServer: gpus,
      dropped: [],
      expressed: { model: 'm', tp: gpus },
    });
    const input = deployInputOf(
      { engine: 'sglang', servers: [server('prefill', 4), server('decode', 16)] },
      'org/M',
      8,
    );
    assert.equal(input.engine, 'sglang');
    assert.deepEqual(
      input.servers.map((s) => [s.role, s.nodes, s.settings.gpus, s.settings.replicas, s.settings.tp]),
      [
        ['prefill', 1, 4, 2, 4],
        ['decode', 2, 16, 2, 16],
      ],
    );
  });
});
