import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  DEPLOY_FORMATS,
  type DeployFormat,
  type DeployInput,
  deploymentFiles,
} from '../../../../src/engine/config/deploy/index.js';
import { blockSettings, diagnoseFile, readConfig } from '../../../../src/engine/config/index.js';

/** A disaggregated MoE plan: prefill TP 2 × 1, decode TP 2 × 2. */
const disaggregated = (engine: 'vllm' | 'sglang' | 'trtllm'): DeployInput => ({
  name: 'qwen3-moe',
  engine,
  servers: [
    {
      role: 'prefill',
      nodes: 1,
      settings: {
        model: 'Qwen/Qwen3-30B-A3B',
        tp: 2,
        maxNumSeqs: 64,
        maxModelLen: 32768,
        replicas: 1,
        gpus: 2,
      },
    },
    {
      role: 'decode',
      nodes: 1,
      settings: {
        model: 'Qwen/Qwen3-30B-A3B',
        tp: 2,
        maxNumSeqs: 256,
        maxModelLen: 32768,
        replicas: 2,
        gpus: 2,
      },
    },
  ],
});

/** A multi-node plan: TP 8 within a node, PP 2 across two nodes. */
const multiNode = (engine: 'vllm' | 'sglang'): DeployInput => ({
  name: 'llama-405b',
  engine,
  servers: [
    {
      role: 'server',
      nodes: 2,
      settings: {
        model: 'meta-llama/Llama-3.1-405B-Instruct',
        tp: 8,
        pp: 2,
        maxModelLen: 16384,
        replicas: 1,
        gpus: 16,
      },
    },
  ],
});

const colocated: DeployInput = {
  name: 'llama-8b',
  engine: 'vllm',
  servers: [
    {
      role: 'server',
      nodes: 1,
      settings: {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        tp: 1,
        maxNumSeqs: 128,
        enablePrefixCaching: true,
        replicas: 2,
        gpus: 1,
      },
    },
  ],
};

/** Emit, then read every file back with the readers users' files go through. */
function readBack(format: DeployFormat, input: DeployInput) {
  const files = deploymentFiles(format, input);
  const texts = new Map(files.map((f) => [`/deploy/${f.path}`, f.text]));
  const main = files[0];
  const report = readConfig(`/deploy/${main.path}`, main.text, { readFile: (p) => texts.get(p) });
  return { files, report };
}

/** What reading back must give for a server: its settings per pod, and its role. */
function expected(input: DeployInput) {
  return input.servers.map((server) => ({
    ...server.settings,
    gpus: (server.settings.gpus ?? 1) / server.nodes,
    ...(server.role !== 'server' ? { disaggregationMode: server.role } : {}),
  }));
}

function assertRoundTrip(format: DeployFormat, input: DeployInput) {
  const { report } = readBack(format, input);
  const errors = diagnoseFile(report).filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `${format}: no errors on what ServeTune emits`);
  // Prefill first, whatever order the format lists its parts in.
  const byRole = <T extends { disaggregationMode?: string }>(list: T[]) =>
    [...list].sort((a, b) => String(b.disaggregationMode).localeCompare(String(a.disaggregationMode)));
  const settings = byRole(report.blocks.map((b) => blockSettings(b)));
  assert.deepEqual(settings, byRole(expected(input)), `${format} reads back to the plan`);
  const nodes = report.blocks.map((b) => b.nodes?.count ?? 1);
  assert.deepEqual(
    nodes,
    input.servers.map((s) => s.nodes),
    `${format}: nodes per server`,
  );
}

/**
 * TensorRT-LLM's pair: each server says its side (`--server_role`) and carries a cache transceiver in its
 * options; `trtllm-serve disaggregated -c` reads the router YAML that lists both pools by URL.
 */
