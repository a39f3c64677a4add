import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockSettings, diagnoseFile, readConfig } from '../../../../src/engine/config/index.js';
import { fixturePath, readFixture, roundTrip, textAt } from './helpers.js';

const settingsOf = (name: string) => readFixture(name).report.blocks.map((b) => [b.label, blockSettings(b)]);

describe('LeaderWorkerSet', () => {
  test('the leader is the server; LWS_GROUP_SIZE is the size; the size is the nodes per server', () => {
    const { text, report } = readFixture('kinds/lws-vllm-multinode.yaml');
    assert.equal(report.blocks.length, 1, 'the Ray worker is not a server');
    const [leader] = report.blocks;
    assert.equal(leader.label, 'LeaderWorkerSet vllm-405b, leader, container vllm-leader');
    assert.deepEqual(blockSettings(leader), {
      model: 'meta-llama/Llama-3.1-405B-Instruct',
      tp: 8,
      pp: 2,
      maxModelLen: 32768,
      gpus: 8,
      replicas: 1,
    });
    assert.equal(leader.nodes?.count, 2);
    assert.equal(textAt(text, leader, 'pp'), '2');
    assert.equal(leader.settings.pp?.range?.start.line, 8, 'PP is edited at size:');
    assert.equal(leader.hardware?.id !== undefined, true);
    const errors = diagnoseFile(report).filter((d) => d.severity !== 'info');
    assert.deepEqual(errors, [], 'TP 8 × PP 2 on 2 nodes of 8 GPUs is right');
  });

  test('SGLang group: $(LWS_GROUP_SIZE) in args is the size; one server per group', () => {
    const { report } = readFixture('kinds/lws-sglang-multinode.yaml');
    assert.equal(report.blocks.length, 1);
    const [leader] = report.blocks;
    assert.equal(blockSettings(leader).tp, 16);
    assert.equal(leader.nodes?.count, 2);
    assert.deepEqual(
      diagnoseFile(report).filter((d) => d.code === 'not-enough-gpus' || d.code === 'multi-node-plan'),
      [],
      'TP 16 over 2 nodes of 8',
    );
  });
});

describe('Dynamo DynamoGraphDeployment', () => {
  test('vLLM workers: prefill/decode from subComponentType, GPUs from the service resources; frontend skipped', () => {
    assert.deepEqual(settingsOf('kinds/dynamo-vllm-disagg.yaml'), [
      [
        'DynamoGraphDeployment qwen3-moe-disagg, service VllmDecodeWorker',
        {
          model: 'Qwen/Qwen3-30B-A3B',
          tp: 2,
          maxNumSeqs: 256,
          gpuMemoryUtilization: 0.9,
          replicas: 2,
          disaggregationMode: 'decode',
          gpus: 2,
        },
      ],
      [
        'DynamoGraphDeployment qwen3-moe-disagg, service VllmPrefillWorker',
        {
          model: 'Qwen/Qwen3-30B-A3B',
          tp: 2,
          maxNumBatchedTokens: 16384,
          replicas: 1,
          disaggregationMode: 'prefill',
          gpus: 2,
        },
      ],
    ]);
    roundTrip('kinds/dynamo-vllm-disagg.yaml', 0, { tp: 4, gpus: 4, maxNumSeqs: 128 });
  });

  test('SGLang workers with their own flags; TensorRT-LLM with --extra-engine-args read from the repository', () => {
    const blocks = settingsOf('kinds/dynamo-sglang-trtllm.yaml');
    assert.deepEqual(
      blocks.map(([label, s]) => [label, (s as { disaggregationMode?: string }).disaggregationMode]),
      [
        ['DynamoGraphDeployment llama-sglang, service prefill', 'prefill'],
        ['DynamoGraphDeployment llama-sglang, service decode', 'decode'],
        ['DynamoGraphDeployment llama-trtllm, service TRTLLMWorker', undefined],
      ],
    );
    assert.deepEqual(blocks[2][1], {
      tp: 1,
      maxNumSeqs: 128,
      kvCacheFreeMemoryFraction: 0.85,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      replicas: 1,
      gpus: 1,
    });
    const trtllm = readFixture('kinds/dynamo-sglang-trtllm.yaml').report.blocks[2];
    assert.equal(trtllm.settings.kvCacheFreeMemoryFraction?.range?.file, fixturePath('kinds/engine.yaml'));
  });

  test('TensorRT-LLM defaults are not reported as the file setting them', () => {
    const { report } = readFixture('kinds/dynamo-sglang-trtllm.yaml');
    const step = diagnoseFile(report).filter((d) => d.code === 'prompt-longer-than-step');
    assert.deepEqual(
      step.map((d) => d.severity),
      ['warning'],
    );
    assert.match(step[0].message, /engine defaults: chunked prefill off, max_num_tokens 8192/);
  });
});

