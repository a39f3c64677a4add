import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { DEPLOY_FORMATS, deploymentFiles } from '../../../../src/engine/config/deploy/index.js';
import {
  assertRoundTrip,
  colocated,
  disaggregated,
  FIXTURE_OF_KIND,
  missingFields,
  multiNode,
  readBack,
} from './deploy-plans.js';

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
