import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { readConfig } from '../../../../src/engine/config/read.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { bestSplit } from '../../../../src/engine/search/disaggregation-verdict.js';
import { engineSettingsFor } from '../../../../src/engine/search/engine-commands.js';
import { searchServing } from '../../../../src/engine/search/run.js';
import type { Candidate, Pool } from '../../../../src/engine/search/schema.js';
import { Slo } from '../../../../src/engine/search/schema.js';
import { settingsLines, splitCommandLines } from '../../../../src/engine/search/server-lines.js';
import { searchMarkdown } from '../../../../src/extension/search-report.js';

const pool = (dp: number): Pool => ({
  plan: { tp: 1, pp: 1, dp, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
  knobs: {
    maxNumSeqs: 128,
    maxNumBatchedTokens: 8192,
    chunkedPrefill: true,
    blockSize: 16,
    gpuMemoryUtilization: 0.9,
  },
});
const pair: Candidate = { kind: 'disaggregated', id: 'p1d2', prefill: pool(1), decode: pool(2) };
const model = getModel('llama-3.1-8b');
const serversOf = (engine: 'vllm' | 'sglang' | 'trtllm') =>
  engineSettingsFor(engine, model, pair, 8192).servers;

/** The prefill then the decode server, each with what the test expects of it. */
const sidesOf = (engine: 'vllm' | 'trtllm', expected: [string, string]) =>
  serversOf(engine).map((server, i) => [server, expected[i]] as const);

/** The words bash gives the program for a command line, as a user pasting it would run it. */
const wordsInBash = (line: string): string[] =>
  execFileSync('bash', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);

describe("a search's prefill/decode commands carry the engine's KV transfer", () => {
  it('vLLM: --kv-transfer-config with the NIXL connector and each side as kv_role, valid JSON in the shell', () => {
    for (const [server, role] of sidesOf('vllm', ['kv_producer', 'kv_consumer'])) {
      const words = wordsInBash(server.commandLine);
      const json = words[words.indexOf('--kv-transfer-config') + 1];
      assert.deepEqual(JSON.parse(json), { kv_connector: 'NixlConnector', kv_role: role });
      assert.deepEqual(server.dropped, [], JSON.stringify(server.dropped));
    }
    // The prefill server gives decode servers its own address for the NIXL handshake, not localhost.
    const [prefill, decode] = serversOf('vllm');
    assert.match(prefill.commandLine, /^VLLM_NIXL_SIDE_CHANNEL_HOST=\$PREFILL_HOST vllm serve /);
    assert.match(decode.commandLine, /^vllm serve /);
  });

  it('SGLang: --disaggregation-mode per side, the nixl backend, the bootstrap port on prefill', () => {
    const [prefill, decode] = serversOf('sglang');
    assert.match(
      prefill.commandLine,
      /--disaggregation-mode prefill .*--disaggregation-transfer-backend nixl --disaggregation-bootstrap-port 8998/,
    );
    assert.match(decode.commandLine, /--disaggregation-mode decode .*--disaggregation-transfer-backend nixl/);
    assert.doesNotMatch(decode.commandLine, /bootstrap-port/);
  });

  it('TensorRT-LLM: --server_role per side and the cache transceiver in the options file it names', () => {
    for (const [server, role] of sidesOf('trtllm', ['CONTEXT', 'GENERATION'])) {
      assert.match(server.commandLine, new RegExp(`--server_role ${role}`));
      assert.match(server.commandLine, new RegExp(`--extra_llm_api_options ${server.yamlFileName}`));
      assert.deepEqual(parse(server.configYaml ?? '').cache_transceiver_config, { backend: 'UCX' });
    }
  });

  it("each engine's pair comes with the router that pairs it, printed with the servers", () => {
    const lines = (engine: 'vllm' | 'sglang' | 'trtllm') =>
      settingsLines(engineSettingsFor(engine, model, pair, 8192)).join('\n');
    assert.match(
      lines('vllm'),
      /\n {2}router: vllm-router --vllm-pd-disaggregation --prefill http:\/\/\$PREFILL_HOST:8000 --decode http:\/\/\$DECODE_HOST:8000 .*\n {4}install: pip install vllm-router==/,
    );
    assert.match(
      lines('sglang'),
      /\n {2}router: python3 -m sglang_router\.launch_router --pd-disaggregation --prefill http:\/\/\$PREFILL_HOST:30000 8998 --decode /,
    );
    const trtllm = engineSettingsFor('trtllm', model, pair, 8192).router!;
    assert.equal(trtllm.commandLine, 'trtllm-serve disaggregated -c disagg-router.yaml');
    const config = parse(trtllm.file!.text);
    assert.deepEqual(config.context_servers.urls, ['$PREFILL_HOST:8000']);
    assert.deepEqual(config.generation_servers.urls, ['$DECODE_HOST:8000']);
    assert.match(lines('trtllm'), /\n {4}disagg-router\.yaml:\n {6}hostname: 0\.0\.0\.0/);
  });

  it('every command reads back as its side with no unknown flag', () => {
    for (const engine of ['vllm', 'sglang', 'trtllm'] as const) {
      for (const server of serversOf(engine)) {
        const [block] = readConfig('serve.sh', `${server.commandLine}\n`).blocks;
        assert.equal(block.settings.disaggregationMode?.value, server.role, `${engine} ${server.role}`);
        assert.deepEqual(block.unknownFlags, [], `${engine} ${server.role}`);
      }
    }
  });
});

describe('the split the disaggregation verdict reports has commands, in the CLI text and the editor report', () => {
  it('gives the best disaggregated configuration its prefill and decode commands even when not chosen', async () => {
    const result = await searchServing({
      model: 'llama-3.1-8b',
      hardware: 'h100-sxm',
      gpus: 4,
      disaggregation: true,
      workload: 'poisson:rate=10,prompt=uniform(256,1024),output=uniform(32,192),n=150',
      slo: Slo.parse({ ttft: 1.5, tbt: 0.06 }),
      sampleRequests: 150,
      threads: 0,
    });
    const split = bestSplit(result.configurations);
    assert.ok(split?.settings, 'the reported split carries its commands');
    assert.deepEqual(
      split.settings.servers.map((s) => s.role),
      ['prefill', 'decode'],
    );
    const lines = splitCommandLines(result);
    if (split.best) assert.deepEqual(lines, [], 'chosen: printed as the best already');
    else {
      assert.match(
        lines.join('\n'),
        /prefill: VLLM_NIXL_SIDE_CHANNEL_HOST=\$PREFILL_HOST vllm serve .*--kv-transfer-config '\{"kv_connector":"NixlConnector"/,
      );
      for (const line of lines) assert.ok(searchMarkdown(result).includes(line), line);
    }
    // Chosen, the editor's report gives the pair's router after its servers, as the CLI does.
    const chosen = {
      ...result,
      configurations: result.configurations.map((c) => ({ ...c, best: c.id === split.id })),
    };
    assert.ok(
      searchMarkdown(chosen).includes(`Router:\n\n\`\`\`sh\n  router: ${split.settings.router!.commandLine}`),
    );
  });
});
