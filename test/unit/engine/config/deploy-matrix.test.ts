import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  DYNAMO_IMAGES,
  ENGINE_IMAGES,
  LLMD_IMAGE,
  LLMD_ROUTING_SIDECAR_IMAGE,
  PRODUCTION_STACK_PD_IMAGES,
  ROUTER_IMAGES,
  VLLM_ROUTER,
} from '../../../../src/engine/config/deploy/images.js';
import {
  DEPLOY_FORMATS,
  type DeployFormat,
  type DeployInput,
  deploymentFiles,
} from '../../../../src/engine/config/deploy/index.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';
import {
  assertRoundTrip,
  colocated,
  disaggregated,
  missingFields,
  multiNode,
  readBack,
  wideExpertParallel,
} from './deploy-plans.js';

/** A disaggregated MoE plan whose decode pool is wide expert parallel over two nodes. */
const disaggregatedWide: DeployInput = {
  name: 'deepseek-v3',
  engine: 'vllm',
  servers: [
    {
      role: 'prefill',
      nodes: 1,
      settings: { model: 'deepseek-ai/DeepSeek-V3', tp: 8, maxModelLen: 16384, replicas: 1, gpus: 8 },
    },
    {
      role: 'decode',
      nodes: 2,
      settings: {
        model: 'deepseek-ai/DeepSeek-V3',
        tp: 1,
        dp: 16,
        expertParallel: true,
        maxModelLen: 16384,
        replicas: 1,
        gpus: 16,
      },
    },
  ],
};

/**
 * Every format against the two plans that leave one machine's simple case: a disaggregated MoE plan and
 * a multi-node plan (TP 8 × PP 2 over two nodes). `reads back` or the located refusal the format gives,
 * naming what to emit instead, where it cannot express the plan.
 */
const MATRIX: Record<DeployFormat, { disaggregated: true | RegExp; multiNode: true | RegExp }> = {
  kubernetes: { disaggregated: true, multiNode: true },
  compose: { disaggregated: true, multiNode: /compose runs each server on one machine.*emit kubernetes/ },
  dynamo: { disaggregated: true, multiNode: true },
  kserve: { disaggregated: true, multiNode: true },
  'production-stack': { disaggregated: true, multiNode: true },
  'llm-d': { disaggregated: true, multiNode: true },
};

/**
 * The production-stack chart passes --no-enable-prefix-caching unless `enablePrefixCaching` is true, so
 * its values always say it: a plan that leaves vLLM's default (on) reads back with it set.
 */
const chartWritesPrefixCaching = { enablePrefixCaching: true };

function assertRefused(format: DeployFormat, input: DeployInput, message: RegExp) {
  assert.throws(
    () => deploymentFiles(format, input),
    (error: unknown) =>
      error instanceof ServeTuneError &&
      message.test(error.message) &&
      error.where?.startsWith(format) === true,
  );
}

describe('every format: a disaggregated MoE plan and a multi-node plan', () => {
  for (const format of DEPLOY_FORMATS) {
    const expect = MATRIX[format];
    test(`${format}: disaggregated MoE plan`, () =>
      expect.disaggregated === true
        ? assertRoundTrip(
            format,
            disaggregated('vllm'),
            format === 'production-stack' ? chartWritesPrefixCaching : {},
          )
        : assertRefused(format, disaggregated('vllm'), expect.disaggregated));
    test(`${format}: multi-node plan`, () => {
      if (expect.multiNode !== true) return assertRefused(format, multiNode('vllm'), expect.multiNode);
      assertRoundTrip(format, multiNode('vllm'));
      assert.deepEqual(missingFields(readBack(format, multiNode('vllm')).files[0].text), []);
    });
  }
  for (const format of ['kubernetes', 'dynamo', 'kserve', 'production-stack', 'llm-d'] as const)
    test(`${format}: wide expert parallelism over two nodes`, () => {
      assertRoundTrip(format, wideExpertParallel);
      assert.deepEqual(missingFields(readBack(format, wideExpertParallel).files[0].text), []);
    });
  for (const format of ['kubernetes', 'dynamo', 'kserve', 'llm-d'] as const)
    test(`${format}: disaggregated MoE plan with a decode pool over two nodes`, () => {
      assertRoundTrip(format, disaggregatedWide);
      assert.deepEqual(missingFields(readBack(format, disaggregatedWide).files[0].text), []);
    });
  test('Dynamo, TensorRT-LLM: disaggregated and multi-node plans', () => {
    assertRoundTrip('dynamo', disaggregated('trtllm'));
    assertRoundTrip('dynamo', multiNode('trtllm'));
  });
});

/** Every image an emitted file names: `image:` values and production-stack's repository:tag. */
function imagesIn(text: string): string[] {
  const images = [...text.matchAll(/^\s*-?\s*image: (\S+)$/gm)].map((m) => m[1]);
  const repositories = [...text.matchAll(/repository: (\S+)\n\s*tag: (\S+)/g)].map((m) => `${m[1]}:${m[2]}`);
  return [...images, ...repositories];
}

