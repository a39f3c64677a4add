import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EngineFlags, readEngineFlags } from '../../../../src/engine/config/emit.js';
import { readConfig } from '../../../../src/engine/config/read.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { weightBytesPerGpu } from '../../../../src/engine/memory/model.js';
import { type Plan, planProblems, redundantSlotsFor } from '../../../../src/engine/memory/plan.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { type EngineSettings, engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';

type EmittedServer = EngineSettings['servers'][number];

import { wideExpertParallelShapes } from '../../../../src/engine/search/expert-parallel-space.js';
import type { Candidate } from '../../../../src/engine/search/schema.js';
import { Slo } from '../../../../src/engine/search/schema.js';
import { SimulationEvaluator } from '../../../../src/engine/search/simulation-evaluator.js';
import { disaggregatedCandidates } from '../../../../src/engine/search/space.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';

const deepseek = getModel('deepseek-v3');
const fp8 = [{ weightDtype: 'fp8' as const, kvDtype: 'bf16' as const }];
const space = (hardware: string, gpus: number) => ({
  model: deepseek,
  hardware: getHardware(hardware),
  gpus,
  engine: 'sglang' as const,
  maxSequenceTokens: 4096,
  allowQuantization: false,
  disaggregation: false,
});

/**
 * Flags each engine documents (SGLang 0.5 server arguments; vLLM 0.10 `vllm serve`), for the settings
 * a searched plan emits: an emitted flag outside this table would not be accepted by the engine.
 */
const DOCUMENTED_FLAGS = {
  sglang: new Set([
    '--model-path',
    '--tp-size',
    '--pp-size',
    '--dp-size',
    '--ep-size',
    '--enable-dp-attention',
    '--enable-eplb',
    '--ep-num-redundant-experts',
    '--mem-fraction-static',
    '--max-running-requests',
    '--chunked-prefill-size',
    '--page-size',
    '--context-length',
    '--quantization',
    '--kv-cache-dtype',
    '--disable-radix-cache',
    '--disaggregation-mode',
    '--speculative-algorithm',
    '--speculative-num-steps',
    '--speculative-eagle-topk',
    '--speculative-num-draft-tokens',
    '--speculative-draft-model-path',
    '--moe-a2a-backend',
    '--deepep-mode',
    '--nnodes',
    '--node-rank',
    '--dist-init-addr',
  ]),
  vllm: new Set([
    '--tensor-parallel-size',
    '--pipeline-parallel-size',
    '--data-parallel-size',
    '--enable-expert-parallel',
    '--enable-eplb',
    '--num-redundant-experts',
    '--gpu-memory-utilization',
    '--max-num-seqs',
    '--max-num-batched-tokens',
    '--enable-chunked-prefill',
    '--no-enable-chunked-prefill',
    '--block-size',
    '--max-model-len',
    '--quantization',
    '--kv-cache-dtype',
    '--enable-prefix-caching',
    '--no-enable-prefix-caching',
    '--kv-transfer-config',
    '--speculative-config',
    '--all2all-backend',
    '--data-parallel-size-local',
    '--data-parallel-address',
    '--data-parallel-rpc-port',
    '--data-parallel-start-rank',
    '--headless',
  ]),
  // TensorRT-LLM 1.0 `trtllm-serve` (its other settings go in the --extra_llm_api_options YAML).
  trtllm: new Set([
    '--tp_size',
    '--pp_size',
    '--ep_size',
    '--max_batch_size',
    '--max_num_tokens',
    '--max_seq_len',
    '--kv_cache_free_gpu_memory_fraction',
    '--extra_llm_api_options',
  ]),
} as const;

/** Every `--flag` of a command line (values that start with `--` do not occur in emitted commands). */
const flagsOf = (line: string) => line.split(/\s+/).filter((w) => w.startsWith('--'));

const wideCandidate: Candidate = {
  kind: 'colocated',
  id: 'wide',
  pool: {
    plan: { tp: 1, pp: 1, dp: 32, ep: 16, weightDtype: 'fp8', kvDtype: 'bf16' },
    knobs: {
      maxNumSeqs: 256,
      maxNumBatchedTokens: 8192,
      chunkedPrefill: true,
      blockSize: 16,
      gpuMemoryUtilization: 0.9,
    },
    speculation: { method: 'mtp', k: 2, policy: 'fixed' },
  },
};

