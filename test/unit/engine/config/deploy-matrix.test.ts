import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  DEPLOY_FORMATS,
  type DeployFormat,
  type DeployInput,
  deploymentFiles,
} from '../../../../src/engine/config/deploy/index.js';
import { ServeTuneError } from '../../../../src/engine/util/errors.js';
import {
  assertRoundTrip,
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
  'production-stack': {
    disaggregated:
      /production-stack prefill\/decode pools are not emitted; emit llm-d, Dynamo, KServe or kubernetes/,
    multiNode: true,
  },
  'llm-d': { disaggregated: true, multiNode: true },
};

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
        ? assertRoundTrip(format, disaggregated('vllm'))
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
