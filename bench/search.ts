// Plan-search speed benchmark. Each case runs in a fresh Node process (clean peak-memory figures) with
// the search's worker threads, one per core, as `servetune search` runs. Writes bench/results/search.json
// and bench/results/search.md.
//   npm run bench:search
// Capacity planning against the single-type search, in the same run (issue 25), written to the
// "Capacity planning" section of search.md and to bench/results/search-capacity.json:
//   npm run bench:search -- --capacity [--sample 1000] [--max-gpus 64] [--types h100-sxm,h200,b200,mi300x]
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type SearchInput, searchServing } from '../src/engine/search/run.js';
import { benchArgs } from './args.js';
import { runCapacityBench } from './search-capacity.js';

const FULL_TRACE = join(process.cwd(), '../shared/data/traces/AzureLLMInferenceTrace_conv.csv');
const AZURE_CONV = existsSync(FULL_TRACE) ? FULL_TRACE : 'data/traces/azure-conv-2000.csv';
const slo = { ttft: 2, tbt: 0.1, percentile: 'p90' as const };

const CASES: Record<string, SearchInput> = {
  'llama-3.1-70b-8xh100-azure-conv': {
    model: 'llama-3.1-70b',
    hardware: 'h100-sxm',
    gpus: 8,
    workload: AZURE_CONV,
    slo,
  },
  'llama-3.1-70b-8xh100-azure-conv-full-space': {
    model: 'llama-3.1-70b',
    hardware: 'h100-sxm',
    gpus: 8,
    workload: AZURE_CONV,
    slo,
    allowQuantization: true,
    disaggregation: true,
  },
  'llama-3.1-405b-64xh100-azure-conv': {
    model: 'llama-3.1-405b',
    hardware: 'h100-sxm',
    gpus: 64,
    workload: AZURE_CONV,
    slo,
  },
  'mixtral-8x7b-64xh100-azure-conv': {
    model: 'mixtral-8x7b',
    hardware: 'h100-sxm',
    gpus: 64,
    workload: AZURE_CONV,
    slo,
  },
};

interface CaseResult {
  case: string;
  input: SearchInput;
  wallSeconds: number;
  configurationsEvaluated: number;
  configurationsPruned: number;
  simulations: number;
  sampleRequests: number;
  best: string | null;
  bestMaxRate: number | null;
  peakRssBytes: number;
  /** CPU time of the whole process, worker threads included: less sensitive to other load than wall time. */
  cpuSeconds: number;
}

async function runCase(name: string): Promise<CaseResult> {
  const input = CASES[name];
  const cpuStart = process.cpuUsage();
  const result = await searchServing(input, {
    workerFile: pathToFileURL(join(process.cwd(), 'dist/search-worker.mjs')),
  });
  const best = result.configurations.find((c) => c.best);
  return {
    case: name,
    input,
    wallSeconds: result.wallSeconds,
    configurationsEvaluated: result.configurationsEvaluated,
    configurationsPruned: result.configurationsPruned,
    simulations: result.simulations,
    sampleRequests: result.workload.requests,
    best: best?.label ?? null,
    bestMaxRate: best?.maxRateUnderSlo ?? null,
    // Process-wide peak, worker threads included (ru_maxrss is in KiB on Linux).
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuSeconds: (() => {
      const used = process.cpuUsage(cpuStart);
      return (used.user + used.system) / 1e6;
    })(),
  };
}

const flags = benchArgs(
  'bench:search',
  'Plan-search speed, each case in a fresh process; --capacity: capacity planning beside the single-type search.',
  {
    capacity: {
      type: 'boolean',
      help: 'capacity planning against the single-type search (search-capacity.json)',
    },
    sample: {
      type: 'string',
      value: 'N',
      help: 'with --capacity: requests sampled from the trace (default 1000)',
    },
    'max-gpus': {
      type: 'string',
      value: 'N',
      help: 'with --capacity: the most GPUs planned for (default 64)',
    },
    types: {
      type: 'string',
      value: 'IDS',
      help: 'with --capacity: GPU types, comma-separated (default h100-sxm,h200,b200,mi300x)',
    },
    case: { type: 'string', help: 'one case, in this process', internal: true },
    'capacity-case': { type: 'string', help: 'one capacity case, in this process', internal: true },
  },
);
if (flags.capacity || flags['capacity-case'] !== undefined) {
  await runCapacityBench(AZURE_CONV, (name) => runCase(name), {
    sample: flags.sample,
    maxGpus: flags['max-gpus'],
    types: flags.types,
    which: flags['capacity-case'],
  });
} else if (flags.case !== undefined) {
  process.stdout.write(JSON.stringify(await runCase(flags.case)));
} else {
  const results: CaseResult[] = [];
  for (const name of Object.keys(CASES)) {
    const out = execFileSync(process.execPath, [process.argv[1], '--case', name], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const r = JSON.parse(out) as CaseResult;
    results.push(r);
    console.log(
      `${name}: ${r.wallSeconds.toFixed(2)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU, ${r.configurationsEvaluated} configurations, ${r.simulations} simulations, peak ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
    date: new Date().toISOString(),
  };
  writeFileSync('bench/results/search.json', `${JSON.stringify({ machine, results }, null, 2)}\n`);
  const rows = results.map(
    (r) =>
      `| ${r.case} | ${r.sampleRequests} | ${r.configurationsEvaluated} | ${r.configurationsPruned} | ${r.simulations} | **${r.wallSeconds.toFixed(2)} s** | ${r.cpuSeconds.toFixed(1)} s | ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB | ${r.best ?? 'none'} (${r.bestMaxRate?.toFixed(2) ?? '-'} req/s) |`,
  );
  writeFileSync(
    'bench/results/search.md',
    `# Plan search benchmark

\`npm run bench:search\` (bench/search.ts): \`searchServing\` as \`servetune search\` runs it, worker threads one per
core, each case in a fresh process. SLO p90 TTFT ≤ 2 s, TBT ≤ 100 ms; workload: ${AZURE_CONV.includes('shared') ? 'the Azure conversation trace (AzureLLMInferenceTrace_conv.csv)' : 'the embedded Azure conversation slice'}, the search's default
sample of its first requests at the trace's own rate. "Full space" adds fp8/int4 weights, fp8 KV cache and
prefill/decode disaggregation (xPyD).

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average at the end ${machine.loadAverageAtEnd.join(' ')} (other work was running on the machine).
Recorded ${machine.date}.

| case | requests simulated per run | configurations | pruned | simulations | wall time | CPU time | peak memory | best (max req/s under SLO) |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Target (issue 5): Llama-3.1-70B on 8× H100 SXM with the Azure conversation trace, all plans and scheduler settings, under 10 s on this 2-core machine.
`,
  );
}