describe('KServe, KubeAI, AIBrix, production-stack resources', () => {
  test('ClusterServingRuntime containers and an InferenceService predictor.model (Hugging Face format → vLLM)', () => {
    assert.deepEqual(settingsOf('kinds/kserve-runtime.yaml'), [
      ['ClusterServingRuntime vllm-runtime, container kserve-container', { model: '/mnt/models', gpus: 1 }],
      [
        'InferenceService qwen3-8b, predictor',
        { model: 'Qwen/Qwen3-8B', maxModelLen: 16384, gpuMemoryUtilization: 0.9, gpus: 1 },
      ],
    ]);
    roundTrip('kinds/kserve-runtime.yaml', 1, { maxModelLen: 8192 });
  });

  test('LLMInferenceService: model from hf:// uri, parallelism, a prefill part', () => {
    const { text, report } = readFixture('kinds/kserve-llmisvc.yaml');
    assert.deepEqual(
      report.blocks.map((b) => blockSettings(b)),
      [
        {
          model: 'Qwen/Qwen3-30B-A3B',
          tp: 2,
          replicas: 2,
          disaggregationMode: 'decode',
          maxNumSeqs: 256,
          gpus: 2,
        },
        { model: 'Qwen/Qwen3-30B-A3B', tp: 4, replicas: 1, disaggregationMode: 'prefill', gpus: 4 },
      ],
    );
    assert.equal(textAt(text, report.blocks[0], 'model'), 'Qwen/Qwen3-30B-A3B');
    roundTrip('kinds/kserve-llmisvc.yaml', 1, { tp: 2 });
  });

  test('KubeAI Model: url, args, resourceProfile GPUs and GPU type', () => {
    const { report } = readFixture('kinds/kubeai-model.yaml');
    const [block] = report.blocks;
    assert.deepEqual(blockSettings(block), {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      maxModelLen: 16384,
      maxNumBatchedTokens: 16384,
      gpuMemoryUtilization: 0.9,
      replicas: 1,
      gpus: 1,
    });
    assert.equal(block.hardware?.text, 'nvidia-gpu-l4');
    roundTrip('kinds/kubeai-model.yaml', 0, { maxModelLen: 8192, replicas: 2 });
  });

  test('production-stack VLLMRuntime: model and vllmConfig keys, extraArgs, deploymentConfig', () => {
    const { report } = readFixture('kinds/vllm-runtime.yaml');
    assert.deepEqual(blockSettings(report.blocks[0]), {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      maxModelLen: 8192,
      dtype: 'bf16',
      enableChunkedPrefill: true,
      enablePrefixCaching: true,
      tp: 1,
      gpuMemoryUtilization: 0.85,
      maxNumSeqs: 128,
      maxNumBatchedTokens: 4096,
      replicas: 2,
      gpus: 1,
    });
    roundTrip('kinds/vllm-runtime.yaml', 0, { tp: 2, gpus: 2, maxNumSeqs: 64 });
  });

  test('AIBrix: RayClusterFleet head (bash -lc --, PP across Ray nodes) and StormService roles', () => {
    const { report } = readFixture('kinds/aibrix.yaml');
    assert.deepEqual(
      report.blocks.map((b) => [b.label, blockSettings(b).tp, blockSettings(b).disaggregationMode]),
      [
        ['RayClusterFleet qwen-72b-fleet, head, container ray-head', 4, undefined],
        ['StormService llama-pd, role prefill, container prefill', undefined, 'prefill'],
        ['StormService llama-pd, role decode, container decode', undefined, 'decode'],
      ],
    );
    const diagnostics = diagnoseFile(report);
    assert.ok(!diagnostics.some((d) => d.severity === 'error'));
    assert.ok(diagnostics.some((d) => d.code === 'multi-node-plan'));
  });
});

