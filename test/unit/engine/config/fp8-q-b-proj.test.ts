import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  engineBehaviourOf,
  engineBehaviourSettings,
  mergeEngineBehaviour,
} from '../../../../src/engine/config/engines/engine-behaviour.js';
import {
  blockSettings,
  engineFlags,
  readConfig,
  readEngineFlags,
} from '../../../../src/engine/config/index.js';
import { SGLANG_FP8_Q_B_PROJ_ENV } from '../../../../src/engine/perf/q-up-projection.js';
import { servingEngineBehaviour, servingEngineFor } from '../../../../src/engine/perf/serving-engine.js';
import { simulationConfigOf, simulationFromConfig } from '../../../../src/engine/tune/config-simulation.js';

const MODEL = 'deepseek-ai/DeepSeek-R1';
const LAUNCH = `python3 -m sglang.launch_server --model-path ${MODEL} --quantization modelopt_fp4 --tp 4\n`;

function behaviourOf(path: string, text: string) {
  const block = readConfig(path, text).blocks[0];
  assert.ok(block);
  assert.deepEqual(
    block.occurrences.filter((o) => o.error).map((o) => o.error),
    [],
  );
  return engineBehaviourOf(blockSettings(block));
}

const deployment = (value: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dsr1
spec:
  template:
    spec:
      containers:
        - name: sglang
          image: lmsysorg/sglang:v0.5.6
          command: ["python3", "-m", "sglang.launch_server"]
          args: ["--model-path", "${MODEL}", "--quantization", "modelopt_fp4", "--tp", "4"]
          env:
            - name: SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN
              value: "${value}"
          resources:
            limits:
              nvidia.com/gpu: "4"
`;

describe("SGLang's q_b_proj in block fp8 (SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN) in config files", () => {
  it('is read from a launch script and from a Kubernetes container env', () => {
    assert.equal(SGLANG_FP8_Q_B_PROJ_ENV, 'SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN');
    const script = (text: string) => behaviourOf('/c/serve.sh', text);
    assert.deepEqual(script(`SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 ${LAUNCH}`), { fp8QBProj: true });
    assert.deepEqual(script(`export SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=true\n${LAUNCH}`), {
      fp8QBProj: true,
    });
    assert.deepEqual(script(`SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=0 ${LAUNCH}`), {});
    assert.deepEqual(script(LAUNCH), {});
    assert.deepEqual(behaviourOf('/c/deploy.yaml', deployment('1')), { fp8QBProj: true });
    assert.deepEqual(behaviourOf('/c/deploy.yaml', deployment('0')), {});
  });

  it('a value that is not a switch is an error on it', () => {
    const block = readConfig('/c/serve.sh', `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=maybe ${LAUNCH}`).blocks[0];
    const bad = block?.occurrences.find((o) => o.error);
    assert.match(bad?.error ?? '', /expected 1 or 0, got 'maybe'/);
  });

  it("simulate --config times the block with it and names it in the engine's behaviours", () => {
    const readFile = (path: string) =>
      path === '/c/serve.sh' ? `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 ${LAUNCH}` : undefined;
    const config = simulationFromConfig('/c/serve.sh', { hardware: 'gb200', readFile });
    const engine = simulationConfigOf(config).engine;
    assert.equal(engine?.fp8QBProj, true);
    assert.deepEqual(servingEngineBehaviour(engine!), ['fp8 q_b_proj']);
  });

  it('reaches the engine the step model times over the CLI, and is written back', () => {
    assert.deepEqual(mergeEngineBehaviour({}, { fp8QBProj: true }), { fp8QBProj: true });
    const behaviour = mergeEngineBehaviour(
      behaviourOf('/c/serve.sh', `SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN=1 ${LAUNCH}`),
      {},
    );
    const engine = servingEngineFor({ id: 'sglang' }, behaviour);
    assert.equal(engine?.fp8QBProj, true);
    const emitted = engineFlags('sglang', { model: MODEL, ...engineBehaviourSettings(engine) });
    assert.deepEqual(emitted.env, { SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN: '1' });
    assert.equal(readEngineFlags(emitted).fp8QBProj, true);
  });

  it('is no setting of vLLM or TensorRT-LLM: their emitted commands never write it', () => {
    for (const engine of ['vllm', 'trtllm'] as const) {
      const emitted = engineFlags(engine, { model: MODEL, fp8QBProj: true });
      assert.equal(emitted.env?.SGLANG_NVFP4_CKPT_FP8_GEMM_IN_ATTN, undefined);
    }
  });
});