function assertTrtllmRouter(format: 'kubernetes' | 'compose') {
  const { files } = readBack(format, disaggregated('trtllm'));
  const router = files.find((f) => f.path === 'disagg-router.yaml');
  assert.ok(router, 'the router YAML is emitted');
  const config = parseAllDocuments(router.text)[0].toJS() as Record<
    string,
    { urls: string[]; num_instances: number }
  >;
  assert.deepEqual(config.context_servers, { num_instances: 1, urls: ['qwen3-moe-prefill:8000'] });
  assert.deepEqual(config.generation_servers, { num_instances: 1, urls: ['qwen3-moe-decode:8000'] });
  const main = files[0].text;
  assert.match(main, /- trtllm-serve\n\s*- disaggregated/);
  assert.match(main, /- -c\n\s*- disagg-router\.yaml/);
  assert.match(main, /- --server_role\n\s*- CONTEXT/);
  assert.match(main, /- --server_role\n\s*- GENERATION/);
  // trtllm-serve listens on localhost by default: the router in another container could not reach it.
  assert.equal(main.match(/- --host\n\s*- 0\.0\.0\.0/g)?.length, 2);
  for (const side of ['prefill.yaml', 'decode.yaml']) {
    const options = files.find((f) => f.path === side)?.text ?? '';
    assert.match(options, /cache_transceiver_config:\n\s+backend: UCX/, side);
  }
}

describe('emitted deployments read back to the plan', () => {
  for (const engine of ['vllm', 'sglang'] as const) {
    for (const format of ['kubernetes', 'compose', 'dynamo'] as const) {
      test(`${format}, ${engine}: disaggregated MoE plan`, () =>
        assertRoundTrip(format, disaggregated(engine)));
    }
    for (const format of ['kubernetes', 'dynamo'] as const) {
      test(`${format}, ${engine}: multi-node plan`, () => assertRoundTrip(format, multiNode(engine)));
    }
  }
  for (const format of ['kubernetes', 'compose'] as const) {
    test(`${format}, TensorRT-LLM: disaggregated MoE plan with its router YAML`, () => {
      assertRoundTrip(format, disaggregated('trtllm'));
      assertTrtllmRouter(format);
    });
  }
  for (const format of ['kubernetes', 'compose'] as const) {
    test(`${format}, vLLM: the disaggregated plan deploys with vllm-router pairing the pools`, () => {
      const { files, report } = readBack(format, disaggregated('vllm'));
      const main = files[0].text;
      assert.match(
        main,
        /pip install --no-cache-dir vllm-router==[\d.]+ && exec vllm-router --vllm-pd-disaggregation --prefill http:\/\/qwen3-moe-prefill:8000 --decode http:\/\/qwen3-moe-decode:8000 --host 0\.0\.0\.0 --port 8000/,
      );
      assert.equal(report.blocks.length, 2, 'the router is not read as a server');
      // The prefill server's NIXL handshake address is one the decode pods reach.
      assert.match(
        main,
        format === 'compose' ? /VLLM_NIXL_SIDE_CHANNEL_HOST: qwen3-moe-prefill/ : /fieldPath: status\.podIP/,
      );
    });
  }
  test('compose refuses a vLLM prefill pool of several copies (one handshake address per service)', () => {
    const input = disaggregated('vllm');
    input.servers[0].settings = { ...input.servers[0].settings, replicas: 2, gpus: 2 };
    assert.throws(() => deploymentFiles('compose', input), /NIXL handshake; emit kubernetes/);
    assert.doesNotThrow(() => deploymentFiles('kubernetes', input));
  });
  test('kserve, vLLM: disaggregated MoE plan as an LLMInferenceService', () =>
    assertRoundTrip('kserve', disaggregated('vllm')));
  test('llm-d, vLLM: disaggregated MoE plan as decode and prefill pools', () =>
    assertRoundTrip('llm-d', disaggregated('vllm')));
  for (const format of DEPLOY_FORMATS) {
    test(`${format}, vLLM: colocated plan`, () => assertRoundTrip(format, colocated));
  }
});

/**
 * Fields each kind must have for its controller to accept it (the CRDs' required fields and what the
 * platforms' docs mark required). `*` stands for every key of a map or item of a list. The same paths are
 * checked on the hand-written fixture of that kind, so the table describes real files.
 */