describe('wide expert parallelism in the search', () => {
  it('DeepSeek-V3 on 16 H200s and on 64 GB200s gets attention-DP plans with EP over the GPUs', () => {
    const h200 = wideExpertParallelShapes(space('h200', 16), fp8).shapes;
    assert.ok(h200.some((s) => s.tp === 1 && s.ep === 16));
    const gb200 = wideExpertParallelShapes(space('gb200', 64), fp8).shapes;
    assert.ok(gb200.some((s) => s.tp === 1 && s.ep === 64));
    // Dense models have no experts to spread.
    assert.equal(
      wideExpertParallelShapes({ ...space('h200', 16), model: getModel('llama-3.1-70b') }, fp8).shapes.length,
      0,
    );
  });

  it('SGLang: one server per EP group, --tp counting every GPU, DP attention, documented flags only', () => {
    const [server] = engineSettingsFor('sglang', deepseek, wideCandidate, 8192).servers;
    const words = server.argv.join(' ');
    assert.match(words, /--tp-size 16 .*--dp-size 16 --ep-size 16 .*--enable-dp-attention/);
    assert.equal(server.replicas, 2);
    assert.equal(server.gpusPerServer, 16);
    for (const flag of server.argv.filter((w) => w.startsWith('--'))) {
      assert.ok(DOCUMENTED_FLAGS.sglang.has(flag), `sglang has no ${flag}`);
    }
    assert.ok(
      server.dropped.every((d) => d.setting === 'expertParallel'),
      JSON.stringify(server.dropped),
    );
  });

  it('vLLM: --data-parallel-size over the EP group with --enable-expert-parallel, documented flags only', () => {
    const [server] = engineSettingsFor('vllm', deepseek, wideCandidate, 8192).servers;
    const words = server.argv.join(' ');
    assert.match(words, /--tensor-parallel-size 1 .*--data-parallel-size 16 --enable-expert-parallel/);
    assert.match(words, /--speculative-config \{"method":"deepseek_mtp","num_speculative_tokens":2\}/);
    assert.equal(server.replicas, 2);
    for (const flag of server.argv.filter((w) => w.startsWith('--'))) {
      assert.ok(DOCUMENTED_FLAGS.vllm.has(flag), `vllm has no ${flag}`);
    }
    assert.ok(
      server.dropped.every((d) => d.setting === 'ep'),
      JSON.stringify(server.dropped),
    );
  });

  it('the emitted commands read back to the same settings', () => {
    for (const engine of ['sglang', 'vllm', 'trtllm'] as const) {
      const server: EmittedServer = engineSettingsFor(engine, deepseek, wideCandidate, 8192).servers[0];
      const flags: EngineFlags = {
        engine,
        argv: server.argv,
        commandLine: server.commandLine,
        env: server.env,
        ...(server.configYaml !== undefined
          ? { configYaml: server.configYaml, yamlFileName: server.yamlFileName }
          : {}),
        expressed: {},
        dropped: [],
        deployment: {},
      };
      const read = readEngineFlags(flags);
      assert.deepEqual(read, server.expressed, engine);
    }
  });

  it('the evaluator simulates a whole EP group of attention-DP replicas (DeepSeek-V3, EP16 on GB200)', () => {
    const workload = loadWorkload(
      'poisson:rate=4,prompt=lognormal(1000,0.5),output=lognormal(200,0.5),n=60',
      {},
    );
    const evaluator = new SimulationEvaluator({
      model: deepseek,
      hardware: getHardware('gb200'),
      engine: 'sglang',
      workload,
      slo: Slo.parse({ ttft: 3, tbt: 0.1, form: 'percentile', percentile: 'p90' }),
      maxModelLen: 8192,
      seed: 0,
    });
    const pool = { ...wideCandidate.pool, plan: { ...wideCandidate.pool.plan, dp: 16 } };
    const metrics = evaluator.evaluateOne({ candidate: { ...wideCandidate, pool }, rate: 4 });
    assert.ok(metrics.throughputPerGpu > 0);
    assert.ok(metrics.tbt.p90 > 0 && metrics.tbt.p90 < 0.1, `TBT p90 ${metrics.tbt.p90}`);
  });
});

