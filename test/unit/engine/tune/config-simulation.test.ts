import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sglangDefaultMemFractionStatic } from '../../../../src/engine/config/knobs/sglang.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { memoryReport } from '../../../../src/engine/memory/model.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { SimulationConfig } from '../../../../src/engine/sim/config.js';
import {
  disaggregationSides,
  simulationConfigOf,
  simulationFromConfig,
} from '../../../../src/engine/tune/config-simulation.js';
import { readBlock } from '../../../../src/engine/tune/read-block.js';
import { isServeTuneError } from '../../../../src/engine/util/errors.js';

/** A reader over in-memory files, as the editor and tests give one. */
const files = (texts: Record<string, string>) => (path: string) => texts[path];

describe('simulationFromConfig', () => {
  /** The KV cache bytes per GPU the memory model gives the simulation of `command` on an H100. */
  const kvOf = (command: string) => {
    const config = simulationFromConfig('/c/serve.sh', {
      hardware: 'h100-sxm',
      readFile: files({ '/c/serve.sh': command }),
    });
    const { plan, scheduler } = config;
    const settings = { ...scheduler, contextLength: scheduler.maxModelLen };
    return memoryReport(getModel(config.model), getHardware('h100-sxm'), plan, settings).perGpu;
  };
  const sglang = 'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct';

  it("gives SGLang's --mem-fraction-static to weights and KV cache, activations outside it", () => {
    const gpu = kvOf(`${sglang} --mem-fraction-static 0.8\n`);
    // SGLang's KV pool: the static share of the GPU less the weights (the runtime's own reserve aside).
    const engine = 0.8 * gpu.totalBytes - gpu.weightBytes - gpu.runtimeReserveBytes;
    assert.ok(Math.abs(gpu.kvCacheBytes - engine) < 1, `${gpu.kvCacheBytes} vs ${engine}`);
    // vLLM's gpu-memory-utilization 0.8 takes the activations out of the same share.
    const vllm = kvOf('vllm serve meta-llama/Llama-3.1-8B-Instruct --gpu-memory-utilization 0.8\n');
    assert.ok(vllm.kvCacheBytes < gpu.kvCacheBytes);
  });

  it('takes the --mem-fraction-static SGLang picks at start-up where the file gives none', () => {
    const gpu = kvOf(`${sglang}\n`);
    const startup = sglangDefaultMemFractionStatic({ gpuMemoryBytes: gpu.totalBytes, tp: 1, pp: 1 });
    assert.equal(startup, 0.836);
    const engine = startup * gpu.totalBytes - gpu.weightBytes - gpu.runtimeReserveBytes;
    assert.ok(Math.abs(gpu.kvCacheBytes - engine) < 1, `${gpu.kvCacheBytes} vs ${engine}`);
  });

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

  it('refuses one side of a disaggregated deployment without --side, naming the file and its sides', () => {
    assert.throws(
      () =>
        simulationFromConfig('test/fixtures/configs/kinds/dynamo-vllm-disagg.yaml', { hardware: 'h100-sxm' }),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.where === '--side' &&
        /dynamo-vllm-disagg\.yaml:\d+:\d+: .* is the decode side of a disaggregated deployment: pick the side to simulate with --side prefill\|decode \(.*dynamo-vllm-disagg\.yaml has these sides: decode \(block 0\), prefill \(block 1\)\)/.test(
          error.message,
        ),
    );
  });

  it('simulates a side with the other side of the file as its pair', () => {
    const path = 'test/fixtures/configs/kubernetes/disaggregated-sglang.yaml';
    const prefill = simulationFromConfig(path, { hardware: 'h100-sxm', side: 'prefill' });
    // The prefill side: TP1 × 2 replicas, 8192-token chunks; its pair the decode side's TP2, 512 requests.
    assert.deepEqual([prefill.plan.tp, prefill.plan.dp], [1, 2]);
    assert.equal(prefill.scheduler.chunkedPrefillSize, 8192);
    assert.equal(prefill.disaggregated?.side, 'prefill');
    assert.deepEqual([prefill.disaggregated?.other?.plan.tp, prefill.disaggregated?.other?.plan.dp], [2, 1]);
    assert.equal(prefill.disaggregated?.other?.scheduler.maxNumSeqs, 512);
    assert.match(prefill.disaggregated!.other!.source, /disaggregated-sglang\.yaml:\d+:\d+ .*decode/);
    const simulation = SimulationConfig.parse(simulationConfigOf(prefill));
    assert.equal(simulation.deployment.kind, 'disaggregated');
    if (simulation.deployment.kind === 'disaggregated') {
      assert.equal(simulation.deployment.prefill.plan.tp, 1);
      assert.equal(simulation.deployment.prefill.plan.dp, 2);
      assert.equal(simulation.deployment.decode.plan.tp, 2);
      assert.equal(simulation.deployment.decode.scheduler.maxNumSeqs, 512);
    }
    // The decode side picks the same pair, each pool from its own block.
    const decode = simulationFromConfig(path, { hardware: 'h100-sxm', side: 'decode' });
    assert.deepEqual([decode.plan.tp, decode.disaggregated?.other?.plan.tp], [2, 1]);
    const pair = SimulationConfig.parse(simulationConfigOf(decode));
    assert.deepEqual(pair.deployment, simulation.deployment);
  });

  it('names the side each block of a file serves (what the editor puts one Simulate lens on per side)', () => {
    const path = 'test/fixtures/configs/kubernetes/disaggregated-sglang.yaml';
    const { report } = readBlock(path, undefined, 0);
    assert.deepEqual(disaggregationSides(report), ['prefill', 'decode']);
    const whole = readBlock('test/fixtures/configs/kubernetes/vllm-deployment.yaml', undefined, 0);
    assert.deepEqual(disaggregationSides(whole.report), [undefined]);
  });

  it('pairs a side with a copy of itself where the file holds no other side', () => {
    const readFile = files({
      '/c/decode.sh':
        'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp 2 --disaggregation-mode decode\n',
    });
    const decode = simulationFromConfig('/c/decode.sh', { hardware: 'h100-sxm', side: 'decode', readFile });
    assert.equal(decode.disaggregated?.other, null);
    const simulation = SimulationConfig.parse(simulationConfigOf(decode));
    assert.equal(simulation.deployment.kind, 'disaggregated');
    if (simulation.deployment.kind === 'disaggregated')
      assert.deepEqual(simulation.deployment.prefill.plan, simulation.deployment.decode.plan);
    assert.throws(
      () => simulationFromConfig('/c/decode.sh', { hardware: 'h100-sxm', side: 'prefill', readFile }),
      (error: unknown) =>
        isServeTuneError(error) &&
        error.message ===
          '--side prefill: /c/decode.sh has no prefill side (/c/decode.sh has these sides: decode (block 0))',
    );
  });

  it('refuses --side on a whole server, and a --block that is not the side asked for', () => {
    const readFile = files({
      '/c/serve.sh': 'python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp 2\n',
    });
    assert.throws(
      () => simulationFromConfig('/c/serve.sh', { hardware: 'h100-sxm', side: 'decode', readFile }),
      (error: unknown) =>
        isServeTuneError(error) &&
        /--side decode: \/c\/serve\.sh has no decode side \(.*: none\)/.test(error.message),
    );
    const path = 'test/fixtures/configs/kubernetes/disaggregated-sglang.yaml';
    assert.throws(
      () => simulationFromConfig(path, { hardware: 'h100-sxm', side: 'decode', block: 0 }),
      (error: unknown) =>
        isServeTuneError(error) &&
        /^--side decode: block 0 of .*disaggregated-sglang\.yaml is the prefill side \(.* prefill \(block 0\), decode \(block 1\)\)$/.test(
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

describe('a recipe naming another published checkpoint of a catalog model', () => {
  it("loads NVIDIA's NVFP4 DeepSeek-R1 in its own format, as the recipe serves it", () => {
    const command = 'python3 -m sglang.launch_server --model-path nvidia/DeepSeek-R1-0528-FP4-v2 --tp 4';
    const config = simulationFromConfig('/c/serve.sh', {
      hardware: 'gb200',
      readFile: files({ '/c/serve.sh': command }),
    });
    assert.equal(config.plan.weightDtype, 'nvfp4');
    assert.equal(getModel(config.model).id, 'deepseek-r1');
  });

  it("gives each side of a disaggregated pair its own servers' overlap scheduler", () => {
    // The fixture with its prefill servers launched without the overlap scheduler, as TensorRT-LLM
    // recipes run their context servers; the decode servers keep the engine's default.
    const path = 'test/fixtures/configs/kubernetes/disaggregated-sglang.yaml';
    const text = readFileSync(path, 'utf8').replace(
      '- prefill\n',
      '- prefill\n            - --disable-overlap-schedule\n',
    );
    const readFile = files({ '/c/disagg.yaml': text });
    for (const side of ['prefill', 'decode'] as const) {
      const config = simulationFromConfig('/c/disagg.yaml', { hardware: 'h100-sxm', side, readFile });
      const simulation = simulationConfigOf(config);
      assert.equal(simulation.deployment.kind, 'disaggregated');
      if (simulation.deployment.kind !== 'disaggregated') continue;
      assert.equal(simulation.deployment.prefill.overlapScheduling, false, side);
      assert.equal(simulation.deployment.decode.overlapScheduling, undefined, side);
      // Not engine-wide: the decode side falls back to the engine version's default.
      assert.equal(simulation.engine?.overlapScheduling, undefined, side);
    }
  });
});
