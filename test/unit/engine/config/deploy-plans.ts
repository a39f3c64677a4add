import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import {
  type DeployFormat,
  type DeployInput,
  deploymentFiles,
} from '../../../../src/engine/config/deploy/index.js';
import { blockSettings, diagnoseFile, readConfig } from '../../../../src/engine/config/index.js';
import type { PartialServingSettings } from '../../../../src/engine/config/serving-settings.js';

/** A disaggregated MoE plan: prefill TP 2 × 1, decode TP 2 × 2. */
export const disaggregated = (engine: 'vllm' | 'sglang' | 'trtllm'): DeployInput => ({
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
export const multiNode = (engine: 'vllm' | 'sglang' | 'trtllm'): DeployInput => ({
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

/** Wide expert parallelism: 16 data-parallel ranks with experts spread, over two 8-GPU nodes. */
export const wideExpertParallel: DeployInput = {
  name: 'deepseek-v3',
  engine: 'vllm',
  servers: [
    {
      role: 'server',
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

export const colocated: DeployInput = {
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
export function readBack(format: DeployFormat, input: DeployInput) {
  const files = deploymentFiles(format, input);
  const texts = new Map(files.map((f) => [`/deploy/${f.path}`, f.text]));
  const main = files[0];
  const report = readConfig(`/deploy/${main.path}`, main.text, { readFile: (p) => texts.get(p) });
  return { files, report };
}

/** What reading back must give for a server: its settings per pod, and its role. */
function expected(input: DeployInput, written: PartialServingSettings) {
  return input.servers.map((server) => ({
    ...written,
    ...server.settings,
    gpus: (server.settings.gpus ?? 1) / server.nodes,
    ...(server.role !== 'server' ? { disaggregationMode: server.role } : {}),
  }));
}

/** `written`: settings the format always writes, where the plan leaves the engine's default. */
export function assertRoundTrip(
  format: DeployFormat,
  input: DeployInput,
  written: PartialServingSettings = {},
) {
  const { report } = readBack(format, input);
  const errors = diagnoseFile(report).filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `${format}: no errors on what ServeTune emits`);
  // Prefill first, whatever order the format lists its parts in.
  const byRole = <T extends { disaggregationMode?: string }>(list: T[]) =>
    [...list].sort((a, b) => String(b.disaggregationMode).localeCompare(String(a.disaggregationMode)));
  const settings = byRole(report.blocks.map((b) => blockSettings(b)));
  assert.deepEqual(settings, byRole(expected(input, written)), `${format} reads back to the plan`);
  // Nodes per server, by role (formats list their parts in their own order).
  const nodes = report.blocks
    .map((b) => `${blockSettings(b).disaggregationMode ?? 'server'}: ${b.nodes?.count ?? 1}`)
    .sort();
  const planned = input.servers.map((s) => `${s.role}: ${s.nodes}`).sort();
  assert.deepEqual(nodes, planned, `${format}: nodes per server`);
}

/**
 * Fields each kind must have for its controller to accept it (the CRDs' required fields and what the
 * platforms' docs mark required). `*` stands for every key of a map or item of a list. The same paths are
 * checked on the hand-written fixture of that kind, so the table describes real files.
 */
export const REQUIRED: Record<string, string[]> = {
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
  'llm-d multinode': [
    'multinode',
    'modelArtifacts.uri',
    'decode.parallelism',
    'decode.containers.*.name',
    'decode.containers.*.image',
    'decode.containers.*.modelCommand',
  ],
  'LLMInferenceService worker': [
    'apiVersion',
    'metadata.name',
    'spec.model.uri',
    'spec.parallelism',
    'spec.template.containers.*.name',
    'spec.worker.containers.*.name',
  ],
  'production-stack raySpec': [
    'servingEngineSpec.modelSpec.0.repository',
    'servingEngineSpec.modelSpec.0.tag',
    'servingEngineSpec.modelSpec.0.modelURL',
    'servingEngineSpec.modelSpec.0.requestGPU',
    'servingEngineSpec.modelSpec.0.replicaCount',
    'servingEngineSpec.modelSpec.0.raySpec.enabled',
    'servingEngineSpec.modelSpec.0.raySpec.headNode.requestGPU',
  ],
  'production-stack': [
    'servingEngineSpec.modelSpec.*.name',
    'servingEngineSpec.modelSpec.*.repository',
    'servingEngineSpec.modelSpec.*.tag',
    'servingEngineSpec.modelSpec.*.modelURL',
    'servingEngineSpec.modelSpec.*.requestGPU',
  ],
};

export const FIXTURE_OF_KIND: Record<string, string> = {
  Deployment: 'kubernetes/vllm-deployment.yaml',
  LeaderWorkerSet: 'kinds/lws-vllm-multinode.yaml',
  DynamoGraphDeployment: 'kinds/dynamo-vllm-disagg.yaml',
  LLMInferenceService: 'kinds/kserve-llmisvc.yaml',
  compose: 'compose/docker-compose.yaml',
  'production-stack': 'helm/production-stack-values.yaml',
  'llm-d': 'kinds/llm-d-values.yaml',
  'llm-d multinode': 'kinds/llm-d-multinode.yaml',
  'LLMInferenceService worker': 'kinds/kserve-llmisvc-multinode.yaml',
  'production-stack raySpec': 'kinds/production-stack-ray.yaml',
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

/** The kind of a document, its multi-node form named apart (its own required fields). */
function kindOf(document: Record<string, unknown>): string {
  const spec = document.spec as Record<string, unknown> | undefined;
  if (document.kind === 'LLMInferenceService' && spec && 'worker' in spec)
    return 'LLMInferenceService worker';
  if (typeof document.kind === 'string') return document.kind;
  if ('modelArtifacts' in document) return document.multinode === true ? 'llm-d multinode' : 'llm-d';
  if ('services' in document) return 'compose';
  return /raySpec/.test(JSON.stringify(document)) ? 'production-stack raySpec' : 'production-stack';
}

export function missingFields(text: string): string[] {
  const missing: string[] = [];
  for (const parsed of parseAllDocuments(text)) {
    const document = parsed.toJS() as Record<string, unknown>;
    for (const path of REQUIRED[kindOf(document)] ?? [])
      if (valuesAt(document, path.split('.')).length === 0) missing.push(`${kindOf(document)}: ${path}`);
  }
  return missing;
}
