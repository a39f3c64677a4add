import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trtllmWorker } from '../../../../src/engine/config/deploy/dynamo-trtllm.js';
import {
  engineBehaviourOf,
  engineBehaviourSettings,
  mergeEngineBehaviour,
} from '../../../../src/engine/config/engines/engine-behaviour.js';
import {
  blockSettings,
  type EngineId,
  engineFlags,
  type PartialServingSettings,
  readConfig,
  readEngineFlags,
} from '../../../../src/engine/config/index.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { servingEngineBehaviour, servingEngineFor } from '../../../../src/engine/perf/serving-engine.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import type { Candidate } from '../../../../src/engine/search/schema.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const VLLM = `vllm serve ${MODEL} --tensor-parallel-size 2`;
const SGLANG = `python -m sglang.launch_server --model-path ${MODEL} --tp 2`;
const TRTLLM = `trtllm-serve ${MODEL} --tp_size 2 --extra_llm_api_options /c/extra.yaml`;

/** The first block's settings, with no flag read in error and no flag left unknown. */
function settingsOf(path: string, text: string, files: Record<string, string> = {}): PartialServingSettings {
  const block = readConfig(path, text, { readFile: (p) => files[p] }).blocks[0];
  assert.ok(block, `${path} has a serving block`);
  assert.deepEqual(
    block.occurrences.filter((o) => o.error).map((o) => o.error),
    [],
  );
  assert.deepEqual(
    block.unknownFlags.map((u) => u.flag),
    [],
  );
  return blockSettings(block);
}

const behaviourOf = (path: string, text: string, files: Record<string, string> = {}) =>
  engineBehaviourOf(settingsOf(path, text, files));

const ALL_OFF = { disableCustomAllReduce: true, enforceEager: true, overlapScheduling: false };