describe('emitted images are pinned, from one table', () => {
  const known = new Set<string>([
    ...Object.values(ENGINE_IMAGES),
    ...Object.values(DYNAMO_IMAGES),
    ...Object.values(ROUTER_IMAGES),
    LLMD_IMAGE,
    LLMD_ROUTING_SIDECAR_IMAGE,
    ...Object.values(PRODUCTION_STACK_PD_IMAGES),
  ]);
  test('every image in the table has a full version tag (major.minor.patch), none floats', () => {
    for (const image of known) assert.match(image, /:v?\d+\.\d+\.\d+([-.][\w.-]+)?$/, image);
    assert.match(VLLM_ROUTER.package, /==\d+\.\d+\.\d+$/);
  });
  const plans = [
    colocated,
    disaggregated('vllm'),
    disaggregated('sglang'),
    disaggregated('trtllm'),
    multiNode('vllm'),
    wideExpertParallel,
    disaggregatedWide,
  ];
  for (const format of DEPLOY_FORMATS)
    test(`${format}: every image it emits, routers and sidecars included, is one of the table's`, () => {
      let seen = 0;
      for (const input of plans) {
        let files: ReturnType<typeof deploymentFiles>;
        try {
          files = deploymentFiles(format, input);
        } catch {
          continue; // the matrix above pins what each format refuses
        }
        for (const image of files.flatMap((f) => imagesIn(f.text))) {
          assert.ok(known.has(image), `${format}: ${image} is not in deploy/images.ts`);
          seen++;
        }
      }
      assert.ok(seen > 0);
    });
  test('llm-d names its routing sidecar image when prefill and decode are paired', () => {
    const values = parseAllDocuments(deploymentFiles('llm-d', disaggregated('vllm'))[0].text)[0].toJS();
    assert.equal(values.routing.proxy.image, LLMD_ROUTING_SIDECAR_IMAGE);
    const colocatedValues = parseAllDocuments(deploymentFiles('llm-d', colocated)[0].text)[0].toJS();
    assert.deepEqual(colocatedValues.routing.proxy, { enabled: false });
  });
});

