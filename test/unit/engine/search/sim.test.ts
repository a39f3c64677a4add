import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readEngineFlags } from '../../../../src/engine/config/emit.js';
import { ENGINE_IDS } from '../../../../src/engine/config/engines/index.js';
import { wholeGpuShareOf } from '../../../../src/engine/config/memory-share.js';
import { getHardware } from '../../../../src/engine/hardware/catalog.js';
import { memoryReport } from '../../../../src/engine/memory/model.js';
import { getModel } from '../../../../src/engine/model/catalog.js';
import { maxRatesUnderSlo } from '../../../../src/engine/search/rate.js';
import { SearchResult, searchServing } from '../../../../src/engine/search/run.js';
import { type Candidate, type Pool, Slo } from '../../../../src/engine/search/schema.js';
import { runSearch } from '../../../../src/engine/search/search.js';
import { SimulationEvaluator } from '../../../../src/engine/search/simulation-evaluator.js';
import { meetsSlo } from '../../../../src/engine/search/slo.js';
import { feasibleReplicaShapes } from '../../../../src/engine/search/space.js';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { everyColocatedCandidate } from '../../helpers/brute-force.js';

// A small space: Llama-3.1-8B on 2× L40S, a short synthetic workload.
const WORKLOAD = 'poisson:rate=6,prompt=lognormal(768,0.6),output=lognormal(160,0.6),n=240';
const slo: Slo = Slo.parse({ ttft: 1.5, tbt: 0.06 });
const small = {
  model: 'llama-3.1-8b',
  hardware: 'l40s',
  gpus: 2,
  workload: WORKLOAD,
  slo,
  sampleRequests: 240,
  threads: 0,
};

const poolOf = (c: Candidate): Pool[] => (c.kind === 'colocated' ? [c.pool] : [c.prefill, c.decode]);