describe('llm-d model service values', () => {
  test('decode and prefill pools: args, hf:// model, parallelism, replicas, GPUs; the pool is the role', () => {
    const { text, report } = readFixture('kinds/llm-d-values.yaml');
    assert.equal(report.format, 'helm-llm-d');
    assert.deepEqual(
      report.blocks.map((b) => [b.label, blockSettings(b)]),
      [
        [
          'llm-d decode',
          {
            maxNumSeqs: 512,
            disaggregationMode: 'decode',
            gpus: 4,
            model: 'meta-llama/Llama-3.1-70B-Instruct',
            tp: 4,
            replicas: 1,
          },
        ],
        [
          'llm-d prefill',
          {
            maxNumBatchedTokens: 16384,
            disaggregationMode: 'prefill',
            gpus: 4,
            model: 'meta-llama/Llama-3.1-70B-Instruct',
            tp: 4,
            replicas: 2,
          },
        ],
      ],
    );
    assert.equal(textAt(text, report.blocks[0], 'model'), 'meta-llama/Llama-3.1-70B-Instruct');
    // Shown under the key the chart's values use, not KServe's `model.uri`.
    assert.equal(report.blocks[0].settings.model?.spelling, 'modelArtifacts.uri');
    roundTrip('kinds/llm-d-values.yaml', 1, { tp: 8, replicas: 1, maxNumBatchedTokens: 8192 });
  });
});

describe('Ray: Serve LLM configs and production-stack raySpec', () => {
  test('Ray Serve llm_configs: model_source, snake_case engine_kwargs, replicas, accelerator_type', () => {
    const { text, report } = readFixture('kinds/ray-serve-llm.yaml');
    assert.equal(report.format, 'ray-serve-llm');
    assert.deepEqual(
      report.blocks.map((b) => blockSettings(b)),
      [
        {
          model: 'Qwen/Qwen3-8B',
          tp: 2,
          maxModelLen: 16384,
          maxNumSeqs: 64,
          enableChunkedPrefill: true,
          replicas: 2,
        },
        { model: 'meta-llama/Llama-3.1-8B-Instruct', gpuMemoryUtilization: 0.85, replicas: 1 },
      ],
    );
    assert.equal(report.blocks[0].hardware?.text, 'L4');
    assert.equal(textAt(text, report.blocks[0], 'tp'), '2');
    roundTrip('kinds/ray-serve-llm.yaml', 0, { tp: 4, maxNumSeqs: 128 });
  });

  test('raySpec spreads TP × PP over Ray nodes of requestGPU each; without it the same plan needs one pod', () => {
    const { report } = readFixture('kinds/production-stack-ray.yaml');
    assert.deepEqual(
      report.blocks.map((b) => b.nodes?.count),
      [2, undefined],
    );
    const gpuErrors = diagnoseFile(report).filter((d) => d.code === 'not-enough-gpus');
    assert.deepEqual(
      gpuErrors.map((d) => d.range.start.line + 1),
      [31],
      'only the modelSpec without raySpec',
    );
  });
});

