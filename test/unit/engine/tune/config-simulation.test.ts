import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulationConfig } from '../../../../src/engine/sim/config.js';
import { simulationConfigOf, simulationFromConfig } from '../../../../src/engine/tune/config-simulation.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

/** A reader over in-memory files, as the editor and tests give one. */
const files = (texts: Record<string, string>) => (path: string) => texts[path];

describe('simulationFromConfig', () => {
  it('takes the plan, engine, scheduler and engine behaviours from a launch command', () => {
    const readFile = files({
      '/c/serve.sh':
        'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp 2 \\\n' +
        '  --disable-cuda-graph --disable-custom-all-reduce --scheduler-recv-interval 4 \\\n' +
        '  --max-running-requests 64 --chunked-prefill-size 4096 --page-size 32\n',
    });
    const config = simulationFromConfig('/c/serve.sh', { hardware: 'h100-sxm', readFile });
    assert.equal(config.model, 'llama-3.1-8b');
    assert.equal(config.hardware, 'h100-sxm');
    assert.equal(config.plan.tp, 2);
    assert.deepEqual(config.engine, { id: 'sglang' });
    assert.deepEqual(config.behaviour, { disableCustomAllReduce: true, enforceEager: true });
    assert.equal(config.scheduler.policy, 'sglang');
    assert.equal(config.scheduler.maxNumSeqs, 64);
    assert.equal(config.scheduler.chunkedPrefillSize, 4096);
    assert.equal(config.scheduler.schedulerRecvInterval, 4);
    assert.equal(config.scheduler.blockSize, 32);
    assert.match(config.source, /^\/c\/serve\.sh:1:1 /);
  });

  it('is a simulation of one pool, timed by the engine with the behaviours the file sets', () => {
    const readFile = files({
      '/c/serve.sh':
        'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp 2 --disable-cuda-graph\n',
    });
    const config = simulationFromConfig('/c/serve.sh', { hardware: 'h100-sxm', readFile });
    const simulation = SimulationConfig.parse(simulationConfigOf(config, { ttft: 2 }));
    assert.equal(simulation.engine?.id, 'sglang');
    assert.equal(simulation.engine?.cudaGraphs, false);
    assert.equal(simulation.engine?.customAllReduce, true);
    assert.equal(simulation.slo.ttft, 2);
    assert.equal(simulation.deployment.kind, 'colocated');
    if (simulation.deployment.kind === 'colocated') {
      assert.equal(simulation.deployment.pool.plan.tp, 2);
      assert.equal(simulation.deployment.pool.scheduler.policy, 'sglang');
    }
  });

  it("takes TensorRT-LLM's MoE backend, overlap scheduler and batch waiting from its options YAML", () => {
    const readFile = files({
      '/c/serve.sh': 'trtllm-serve Qwen/Qwen3-30B-A3B-FP8 --extra_llm_api_options /c/extra.yaml\n',
      '/c/extra.yaml':
        'moe_config:\n  backend: DEEPGEMM\ndisable_overlap_scheduler: true\n' +
        'batch_wait_timeout_iters: 20\nbatch_wait_max_tokens_ratio: 0.75\n',
    });
    const config = simulationFromConfig('/c/serve.sh', { hardware: 'b200', readFile });
    assert.deepEqual(config.behaviour, { moeBackend: 'deepgemm', overlapScheduling: false });
    assert.equal(config.scheduler.batchWaitIters, 20);
    assert.equal(config.scheduler.batchWaitTokensRatio, 0.75);
  });

  it("takes the engine version from the container image's tag", () => {
    const config = simulationFromConfig('test/fixtures/configs/kubernetes/vllm-deployment.yaml', {
      hardware: 'h100-sxm',
    });
    assert.deepEqual(config.engine, { id: 'vllm', version: '0.10.1' });
  });

  it('names the file and the line of a malformed file', () => {
    const readFile = files({ '/c/bad.yaml': 'model: llama-3.1-8b\nmax_batch_size: [1\n  : x\n' });
    assert.throws(
      () => simulationFromConfig('/c/bad.yaml', { hardware: 'h100-sxm', readFile }),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.code === 'invalid-config' &&
        /^\/c\/bad\.yaml:\d+:\d+: /.test(error.message),
    );
  });

  it('refuses one side of a disaggregated deployment, saying how to simulate the pair', () => {
    assert.throws(
      () =>
        simulationFromConfig('test/fixtures/configs/kinds/dynamo-vllm-disagg.yaml', { hardware: 'h100-sxm' }),
      (error: unknown) =>
        isServeTuneError(error) &&
        /dynamo-vllm-disagg\.yaml:\d+:\d+: .* side of a disaggregated deployment; .*--prefill-tp\/--decode-tp/.test(
          error.message,
        ),
    );
  });

  it('names a file that cannot be read', () => {
    assert.throws(
      () => simulationFromConfig('/c/missing.sh', { readFile: files({}) }),
      (error: unknown) =>
        isServeTuneError(error) && error.message === 'Cannot read /c/missing.sh: no such file',
    );
  });

  it('refuses a block that cannot run as written, naming where it is', () => {
    const readFile = files({
      '/c/serve.sh': 'vllm serve meta-llama/Llama-3.1-8B-Instruct --quantization hqq\n',
    });
    assert.throws(
      () => simulationFromConfig('/c/serve.sh', { hardware: 'h100-sxm', readFile }),
      (error: unknown) =>
        isServeTuneError(error) &&
        /^\/c\/serve\.sh:1:1: .*quantization 'hqq' is not modelled/.test(error.message),
    );
  });
});