describe('engine behaviours read from config files', () => {
  it('vLLM: command line and --config YAML', () => {
    const flags = '--disable-custom-all-reduce --enforce-eager --no-async-scheduling';
    assert.deepEqual(behaviourOf('/c/serve.sh', `${VLLM} ${flags}\n`), ALL_OFF);
    assert.deepEqual(behaviourOf('/c/serve.sh', `${VLLM} --async-scheduling\n`), {
      overlapScheduling: true,
    });
    const yaml = 'disable-custom-all-reduce: true\nenforce-eager: true\nasync-scheduling: false\n';
    assert.deepEqual(
      behaviourOf('/c/serve.sh', `${VLLM} --config /c/config.yaml\n`, { '/c/config.yaml': yaml }),
      ALL_OFF,
    );
    assert.deepEqual(behaviourOf('/c/serve.sh', `${VLLM}\n`), {});
  });

  it('SGLang: command line and --config YAML', () => {
    const flags = '--disable-custom-all-reduce --disable-cuda-graph --disable-overlap-schedule';
    assert.deepEqual(behaviourOf('/c/serve.sh', `${SGLANG} ${flags}\n`), ALL_OFF);
    const yaml =
      'disable-custom-all-reduce: true\ndisable-cuda-graph: true\ndisable-overlap-schedule: true\n';
    assert.deepEqual(
      behaviourOf('/c/serve.sh', `${SGLANG} --config /c/config.yaml\n`, { '/c/config.yaml': yaml }),
      ALL_OFF,
    );
    assert.deepEqual(behaviourOf('/c/serve.sh', `${SGLANG}\n`), {});
  });

  it('TensorRT-LLM: the extra LLM API options YAML', () => {
    const yaml = 'cuda_graph_config: null\ndisable_overlap_scheduler: true\nallreduce_strategy: NCCL\n';
    assert.deepEqual(behaviourOf('/c/serve.sh', `${TRTLLM}\n`, { '/c/extra.yaml': yaml }), ALL_OFF);
    // An empty value is null too; a map of graph settings keeps the graphs; AUTO is the custom kernels.
    const on = 'cuda_graph_config:\n  max_batch_size: 64\nallreduce_strategy: AUTO\n';
    assert.deepEqual(behaviourOf('/c/serve.sh', `${TRTLLM}\n`, { '/c/extra.yaml': on }), {});
    const empty = 'cuda_graph_config:\ndisable_overlap_scheduler: false\n';
    assert.deepEqual(behaviourOf('/c/serve.sh', `${TRTLLM}\n`, { '/c/extra.yaml': empty }), {
      enforceEager: true,
      overlapScheduling: true,
    });
  });

  it('TensorRT-LLM: an unknown all-reduce strategy is an error on the key', () => {
    const report = readConfig('/c/serve.sh', `${TRTLLM}\n`, {
      readFile: () => 'allreduce_strategy: FASTEST\n',
    });
    const bad = report.blocks[0]?.occurrences.find((o) => o.error);
    assert.match(bad?.error ?? '', /FASTEST/);
  });

  it('a Kubernetes Deployment and a Dynamo graph carry them in the engine arguments', () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.10.1
          command: ["vllm", "serve"]
          args: ["${MODEL}", "--disable-custom-all-reduce", "--enforce-eager", "--no-async-scheduling"]
          resources:
            limits:
              nvidia.com/gpu: "1"
`;
    assert.deepEqual(behaviourOf('/c/deploy.yaml', deployment), ALL_OFF);
    const dynamo = `apiVersion: nvidia.com/v1alpha1
kind: DynamoGraphDeployment
metadata:
  name: llm
spec:
  services:
    TRTLLMWorker:
      componentType: worker
      replicas: 1
      resources:
        limits:
          gpu: "1"
      extraPodSpec:
        mainContainer:
          image: nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.5.0
          command: ["/bin/sh", "-c"]
          args:
            - python3 -m dynamo.trtllm --model-path ${MODEL} --extra-engine-args engine.yaml
`;
    const engineYaml = 'cuda_graph_config: null\ndisable_overlap_scheduler: true\nallreduce_strategy: NCCL\n';
    assert.deepEqual(behaviourOf('/c/dynamo.yaml', dynamo, { '/c/engine.yaml': engineYaml }), ALL_OFF);
  });
});

describe('engine behaviours time the prediction', () => {
  it("a block's behaviours reach the serving engine; the CLI's flags add to them", () => {
    const text = `${SGLANG} --disable-custom-all-reduce --disable-overlap-schedule\n`;
    const block = readConfig('/c/serve.sh', text, { readFile: () => undefined }).blocks[0]!;
    const resolved = resolveBlock(block, 0, { hardware: 'h100-sxm' });
    assert.deepEqual(resolved.behaviour, { disableCustomAllReduce: true, overlapScheduling: false });
    const engine = servingEngineFor(
      { id: 'sglang' },
      mergeEngineBehaviour(resolved.behaviour, { enforceEager: true }),
    );
    assert.equal(engine?.customAllReduce, false);
    assert.equal(engine?.cudaGraphs, false);
    assert.equal(engine?.overlapScheduling, false);
    // --disable-overlap-scheduling wins over a file that turns the overlap scheduler on.
    assert.equal(
      mergeEngineBehaviour({ overlapScheduling: true }, { disableOverlapScheduling: true }).overlapScheduling,
      false,
    );
  });
});

describe('engine behaviours written back', () => {
  const cases: [EngineId, RegExp[]][] = [
    ['vllm', [/--enforce-eager/, /--disable-custom-all-reduce/, /--no-async-scheduling/]],
    ['sglang', [/--disable-cuda-graph/, /--disable-custom-all-reduce/, /--disable-overlap-schedule/]],
  ];
  for (const [engine, patterns] of cases) {
    it(`${engine}: emitted as flags and read back the same`, () => {
      const flags = engineFlags(engine, { model: MODEL, ...ALL_OFF });
      for (const pattern of patterns) assert.match(flags.commandLine, pattern);
      assert.deepEqual(engineBehaviourOf(readEngineFlags(flags)), ALL_OFF);
      assert.deepEqual(flags.dropped, []);
    });
  }

  it('TensorRT-LLM: emitted in the options YAML and read back the same', () => {
    const flags = engineFlags('trtllm', { model: MODEL, ...ALL_OFF });
    assert.match(flags.configYaml ?? '', /cuda_graph_config: null/);
    assert.match(flags.configYaml ?? '', /disable_overlap_scheduler: true/);
    assert.match(flags.configYaml ?? '', /allreduce_strategy: NCCL/);
    assert.deepEqual(engineBehaviourOf(readEngineFlags(flags)), ALL_OFF);
  });

  it("TensorRT-LLM: Dynamo's worker options YAML writes them as the engine reads them", () => {
    const worker = trtllmWorker({ role: 'server', settings: { model: MODEL, ...ALL_OFF }, nodes: 1 });
    assert.match(worker.file.text, /^cuda_graph_config: null$/m);
    assert.match(worker.file.text, /^disable_overlap_scheduler: true$/m);
    assert.match(worker.file.text, /^allreduce_strategy: NCCL$/m);
    const launch = `python3 -m dynamo.trtllm --model-path ${MODEL} --extra-engine-args /c/${worker.file.path}\n`;
    assert.deepEqual(
      behaviourOf('/c/serve.sh', launch, { [`/c/${worker.file.path}`]: worker.file.text }),
      ALL_OFF,
    );
  });

  it("a searched configuration's commands carry the behaviours that timed it, and only those", () => {
    const model = getModel('llama-3.1-8b');
    const candidate: Candidate = {
      kind: 'colocated',
      id: 'c',
      pool: {
        plan: { tp: 2, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
        knobs: {
          maxNumSeqs: 256,
          maxNumBatchedTokens: 8192,
          chunkedPrefill: true,
          blockSize: 16,
          gpuMemoryUtilization: 0.9,
        },
      },
    };
    const eager = servingEngineFor({ id: 'vllm' }, { enforceEager: true, disableCustomAllReduce: true });
    const timed = engineSettingsFor('vllm', model, candidate, 8192, { servingEngine: eager });
    assert.match(timed.servers[0]!.commandLine, /--enforce-eager/);
    assert.match(timed.servers[0]!.commandLine, /--disable-custom-all-reduce/);
    const plain = engineSettingsFor('vllm', model, candidate, 8192, {
      servingEngine: servingEngineFor({ id: 'vllm' }),
    });
    assert.doesNotMatch(plain.servers[0]!.commandLine, /eager|custom-all-reduce|async-scheduling/);
  });
});

describe('engine behaviours at their defaults are not named or written', () => {
  it('vLLM async scheduling is named and written only before 0.14, where it is not the default', () => {
    const newer = servingEngineFor({ id: 'vllm', version: '0.19' }, { overlapScheduling: true });
    assert.deepEqual(servingEngineBehaviour(newer!), []);
    assert.deepEqual(engineBehaviourSettings(newer), {});
    const older = servingEngineFor({ id: 'vllm', version: '0.12' }, { overlapScheduling: true });
    assert.deepEqual(servingEngineBehaviour(older!), ['overlap scheduling']);
    assert.deepEqual(engineBehaviourSettings(older), { overlapScheduling: true });
    const off = servingEngineFor({ id: 'vllm', version: '0.12' }, { overlapScheduling: false });
    assert.deepEqual(servingEngineBehaviour(off!), []);
  });

  it("TensorRT-LLM's overlap scheduler off is named and written; on, its default, is not", () => {
    const off = servingEngineFor({ id: 'trtllm' }, { overlapScheduling: false });
    assert.deepEqual(servingEngineBehaviour(off!), ['no overlap scheduling']);
    assert.deepEqual(engineBehaviourSettings(off), { overlapScheduling: false });
    const on = servingEngineFor({ id: 'trtllm' }, { overlapScheduling: true });
    assert.deepEqual(servingEngineBehaviour(on!), []);
  });
});