describe('search with the simulator', () => {
  it('finds the best of a brute-force search over every plan and knob value', async () => {
    const result = await searchServing(small);
    const model = getModel('llama-3.1-8b');
    const hardware = getHardware('l40s');
    const workload = loadWorkload(WORKLOAD, { count: 240 });
    const maxSequenceTokens = Math.max(...workload.requests.map((r) => r.promptTokens + r.outputTokens));
    const evaluator = new SimulationEvaluator({
      model,
      hardware,
      engine: 'vllm',
      workload,
      slo,
      maxModelLen: result.maxModelLen,
      seed: 0,
    });
    const { shapes } = feasibleReplicaShapes(
      {
        model,
        hardware,
        gpus: 2,
        engine: 'vllm',
        maxSequenceTokens,
        allowQuantization: false,
        disaggregation: false,
      },
      2,
    );
    const all = everyColocatedCandidate(shapes, 2);
    const rates = await maxRatesUnderSlo(
      all.length,
      async (round) => {
        const metrics = await evaluator.evaluate(
          round.map(({ index, rate }) => ({ candidate: all[index], rate })),
        );
        return metrics.map((m) => ({ holds: meetsSlo(m, slo), payload: undefined }));
      },
      { start: result.workload.rate, precision: 0.05, maxSteps: 6 },
    );
    const bruteBest = Math.max(...rates.map((r) => r.rate ?? 0));
    const best = result.configurations.find((c) => c.best);
    assert.ok(best, 'a best configuration');
    assert.ok(
      best.maxRateUnderSlo! >= bruteBest / 1.05 ** 2,
      `search ${best.maxRateUnderSlo} vs brute force ${bruteBest}`,
    );
    assert.ok(
      result.simulations < all.length * 6,
      `${result.simulations} simulations vs ${all.length} configurations brute force`,
    );
  });

  it('pruning dominated configurations keeps the best and both fronts', async () => {
    const model = getModel('llama-3.1-8b');
    const hardware = getHardware('l40s');
    const workload = loadWorkload(WORKLOAD, { count: 240 });
    const maxSequenceTokens = Math.max(...workload.requests.map((r) => r.promptTokens + r.outputTokens));
    const request = {
      model,
      hardware,
      gpus: 2,
      engine: 'vllm' as const,
      rate: 6,
      slo,
      maxSequenceTokens,
      allowQuantization: true,
      disaggregation: true,
      refineRounds: 0,
    };
    const evaluator = () =>
      new SimulationEvaluator({ model, hardware, engine: 'vllm', workload, slo, maxModelLen: 4096, seed: 0 });
    // The same configurations evaluated either way (no refinement); only the max-rate pruning differs.
    const pruned = await runSearch(request, evaluator());
    const full = await runSearch({ ...request, pruneDominated: false }, evaluator());
    assert.ok(
      pruned.pruned.some((p) => p.reason === 'dominated'),
      'something was pruned as dominated',
    );
    assert.ok(pruned.simulations < full.simulations);
    assert.equal(pruned.best, full.best);
    assert.deepEqual(pruned.frontLatency, full.frontLatency);
    assert.deepEqual(pruned.frontThroughput, full.frontThroughput);
  });

  it('every suggested configuration fits in memory and its flags read back to it, for each engine', async () => {
    for (const engine of ENGINE_IDS) {
      const result = await searchServing({ ...small, engine, sampleRequests: 120 });
      const suggested = result.configurations.filter((c) => c.settings);
      assert.ok(suggested.length > 0, engine);
      for (const c of suggested) {
        for (const pool of poolOf(c.candidate)) {
          const memory = memoryReport(getModel('llama-3.1-8b'), getHardware('l40s'), pool.plan, {
            gpuMemoryUtilization: pool.knobs.gpuMemoryUtilization,
            maxNumBatchedTokens: pool.knobs.maxNumBatchedTokens,
            maxNumSeqs: pool.knobs.maxNumSeqs,
            contextLength: result.workload.maxSequenceTokens,
          });
          assert.ok(memory.fits, `${engine} ${c.id}: ${memory.problems.join('; ')}`);
        }
        const [server] = c.settings!.servers;
        const pool = poolOf(c.candidate)[0];
        const readBack = readEngineFlags({
          engine,
          argv: server.argv,
          commandLine: server.commandLine,
          env: server.env,
          configYaml: server.configYaml,
          yamlFileName: server.yamlFileName,
          expressed: {},
          dropped: [],
          deployment: {},
        });
        assert.equal(readBack.tp, pool.plan.tp, `${engine} tp: ${server.commandLine}`);
        assert.equal(
          readBack.maxNumSeqs,
          pool.knobs.maxNumSeqs,
          `${engine} max-num-seqs: ${server.commandLine}`,
        );
        const dropped = new Set(server.dropped.map((d) => d.setting));
        if (!dropped.has('maxNumBatchedTokens'))
          assert.equal(
            readBack.maxNumBatchedTokens,
            pool.knobs.maxNumBatchedTokens,
            `${engine}: ${server.commandLine}`,
          );
        // TensorRT-LLM takes the budget as a share of free memory, converted from the plan's share.
        if (server.expressed.kvCacheFreeMemoryFraction !== undefined)
          assert.equal(readBack.kvCacheFreeMemoryFraction, server.expressed.kvCacheFreeMemoryFraction);
        else if (!dropped.has('gpuMemoryUtilization')) {
          // Read back in the engine's terms (SGLang's static fraction leaves the activations out): the
          // same share of the whole GPU, to the 3 places the flag is written with.
          const { blockSize, maxNumBatchedTokens, maxNumSeqs } = pool.knobs;
          const share = wholeGpuShareOf(
            { engine, model: getModel('llama-3.1-8b'), hardware: getHardware('l40s'), plan: pool.plan },
            {
              ...(readBack.gpuMemoryUtilization !== undefined
                ? { gpuMemoryUtilization: readBack.gpuMemoryUtilization }
                : {}),
            },
            { blockSize, maxNumBatchedTokens, maxNumSeqs, contextLength: result.workload.maxSequenceTokens },
            { startupDefault: false },
          );
          assert.ok(
            share !== undefined && Math.abs(share - pool.knobs.gpuMemoryUtilization) < 0.002,
            `${engine}: ${share} for ${pool.knobs.gpuMemoryUtilization}: ${server.commandLine}`,
          );
        }
        assert.equal(server.replicas, pool.plan.dp);
      }
    }
  });

  it('worker threads give the same result as evaluating in process', async () => {
    const inProcess = await searchServing({ ...small, sampleRequests: 120 });
    const threaded = await searchServing(
      { ...small, sampleRequests: 120, threads: 2 },
      { workerFile: pathToFileURL(join(process.cwd(), 'dist/search-worker.mjs')) },
    );
    const strip = (r: SearchResult) =>
      r.configurations.map((c) => [c.id, c.maxRateUnderSlo, c.metrics.ttft.p90, c.best]);
    assert.deepEqual(strip(threaded), strip(inProcess));
  });

  it('reports partial results as its stages complete, ending with the final fronts', async () => {
    const partials: SearchResult[] = [];
    const final = await searchServing(
      { ...small, sampleRequests: 120 },
      { onPartial: (r) => partials.push(r) },
    );
    assert.ok(partials.length >= 2, `${partials.length} partial results`);
    // The first partial is the coarse stage alone; each later one holds at least as many configurations.
    assert.ok(partials[0].configurations.every((c) => c.stage === 'coarse'));
    for (let i = 1; i < partials.length; i++) {
      assert.ok(partials[i].configurations.length >= partials[i - 1].configurations.length);
    }
    const last = partials.at(-1)!;
    assert.deepEqual(last.fronts, final.fronts);
    assert.equal(last.best, final.best);
    // Engine settings are computed once, for the final result.
    assert.ok(partials.every((r) => r.configurations.every((c) => c.settings === null)));
    assert.ok(final.configurations.some((c) => c.settings !== null));
  });

  it('cancelling stops the search with the cancellation as the error', async () => {
    const controller = new AbortController();
    const running = searchServing(small, {
      onProgress: () => controller.abort(new Error('stop')),
      signal: controller.signal,
    });
    await assert.rejects(running, /stop/);
  });
});