describe("the vLLM project's Helm chart and OPEA's model-server charts", () => {
  test('vLLM chart: image.command read as written; replicas, GPUs, version and GPU product from the values', () => {
    const { text, report } = readFixture('helm/vllm-chart-values.yaml');
    assert.equal(report.format, 'helm-vllm');
    const [block] = report.blocks;
    assert.deepEqual(blockSettings(block), {
      model: 'Qwen/Qwen3-32B',
      tp: 2,
      maxModelLen: 32768,
      maxNumSeqs: 128,
      gpuMemoryUtilization: 0.92,
      replicas: 3,
      gpus: 2,
    });
    assert.equal(block.engineVersion?.text, 'v0.10.1');
    assert.equal(block.hardware?.id, 'h100-sxm');
    assert.equal(textAt(text, block, 'maxNumSeqs'), '"128"');
    assert.deepEqual(diagnoseFile(report), []);
    roundTrip('helm/vllm-chart-values.yaml', 0, { maxNumSeqs: 256, enablePrefixCaching: true });
  });

  test('OPEA vllm chart: LLM_MODEL_ID is the model, extraCmdArgs the flags', () => {
    const { text, report } = readFixture('helm/opea-vllm-values.yaml');
    assert.equal(report.format, 'helm-opea');
    const [block] = report.blocks;
    assert.equal(block.engine, 'vllm');
    assert.deepEqual(blockSettings(block), {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      maxNumSeqs: 256,
      enablePrefixCaching: true,
      gpuMemoryUtilization: 0.9,
      replicas: 2,
      gpus: 1,
    });
    assert.equal(block.hardware?.id, 'l40s');
    assert.equal(textAt(text, block, 'gpuMemoryUtilization'), '"0.9"');
    roundTrip('helm/opea-vllm-values.yaml', 0, { maxNumSeqs: 128, tp: 1 });
  });

  test('OPEA tgi chart: upper-case keys are the launcher environment; empty ones are left out', () => {
    const { text, report } = readFixture('helm/opea-tgi-values.yaml');
    assert.equal(report.format, 'helm-opea');
    const [block] = report.blocks;
    assert.equal(block.engine, 'tgi');
    assert.deepEqual(blockSettings(block), {
      model: 'Qwen/Qwen2.5-7B-Instruct',
      tp: 2,
      maxModelLen: 8192,
      maxNumSeqs: 64,
      replicas: 1,
      gpus: 2,
    });
    assert.equal(textAt(text, block, 'maxModelLen'), '"8192"');
    assert.ok(!block.occurrences.some((o) => o.spelling === 'CUDA_GRAPHS'), 'CUDA_GRAPHS "" is not passed');
    roundTrip('helm/opea-tgi-values.yaml', 0, { maxNumSeqs: 32 });
  });
});

