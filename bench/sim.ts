// Simulator speed benchmark. Each case runs in a fresh Node process (clean peak-memory figures) on
// one thread. Writes bench/results/sim.json and bench/results/sim.md.
//   npm run bench:sim   (bundled with esbuild first, as the CLI and the worker ship)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { PolicyName } from '../src/engine/sched/config.js';
import type { SimulationConfigInput } from '../src/engine/sim/config.js';
import { simulate } from '../src/engine/sim/simulate.js';
import { loadWorkload } from '../src/engine/workload/load.js';
import { allocatedBytes } from './allocated-bytes.js';
import { benchArgs } from './args.js';

const AZURE_CONV = '/work/shared/data/traces/AzureLLMInferenceTrace_conv.csv';
const SYNTHETIC = 'poisson:rate=5,prompt=lognormal(1024,0.8),output=lognormal(200,0.8),n=100000';
const REPEATS = 5;

// The speculative cases draw from the seeded generator for every verified token: a boxed number per draw
// shows in their bytes per token.
const EAGLE = { method: 'eagle', k: 3, acceptance: 0.7 } as const;

const config = (policy: PolicyName, speculative: boolean): SimulationConfigInput => ({
  model: 'llama-3.1-70b',
  hardware: 'h100-sxm',
  deployment: {
    kind: 'colocated',
    pool: {
      plan: { tp: 8, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
      scheduler: { policy },
      ...(speculative ? { speculation: EAGLE } : {}),
    },
  },
  slo: { ttft: 2, tpot: 0.1 },
});

interface CaseResult {
  case: string;
  workload: string;
  policy: PolicyName;
  requests: number;
  steps: number;
  simulatedSeconds: number;
  wallSecondsRuns: number[];
  wallSecondsMedian: number;
  simulatedPerWall: number;
  loadSeconds: number;
  peakRssBytes: number;
  /** Heap allocated by one more run (collected objects included), per output token. */
  allocatedBytesPerToken: number;
  ttftP50: number | null;
  tpotP50: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function runCase(
  name: string,
  workloadSource: string,
  policy: PolicyName,
  speculative: boolean,
  repeats: number,
): CaseResult {
  const loadStart = performance.now();
  const workload = loadWorkload(workloadSource, { seed: 1 });
  const loadSeconds = (performance.now() - loadStart) / 1000;
  // One untimed run warms the JIT; the step model is compiled and cached there too.
  let summary = simulate(config(policy, speculative), workload);
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    summary = simulate(config(policy, speculative), workload);
    runs.push((performance.now() - start) / 1000);
  }
  const wall = median(runs);
  // Counted on a run of its own: the profiler's bookkeeping stays out of the timing.
  const allocated = allocatedBytes(() => {
    summary = simulate(config(policy, speculative), workload);
  });
  return {
    case: name,
    workload: workloadSource,
    policy,
    requests: summary.requests.completed,
    steps: summary.steps,
    simulatedSeconds: summary.simulatedSeconds,
    wallSecondsRuns: runs,
    wallSecondsMedian: wall,
    simulatedPerWall: summary.simulatedSeconds / wall,
    loadSeconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    allocatedBytesPerToken: allocated / summary.tokens.output,
    ttftP50: summary.ttft?.p50 ?? null,
    tpotP50: summary.tpot?.p50 ?? null,
  };
}

const [, , mode, name, source, policy, speculative, repeats] = process.argv;
// `--case …` is how the bench runs each case in its own process; people pass nothing (or --help).
if (mode !== '--case')
  benchArgs(
    'bench:sim',
    'Simulator speed: each case in a fresh process on one thread (sim.json, sim.md).',
    {},
  );
if (mode === '--case') {
  process.stdout.write(
    JSON.stringify(runCase(name, source, policy as PolicyName, speculative === 'eagle', Number(repeats))),
  );
} else {
  type Case = [
    name: string,
    workload: string,
    policy: PolicyName,
    speculation: 'eagle' | 'none',
    repeats: number,
  ];
  const cases: Case[] = [
    ['azure-conv-1h', AZURE_CONV, 'sarathi', 'none', REPEATS],
    ['synthetic-100k', SYNTHETIC, 'sarathi', 'none', 1],
    ...(['vllm-v0', 'sglang', 'lightllm', 'orca', 'static'] as PolicyName[]).map(
      (p): Case => [`azure-conv-1h-${p}`, AZURE_CONV, p, 'none', 3],
    ),
    ['azure-conv-1h-eagle', AZURE_CONV, 'sarathi', 'eagle', 3],
  ];
  const results: CaseResult[] = [];
  for (const [caseName, workload, p, speculation, n] of cases) {
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, process.argv[1], '--case', caseName, workload, p, speculation, String(n)],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const result = JSON.parse(out.toString()) as CaseResult;
    results.push(result);
    console.log(
      `${caseName}: ${result.simulatedSeconds.toFixed(0)} s simulated in ${result.wallSecondsMedian.toFixed(3)} s → ${result.simulatedPerWall.toFixed(0)}× (peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${result.allocatedBytesPerToken.toFixed(1)} B allocated per token)`,
    );
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    node: process.version,
    loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
    note: 'one simulation thread per case; the machine is shared with other work running at the same time',
    date: new Date().toISOString(),
  };
  writeFileSync('bench/results/sim.json', `${JSON.stringify({ machine, results }, null, 2)}\n`);
  const rows = results.map(
    (r) =>
      `| ${r.case} | ${r.policy} | ${r.requests} | ${r.steps} | ${r.simulatedSeconds.toFixed(0)} | ${r.wallSecondsMedian.toFixed(3)} | **${r.simulatedPerWall.toFixed(0)}** | ${(r.peakRssBytes / 2 ** 20).toFixed(0)} | ${r.allocatedBytesPerToken.toFixed(1)} | ${r.loadSeconds.toFixed(2)} |`,
  );
  const md = `# Simulator speed

\`npm run bench:sim\` (bench/sim.ts). Llama-3.1-70B on 8× H100 SXM, TP8, default engine knobs of each
policy (sarathi = vLLM v1 chunked prefill: 8192 batched tokens, 1024 sequences). Each case runs in a fresh
Node process on one thread; wall time is the median of the timed runs after one warm-up run; the
trace or synthetic workload is loaded once, outside the timing (its load time is listed). Peak RSS is
the whole process's (Node itself included). Allocated B/token: the heap one more run allocated (objects
already collected included: bench/allocated-bytes.ts) over its output tokens; the hot loop allocates per
step, not per token, so a figure that grows with a boxed number per token (12-16 B) is a regression.
azure-conv-1h-eagle adds speculative decoding (eagle, k = 3, acceptance 0.7).

Target: simulated seconds / wall seconds ≥ 5,000 on the one-hour Azure conversation trace.

Machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node}; ${machine.note} (load average ${machine.loadAverageAtEnd.join(', ')} at the end of the run). Run ${machine.date}.

| case | policy | requests | steps | simulated s | wall s | simulated / wall | peak RSS MiB | allocated B/token | load s |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Workloads: \`${AZURE_CONV.split('/').pop()}\` (19,366 requests over about an hour, as recorded);
synthetic: \`${SYNTHETIC}\` (seed 1).
`;
  writeFileSync('bench/results/sim.md', md);
}