/** `servetune search` for the small space, with `slo` and any further flags. */
function searchCli(slo: string, ...flags: string[]) {
  return spawnSync(
    process.execPath,
    [
      'dist/cli.mjs',
      'search',
      '--model',
      'llama-3.1-8b',
      '--hardware',
      'l40s',
      '--gpus',
      '2',
      '--workload',
      WORKLOAD,
      '--slo',
      slo,
      ...flags,
    ],
    { encoding: 'utf8' },
  );
}

describe('servetune search CLI', () => {
  it('prints a SearchResult with --json and writes a self-contained HTML report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servetune-search-'));
    const html = join(dir, 'report.html');
    const run = searchCli(
      'ttft=1.5,tbt=60ms',
      ...['--sample-requests', '120', '--json', '--html', html, '--price', 'l40s=0.9'],
    );
    assert.equal(run.status, 0, run.stderr);
    const result = SearchResult.parse(JSON.parse(run.stdout));
    assert.equal(result.slo.tbt, 0.06);
    assert.ok(result.configurationsEvaluated > 0 && result.fronts.latency.length > 0);
    const page = readFileSync(html, 'utf8');
    assert.ok(
      !/<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]*\.(js|css)/.test(page),
      'no external assets',
    );
    assert.match(page, /acquireVsCodeApi/);
    assert.ok(page.includes(result.best!), 'the report carries the configurations');
    assert.deepEqual(result.price, {
      hardware: 'l40s',
      usdPerGpuHour: 0.9,
      from: 'given',
      source: '--price',
    });
    for (const c of result.configurations) {
      // Costed at its highest rate within the SLO; one that never meets it has no cost.
      assert.equal(c.cost?.usdPerHour ?? null, c.metricsAtMaxRate ? 0.9 * c.gpus : null, c.id);
    }
    assert.ok(page.includes('$0.90/GPU-hour of l40s (given in --price)'), 'the report names its prices');
  });

  it('rejects a malformed SLO with the expected form', () => {
    const run = searchCli('ttft=fast');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /expected one or more of ttft=<s>,tbt=<s>,tpot=<s>, got 'ttft=fast'/);
  });
});