describe('a 72-GPU NVL72 rack: EP that does not divide the experts, with EPLB redundant slots', () => {
  const ep72: Plan = { tp: 1, pp: 1, dp: 72, ep: 72, weightDtype: 'fp8', kvDtype: 'bf16' };
  const rack: Candidate = {
    kind: 'colocated',
    id: 'rack',
    pool: { ...wideCandidate.pool, plan: { ...ep72, redundantExperts: 32 }, speculation: undefined },
  };

  it('256 experts over EP 72 need 32 redundant slots (4 a rank); the plan check accepts exactly that', () => {
    assert.equal(redundantSlotsFor(256, 72), 32);
    assert.equal(redundantSlotsFor(256, 32), 0);
    assert.match(
      planProblems(deepseek, ep72).join(),
      /EP 72 does not divide the 256 experts of DeepSeek-V3 \(32 redundant expert slots would make 288, 4 a rank\)/,
    );
    assert.deepEqual(planProblems(deepseek, { ...ep72, redundantExperts: 32 }), []);
    assert.match(planProblems(deepseek, { ...ep72, redundantExperts: 16 }).join(), /\+ 16 redundant slots/);
  });

  it('counts the redundant copies in the weights of every GPU', () => {
    const extra =
      weightBytesPerGpu(deepseek, { ...ep72, redundantExperts: 32 }) - weightBytesPerGpu(deepseek, ep72);
    // 58 MoE layers × 32 copies of a 3 × 7168 × 2048 expert in FP8 (with its block scales), over 72 GPUs.
    const expected = (58 * 32 * 3 * 7168 * 2048) / 72;
    assert.ok(extra > expected && extra < expected * 1.05, `extra ${extra}, expected ≈ ${expected}`);
  });

  it('the search offers DeepSeek-V3 on 72 GB200s as TP1 × EP72 with 32 redundant slots, and EP16/EP32 on H200/B200', () => {
    const rackShapes = wideExpertParallelShapes(space('gb200', 72), fp8).shapes;
    assert.ok(rackShapes.some((s) => s.tp === 1 && s.ep === 72 && s.redundantExperts === 32));
    assert.ok(rackShapes.some((s) => s.ep === 24 && s.redundantExperts === 8));
    assert.ok(rackShapes.every((s) => (256 + (s.redundantExperts ?? 0)) % s.ep === 0));
    const h200 = wideExpertParallelShapes(space('h200', 32), fp8).shapes;
    assert.ok(h200.some((s) => s.ep === 16 && s.redundantExperts === undefined));
    assert.ok(h200.some((s) => s.ep === 32 && s.redundantExperts === undefined));
    const b200 = wideExpertParallelShapes(space('b200', 32), fp8).shapes;
    assert.ok(b200.some((s) => s.tp === 1 && s.ep === 32));
  });

  it('emits EPLB with the redundant slots in SGLang and vLLM, documented flags only', () => {
    const sglang = engineSettingsFor('sglang', deepseek, rack, 8192).servers[0];
    assert.match(sglang.argv.join(' '), /--ep-size 72 --enable-eplb --ep-num-redundant-experts 32/);
    const vllm = engineSettingsFor('vllm', deepseek, rack, 8192).servers[0];
    assert.match(vllm.argv.join(' '), /--enable-eplb --num-redundant-experts 32/);
    for (const [engine, server] of [
      ['sglang', sglang],
      ['vllm', vllm],
    ] as const) {
      for (const flag of server.argv.filter((w) => w.startsWith('--'))) {
        assert.ok(DOCUMENTED_FLAGS[engine].has(flag), `${engine} has no ${flag}`);
      }
      const read = readEngineFlags({
        engine,
        argv: server.argv,
        commandLine: server.commandLine,
        env: server.env,
        expressed: {},
        dropped: [],
        deployment: {},
      });
      assert.deepEqual(read, server.expressed, engine);
    }
  });

  it('the evaluator simulates the rack plan', () => {
    const workload = loadWorkload(
      'poisson:rate=8,prompt=lognormal(1000,0.5),output=lognormal(100,0.5),n=40',
      {},
    );
    const evaluator = new SimulationEvaluator({
      model: deepseek,
      hardware: getHardware('gb200'),
      engine: 'sglang',
      workload,
      slo: Slo.parse({ ttft: 3, tbt: 0.1, form: 'percentile', percentile: 'p90' }),
      maxModelLen: 8192,
      seed: 0,
    });
    const metrics = evaluator.evaluateOne({ candidate: rack, rate: 8 });
    assert.ok(metrics.throughputPerGpu > 0);
  });
});

describe('disaggregated MoE', () => {
  it('pairs a small-EP prefill pool with a wide-EP decode pool, whole EP groups each', () => {
    const input = { ...space('h200', 32), disaggregation: true };
    const narrow = { tp: 8, pp: 1, ep: 8, ...fp8[0] };
    const wide = wideExpertParallelShapes(input, fp8).shapes.filter((s) => s.ep === 16);
    const pairs = disaggregatedCandidates(input, [narrow, ...wide]).filter(
      (c) => c.kind === 'disaggregated' && c.prefill.plan.ep === 8 && c.decode.plan.ep === 16,
    );
    assert.ok(pairs.length > 0);
    for (const c of pairs) {
      if (c.kind !== 'disaggregated') continue;
      assert.equal((c.decode.plan.tp * c.decode.plan.dp) % 16, 0);
      assert.equal(c.prefill.plan.tp * c.prefill.plan.dp + c.decode.plan.tp * c.decode.plan.dp, 32);
    }
  });
});