describe('each platform in its own multi-node form', () => {
  test('llm-d: multinode with parallelism.workers; Ray for TP × PP, data-parallel ranks per node for wide EP', () => {
    const ray = parseAllDocuments(readBack('llm-d', multiNode('vllm')).files[0].text)[0].toJS();
    assert.equal(ray.multinode, true);
    assert.deepEqual(ray.decode.parallelism, { tensor: 8, workers: 2 });
    const [container] = ray.decode.containers;
    assert.equal(container.modelCommand, 'custom');
    assert.match(
      container.args[0],
      /ray start --head --port=6379 && exec vllm serve .* --distributed-executor-backend ray/,
    );
    assert.match(container.args[0], /exec ray start --address=\$\(LWS_LEADER_ADDRESS\):6379 --block/);
    const wide = parseAllDocuments(readBack('llm-d', wideExpertParallel).files[0].text)[0].toJS();
    assert.deepEqual(wide.decode.parallelism, { tensor: 1, data: 16, dataLocal: 8, workers: 2 });
    assert.match(
      wide.decode.containers[0].args[0],
      /--data-parallel-size-local 8 .*--data-parallel-start-rank \$START_RANK --headless/,
    );
  });
  test('KServe: an LLMInferenceService part with a worker template, sized by pipeline or data ÷ dataLocal', () => {
    const ray = parseAllDocuments(readBack('kserve', multiNode('vllm')).files[0].text)[0].toJS();
    assert.deepEqual(ray.spec.parallelism, { tensor: 8, pipeline: 2 });
    assert.deepEqual(ray.spec.worker.containers[0].args, ray.spec.template.containers[0].args);
    const wide = parseAllDocuments(readBack('kserve', wideExpertParallel).files[0].text)[0].toJS();
    assert.deepEqual(wide.spec.parallelism, { tensor: 1, data: 16, dataLocal: 8, expert: true });
  });
  test('KServe refuses TP across nodes it cannot size (no pipeline, no data parallel), naming kubernetes', () => {
    const tensorOnly = multiNode('vllm');
    tensorOnly.servers[0].settings = { ...tensorOnly.servers[0].settings, tp: 16, pp: 1 };
    assertRefused('kserve', tensorOnly, /TP 16 × PP 1 over 2 nodes .*emit kubernetes/);
    assert.doesNotThrow(() => deploymentFiles('kubernetes', tensorOnly));
  });
  test('production-stack: raySpec with replicaCount Ray workers; one copy per Ray cluster', () => {
    const values = parseAllDocuments(readBack('production-stack', multiNode('vllm')).files[0].text)[0].toJS();
    const [spec] = values.servingEngineSpec.modelSpec;
    assert.equal(spec.replicaCount, 1, 'one worker beside the head: two nodes');
    assert.deepEqual(spec.raySpec, {
      enabled: true,
      headNode: { requestCPU: 8, requestMemory: '64Gi', requestGPU: 8 },
    });
    assert.equal(spec.vllmConfig.pipelineParallelSize, 2);
    assert.equal(spec.vllmConfig.v1, 1, 'the Ray pods would set VLLM_USE_V1=0 otherwise');
    const wide = parseAllDocuments(readBack('production-stack', wideExpertParallel).files[0].text)[0].toJS();
    assert.deepEqual(wide.servingEngineSpec.modelSpec[0].vllmConfig.extraArgs.slice(-2), [
      '--data-parallel-backend',
      'ray',
    ]);
    const twoCopies = multiNode('vllm');
    twoCopies.servers[0].settings = { ...twoCopies.servers[0].settings, replicas: 2, gpus: 16 };
    assertRefused('production-stack', twoCopies, /one Ray cluster per modelSpec.*emit kubernetes/);
  });
  test("production-stack: disaggregated prefill as the chart's tutorial writes it, LMCache NIXL and its router", () => {
    const { files, report } = readBack('production-stack', disaggregated('vllm'));
    assert.match(files[0].text, /^# production-stack disaggregated prefill .*\n# .*\n# .*nightly images/);
    const values = parseAllDocuments(files[0].text)[0].toJS();
    const [prefill, decode] = values.servingEngineSpec.modelSpec;
    assert.equal(`${prefill.repository}:${prefill.tag}`, PRODUCTION_STACK_PD_IMAGES.engine);
    assert.deepEqual(prefill.labels, { model: 'qwen3-moe-prefill' });
    assert.deepEqual(
      [prefill.lmcacheConfig.kvRole, prefill.lmcacheConfig.nixlRole, prefill.lmcacheConfig.enableNixl],
      ['kv_producer', 'sender', true],
    );
    assert.equal(prefill.lmcacheConfig.nixlProxyHost, 'vllm-router-service');
    assert.deepEqual(
      [decode.lmcacheConfig.kvRole, decode.lmcacheConfig.nixlRole, decode.lmcacheConfig.nixlPeerInitPort],
      ['kv_consumer', 'receiver', values.routerSpec.nixlPeerInitPort],
    );
    assert.equal(decode.replicaCount, 2);
    assert.equal(values.routerSpec.routingLogic, 'disaggregated_prefill');
    assert.deepEqual(values.routerSpec.extraArgs, [
      '--prefill-model-labels',
      'qwen3-moe-prefill',
      '--decode-model-labels',
      'qwen3-moe-decode',
    ]);
    assert.equal(values.routerSpec.nixlPeerHost, 'vllm-qwen3-moe-decode-engine-service');
    assert.equal(
      `${values.routerSpec.repository}:${values.routerSpec.tag}`,
      PRODUCTION_STACK_PD_IMAGES.router,
    );
    // LMCache's image tag is LMCache's version, never read as vLLM's.
    assert.deepEqual(
      report.blocks.map((b) => b.engineVersion),
      [undefined, undefined],
    );
    assertRefused(
      'production-stack',
      disaggregatedWide,
      /runs each pool on one node.*decode server spans 2 nodes/,
    );
  });
  test('Dynamo, TensorRT-LLM: dynamo.trtllm workers with their options YAML as a ConfigMap and a file', () => {
    const { files } = readBack('dynamo', disaggregated('trtllm'));
    const [graph, ...configMaps] = parseAllDocuments(files[0].text).map((d) => d.toJS());
    const prefill = graph.spec.services.TRTLLMPrefillWorker;
    assert.equal(prefill.subComponentType, 'prefill');
    assert.deepEqual(prefill.extraPodSpec.mainContainer.command, ['python3', '-m', 'dynamo.trtllm']);
    assert.deepEqual(prefill.extraPodSpec.mainContainer.args, [
      '--model-path',
      'Qwen/Qwen3-30B-A3B',
      '--extra-engine-args',
      'prefill.yaml',
      '--disaggregation-mode',
      'prefill',
    ]);
    assert.deepEqual(
      configMaps.map((c) => Object.keys(c.data)),
      [['prefill.yaml'], ['decode.yaml']],
    );
    const options = parseAllDocuments(files.find((f) => f.path === 'prefill.yaml')?.text ?? '')[0].toJS();
    assert.deepEqual(options, {
      tensor_parallel_size: 2,
      max_batch_size: 64,
      max_seq_len: 32768,
      cache_transceiver_config: { backend: 'UCX' },
    });
  });
});

describe('refusals name what to emit instead', () => {
  test('kubernetes: TensorRT-LLM over nodes is launched by Dynamo, not a Ray LeaderWorkerSet', () => {
    assertRefused('kubernetes', multiNode('trtllm'), /not trtllm: emit dynamo/);
    assertRoundTrip('dynamo', multiNode('trtllm'));
  });
  test('llm-d and KServe for other engines name kubernetes or Dynamo', () => {
    assertRefused(
      'llm-d',
      multiNode('sglang'),
      /llm-d serves with vLLM, not sglang: emit kubernetes or dynamo/,
    );
    assertRefused('kserve', multiNode('sglang'), /one machine.*emit kubernetes \(LeaderWorkerSet\)/);
  });
});