const REQUIRED: Record<string, string[]> = {
  Deployment: [
    'apiVersion',
    'metadata.name',
    'spec.selector.matchLabels',
    'spec.template.metadata.labels',
    'spec.template.spec.containers.*.image',
    'spec.template.spec.containers.*.name',
  ],
  LeaderWorkerSet: [
    'apiVersion',
    'metadata.name',
    'spec.leaderWorkerTemplate.size',
    'spec.leaderWorkerTemplate.leaderTemplate.spec.containers.*.image',
    'spec.leaderWorkerTemplate.workerTemplate.spec.containers.*.image',
  ],
  DynamoGraphDeployment: [
    'apiVersion',
    'metadata.name',
    'spec.services.*.componentType',
    'spec.services.*.replicas',
    'spec.services.*.extraPodSpec.mainContainer.image',
  ],
  LLMInferenceService: ['apiVersion', 'metadata.name', 'spec.model.uri', 'spec.template.containers.*.name'],
  compose: ['services.*.image'],
  'llm-d': [
    'modelArtifacts.uri',
    'decode.containers.*.name',
    'decode.containers.*.image',
    'decode.containers.*.modelCommand',
  ],
  'production-stack': [
    'servingEngineSpec.modelSpec.*.name',
    'servingEngineSpec.modelSpec.*.repository',
    'servingEngineSpec.modelSpec.*.tag',
    'servingEngineSpec.modelSpec.*.modelURL',
    'servingEngineSpec.modelSpec.*.requestGPU',
  ],
};

const FIXTURE_OF_KIND: Record<string, string> = {
  Deployment: 'kubernetes/vllm-deployment.yaml',
  LeaderWorkerSet: 'kinds/lws-vllm-multinode.yaml',
  DynamoGraphDeployment: 'kinds/dynamo-vllm-disagg.yaml',
  LLMInferenceService: 'kinds/kserve-llmisvc.yaml',
  compose: 'compose/docker-compose.yaml',
  'production-stack': 'helm/production-stack-values.yaml',
  'llm-d': 'kinds/llm-d-values.yaml',
};

/** The values at a dotted path, `*` fanning out; empty where the path is missing. */
function valuesAt(node: unknown, path: string[]): unknown[] {
  if (path.length === 0) return node === undefined || node === null ? [] : [node];
  if (typeof node !== 'object' || node === null) return [];
  const [head, ...rest] = path;
  const children = head === '*' ? Object.values(node) : [(node as Record<string, unknown>)[head]];
  if (head === '*' && children.length === 0) return [];
  const found = children.map((child) => valuesAt(child, rest));
  return found.some((f) => f.length === 0) ? [] : found.flat();
}

function kindOf(document: Record<string, unknown>): string {
  if (typeof document.kind === 'string') return document.kind;
  if ('modelArtifacts' in document) return 'llm-d';
  return 'services' in document ? 'compose' : 'production-stack';
}

function missingFields(text: string): string[] {
  const missing: string[] = [];
  for (const parsed of parseAllDocuments(text)) {
    const document = parsed.toJS() as Record<string, unknown>;
    for (const path of REQUIRED[kindOf(document)] ?? [])
      if (valuesAt(document, path.split('.')).length === 0) missing.push(`${kindOf(document)}: ${path}`);
  }
  return missing;
}

describe('emitted files have the fields their kinds require', () => {
  test('the fixtures of each kind have the required fields (the table describes real files)', async () => {
    const { readFileSync } = await import('node:fs');
    const { fixturePath } = await import('./helpers.js');
    for (const [kind, fixture] of Object.entries(FIXTURE_OF_KIND)) {
      const text = readFileSync(fixturePath(fixture), 'utf8');
      assert.deepEqual(
        missingFields(text).filter((m) => m.startsWith(`${kind}:`)),
        [],
        fixture,
      );
    }
  });

  for (const format of DEPLOY_FORMATS) {
    test(`${format}: every document has its kind's required fields; every command is editable`, () => {
      const inputs = [colocated, ...(format === 'production-stack' ? [] : [disaggregated('vllm')])];
      if (format === 'kubernetes' || format === 'dynamo') inputs.push(multiNode('vllm'), multiNode('sglang'));
      for (const input of inputs) {
        const { files, report } = readBack(format, input);
        assert.deepEqual(missingFields(files[0].text), []);
        for (const block of report.blocks)
          assert.ok(!block.problems.some((p) => /cannot edit/.test(p.message)), block.label);
      }
    });
  }
});