describe('multi-node launches', () => {
  const twoNodes: Candidate = {
    ...wideCandidate,
    pool: { ...wideCandidate.pool, plan: { ...wideCandidate.pool.plan, dp: 16 } },
  };

  it('SGLang: a 16-GPU server on 8-GPU H200 nodes gets --nnodes, --node-rank and the head address per node', () => {
    const [server] = engineSettingsFor('sglang', deepseek, twoNodes, 8192, { gpusPerNode: 8 }).servers;
    assert.equal(server.nodes, 2);
    assert.equal(server.nodeCommandLines?.length, 2);
    assert.match(
      server.nodeCommandLines![1],
      /--nnodes 2 --node-rank 1 --dist-init-addr \$HEAD_NODE_IP:5000$/,
    );
    for (const line of server.nodeCommandLines!) {
      const block = readConfig('/x/node.sh', `${line}\n`).blocks[0];
      assert.deepEqual(
        block.occurrences.filter((o) => o.error),
        [],
      );
    }
  });

  it('vLLM: each node runs its share of the DP ranks; the others start headless at their first rank', () => {
    const [server] = engineSettingsFor('vllm', deepseek, twoNodes, 8192, { gpusPerNode: 8 }).servers;
    assert.match(
      server.nodeCommandLines![0],
      /--data-parallel-size-local 8 --data-parallel-address \$HEAD_NODE_IP --data-parallel-rpc-port 13345$/,
    );
    assert.match(server.nodeCommandLines![1], /--data-parallel-start-rank 8 --headless$/);
  });

  it('every node command and DeepEP setting uses only flags the engines document', () => {
    const deepEp = (allToAll: 'deepep-auto' | 'deepep-low-latency'): Candidate => ({
      ...twoNodes,
      pool: { ...twoNodes.pool, plan: { ...twoNodes.pool.plan, allToAll } },
    });
    for (const [engine, allToAll] of [
      ['sglang', 'deepep-auto'],
      ['vllm', 'deepep-low-latency'],
    ] as const) {
      const [server] = engineSettingsFor(engine, deepseek, deepEp(allToAll), 8192, {
        gpusPerNode: 8,
      }).servers;
      assert.match(
        server.commandLine,
        engine === 'sglang' ? /--moe-a2a-backend deepep/ : /--all2all-backend/,
      );
      for (const line of server.nodeCommandLines ?? []) {
        for (const flag of flagsOf(line))
          assert.ok(DOCUMENTED_FLAGS[engine].has(flag), `${engine} has no ${flag}`);
      }
    }
  });

  it('TensorRT-LLM: one MPI world over the nodes (mpirun or Slurm srun around trtllm-llmapi-launch), read back to the same plan', () => {
    const [server] = engineSettingsFor('trtllm', deepseek, twoNodes, 8192, { gpusPerNode: 8 }).servers;
    assert.equal(server.nodes, 2);
    assert.equal(server.nodeCommandLines, undefined);
    const { mpirun, srun } = server.mpiWorld!;
    assert.match(
      mpirun,
      /^mpirun -n 16 --hostfile \$HOSTFILE --allow-run-as-root trtllm-llmapi-launch trtllm-serve /,
    );
    assert.match(
      srun,
      /^srun -N 2 --ntasks 16 --ntasks-per-node 8 --mpi=pmix trtllm-llmapi-launch trtllm-serve /,
    );
    for (const line of [mpirun, srun]) {
      assert.match(line, /--tp_size 16 .*--ep_size 16 .*--extra_llm_api_options serve\.yaml$/);
      const serve = line.slice(line.indexOf('trtllm-serve'));
      for (const flag of flagsOf(serve))
        assert.ok(DOCUMENTED_FLAGS.trtllm.has(flag), `trtllm-serve has no ${flag}`);
      const flags: EngineFlags = {
        engine: 'trtllm',
        argv: server.argv,
        commandLine: line,
        env: server.env,
        configYaml: server.configYaml,
        yamlFileName: server.yamlFileName,
        expressed: {},
        dropped: [],
        deployment: {},
      };
      assert.deepEqual(readEngineFlags(flags), server.expressed);
      // The YAML's enable_attention_dp with --tp_size 16: attention TP 1 over 16 DP ranks, EP 16.
      const report = readConfig('/x/launch.sh', `${line}\n`, {
        readFile: (path) => (path === '/x/serve.yaml' ? server.configYaml : undefined),
      });
      const { pool } = resolveBlock(report.blocks[0], 0, { hardware: 'h200' });
      assert.deepEqual([pool.plan.tp, pool.plan.dp, pool.plan.ep], [1, 16, 16]);
    }
  });

  it('a server within one node gets no node commands', () => {
    const [server] = engineSettingsFor('sglang', deepseek, twoNodes, 8192, { gpusPerNode: 72 }).servers;
    assert.equal(server.nodes, undefined);
  });
});