describe('multi-node forms of llm-d, KServe and production-stack', () => {
  test('llm-d multinode: data ÷ dataLocal pods per server; a custom command is read as written', () => {
    const { report } = readFixture('kinds/llm-d-multinode.yaml');
    const [decode, prefill] = report.blocks;
    assert.deepEqual(blockSettings(decode), {
      model: 'Qwen/Qwen3-235B-A22B-FP8',
      expertParallel: true,
      tp: 1,
      dp: 16,
      maxModelLen: 32768,
      disaggregationMode: 'decode',
      gpus: 8,
      replicas: 1,
    });
    assert.equal(decode.nodes?.count, 2);
    assert.equal(prefill.nodes, undefined, 'the prefill pool fits one node');
    // The chart passes a custom command as written: parallelism sizes the group, it is not a flag.
    assert.ok(!decode.occurrences.some((o) => o.spelling.startsWith('parallelism.')));
    assert.ok(prefill.occurrences.some((o) => o.spelling === 'parallelism.tensor'));
    const warnings = diagnoseFile(report, { hardware: 'h100-sxm' }).filter((d) => d.severity !== 'info');
    assert.deepEqual(warnings, [], '16 ranks over 2 nodes of 8 GPUs, prefill TP 8 on one: all right');
  });

  test('KServe LLMInferenceService with a worker: its preset passes parallelism; data ÷ dataLocal pods', () => {
    const { report } = readFixture('kinds/kserve-llmisvc-multinode.yaml');
    const [block] = report.blocks;
    assert.deepEqual(blockSettings(block), {
      gpus: 8,
      model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
      dp: 16,
      tp: 1,
      expertParallel: true,
      replicas: 1,
    });
    assert.equal(block.nodes?.count, 2);
  });

  test('production-stack raySpec: replicaCount counts Ray workers; pipelineParallelSize is passed', () => {
    const { report } = readFixture('kinds/production-stack-ray.yaml');
    const [ray] = report.blocks;
    assert.equal(ray.nodes?.count, 2, 'head and one worker');
    assert.equal(blockSettings(ray).replicas, 1, 'one copy per Ray cluster');
    assert.match(
      ray.occurrences.find((o) => o.spelling === 'replicaCount')?.note ?? '',
      /number of Ray worker pods/,
    );
    // Ray's start script passes only enablePrefixCaching: true; nothing forces it off.
    assert.equal(blockSettings(ray).enablePrefixCaching, undefined);
  });

  test('production-stack: pipelineParallelSize is passed under raySpec, ignored by the Deployment', () => {
    const values = (ray: boolean) => `servingEngineSpec:
  modelSpec:
    - name: m
      repository: vllm/vllm-openai
      tag: v0.12.0
      modelURL: Qwen/Qwen2.5-72B-Instruct
      replicaCount: 1
      requestGPU: 4
      vllmConfig:
        tensorParallelSize: 4
        pipelineParallelSize: 2
${ray ? '      raySpec:\n        enabled: true\n        headNode:\n          requestGPU: 4\n' : ''}`;
    const read = (ray: boolean) => readConfig('/v/values.yaml', values(ray)).blocks[0];
    assert.equal(blockSettings(read(true)).pp, 2);
    assert.equal(read(true).nodes?.count, 2);
    assert.ok(!read(true).problems.some((p) => p.code === 'chart-ignores-key'));
    assert.equal(blockSettings(read(false)).pp, undefined);
    assert.ok(read(false).problems.some((p) => p.code === 'chart-ignores-key'));
  });

  test('production-stack: lmcacheConfig.kvRole makes a prefill or decode side, only when LMCache is enabled', () => {
    const values = (enabled: boolean, role: string) => `servingEngineSpec:
  modelSpec:
    - name: llama-${role}
      repository: lmcache/vllm-openai
      tag: v0.3.7
      modelURL: meta-llama/Llama-3.1-8B-Instruct
      requestGPU: 1
      lmcacheConfig:
        enabled: ${enabled}
        kvRole: ${role}
        enableNixl: true
`;
    const read = (enabled: boolean, role: string) =>
      readConfig('/v/values.yaml', values(enabled, role)).blocks[0];
    assert.equal(blockSettings(read(true, 'kv_producer')).disaggregationMode, 'prefill');
    assert.equal(blockSettings(read(true, 'kv_consumer')).disaggregationMode, 'decode');
    assert.equal(blockSettings(read(false, 'kv_producer')).disaggregationMode, undefined);
    assert.equal(
      read(true, 'kv_producer').engineVersion,
      undefined,
      "v0.3.7 is LMCache's version, not vLLM's",
    );
  });
});

describe('TensorRT-LLM disaggregated router config read alone', () => {
  test('it is a router over the servers it lists, not a server and not "unknown"', () => {
    const { report } = readFixture('launch/disagg-router.yaml');
    assert.equal(report.format, 'trtllm-disagg-router');
    assert.deepEqual(report.blocks, []);
    assert.deepEqual(
      report.problems.map((p) => [p.severity, p.code, p.message]),
      [
        [
          'info',
          'disaggregated-router',
          "TensorRT-LLM disaggregated router config (trtllm-serve disaggregated -c): it routes to context (prefill) servers localhost:8001 and generation (decode) servers localhost:8002; it is not a server, so no engine settings are read here (check each server's own command)",
        ],
      ],
    );
  });
  test('an ordinary TensorRT-LLM options YAML is still an options YAML', () => {
    const { report } = readFixture('trtllm/extra-llm-api-options.yaml');
    assert.notEqual(report.format, 'trtllm-disagg-router');
  });
});
