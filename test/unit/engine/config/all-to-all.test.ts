import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allToAllSettings } from '../../../../src/engine/config/engines/all-to-all.js';
import { ENGINE_IDS, ENGINES } from '../../../../src/engine/config/engines/index.js';
import { engineFlags, readConfig, readEngineFlags } from '../../../../src/engine/config/index.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import { wideExpertParallelShapes } from '../../../../src/engine/search/expert-parallel-space.js';
import { labelOf } from '../../../../src/engine/search/run.js';
import type { Candidate } from '../../../../src/engine/search/schema.js';
import { disaggregatedCandidates } from '../../../../src/engine/search/space.js';
import { resolveBlock } from '../../../../src/engine/tune/target.js';

const planOf = (script: string) =>
  resolveBlock(readConfig('/x/serve.sh', script).blocks[0], 0, { hardware: 'h200' }).pool.plan;

const SGLANG =
  'python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 16 --dp 16 --ep-size 16 --enable-dp-attention';
const VLLM = 'vllm serve deepseek-ai/DeepSeek-V3 --data-parallel-size 16 --enable-expert-parallel';

const deepseek = getModel('deepseek-v3');
const wide = (allToAll: 'deepep-auto' | 'deepep-low-latency'): Candidate => ({
  kind: 'colocated',
  id: 'wide',
  pool: {
    plan: { tp: 1, pp: 1, dp: 16, ep: 16, allToAll, weightDtype: 'fp8', kvDtype: 'bf16' },
    knobs: {
      maxNumSeqs: 256,
      maxNumBatchedTokens: 8192,
      chunkedPrefill: true,
      blockSize: 16,
      gpuMemoryUtilization: 0.9,
    },
  },
});

describe('EP all-to-all kernels in serving files', () => {
  it("SGLang's --moe-a2a-backend deepep and --deepep-mode read as the plan's kernels (mode auto by default)", () => {
    assert.equal(
      planOf(`${SGLANG} --moe-a2a-backend deepep --deepep-mode low_latency\n`).allToAll,
      'deepep-low-latency',
    );
    assert.equal(
      planOf(`${SGLANG} --moe-a2a-backend deepep --deepep-mode normal\n`).allToAll,
      'deepep-normal',
    );
    assert.equal(planOf(`${SGLANG} --moe-a2a-backend deepep\n`).allToAll, 'deepep-auto');
    assert.equal(planOf(`${SGLANG} --moe-a2a-backend none\n`).allToAll, 'nccl');
    assert.equal(planOf(`${SGLANG}\n`).allToAll, undefined);
  });

  it("vLLM's --all2all-backend and the older VLLM_ALL2ALL_BACKEND read alike", () => {
    assert.equal(planOf(`${VLLM} --all2all-backend deepep_low_latency\n`).allToAll, 'deepep-low-latency');
    assert.equal(planOf(`${VLLM} --all2all-backend deepep_high_throughput\n`).allToAll, 'deepep-normal');
    assert.equal(planOf(`VLLM_ALL2ALL_BACKEND=deepep_low_latency ${VLLM}\n`).allToAll, 'deepep-low-latency');
    assert.equal(planOf(`${VLLM} --all2all-backend allgather_reducescatter\n`).allToAll, 'nccl');
  });

  it('a backend ServeTune does not price is read without error and simulated as the default; a typo is an error', () => {
    const known = readConfig('/x/serve.sh', `${VLLM} --all2all-backend pplx\n`).blocks[0];
    assert.deepEqual(
      known.occurrences.filter((o) => o.error),
      [],
    );
    assert.equal(planOf(`${VLLM} --all2all-backend pplx\n`).allToAll, undefined);
    const typo = readConfig('/x/serve.sh', `${VLLM} --all2all-backend deepep_fast\n`).blocks[0];
    assert.match(typo.occurrences.find((o) => o.error)?.error ?? '', /deepep_low_latency/);
  });

  it("an engine's wide-EP kernels are ones its knobs can say, for every role", () => {
    for (const id of ENGINE_IDS) {
      const choice = ENGINES[id].wideExpertParallelAllToAll;
      if (!choice) continue;
      for (const backend of Object.values(choice)) {
        const flags = engineFlags(id, { model: 'm', ...allToAllSettings(backend) });
        assert.deepEqual(flags.dropped, [], `${id} ${backend}`);
      }
    }
  });

  it('emitted in each engine form and read back to the same settings', () => {
    const sglang = engineSettingsFor('sglang', deepseek, wide('deepep-auto'), 8192).servers[0];
    assert.match(sglang.argv.join(' '), /--moe-a2a-backend deepep --deepep-mode auto/);
    const vllm = engineSettingsFor('vllm', deepseek, wide('deepep-low-latency'), 8192).servers[0];
    assert.match(vllm.argv.join(' '), /--all2all-backend deepep_low_latency/);
    for (const [engine, server] of [
      ['sglang', sglang],
      ['vllm', vllm],
    ] as const) {
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
      assert.ok(server.dropped.every((d) => d.setting !== 'allToAllBackend' && d.setting !== 'deepepMode'));
    }
  });
});

describe('EP all-to-all kernels in the search', () => {
  const space = (engine: 'sglang' | 'vllm' | 'trtllm') => ({
    model: deepseek,
    hardware: getHardware('h200'),
    gpus: 32,
    engine,
    maxSequenceTokens: 4096,
    allowQuantization: false,
    disaggregation: true,
  });
  const fp8 = [{ weightDtype: 'fp8' as const, kvDtype: 'bf16' as const }];

  it('wide EP runs on the kernels each engine uses for it: SGLang DeepEP auto, vLLM low-latency, TensorRT-LLM its own', () => {
    const kernels = (engine: 'sglang' | 'vllm' | 'trtllm') =>
      new Set(wideExpertParallelShapes(space(engine), fp8).shapes.map((s) => s.allToAll));
    assert.deepEqual([...kernels('sglang')], ['deepep-auto']);
    assert.deepEqual([...kernels('vllm')], ['deepep-low-latency']);
    assert.deepEqual([...kernels('trtllm')], [undefined]);
  });

  it("the search's label names DeepEP kernels where a plan runs them", () => {
    assert.match(labelOf({ candidate: wide('deepep-auto') }), /^TP1×DP16×EP16 DeepEP auto fp8\/bf16,/);
  });

  it('disaggregated wide-EP pools: normal kernels for the prefill pool, low-latency for the decode pool', () => {
    const shapes = wideExpertParallelShapes(space('sglang'), fp8).shapes.filter((s) => s.ep === 16);
    const pairs = disaggregatedCandidates(space('sglang'), shapes);
    assert.ok(pairs.length > 0);
    for (const c of pairs) {
      if (c.kind !== 'disaggregated') continue;
      assert.equal(c.prefill.plan.allToAll, 'deepep-normal');
      assert.equal(c.decode.plan.allToAll, 'deepep-low-latency');
    }
  });
});
