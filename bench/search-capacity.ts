// Capacity planning (search over GPU types × GPU counts at a target rate) side by side with the
// single-type search, in the same run, each case in a fresh process. See bench/search.ts for the command.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { planCapacity } from '../src/engine/search/capacity.js';
import { Slo } from '../src/engine/search/schema.js';

interface Row {
  case: string;
  what: string;
  sampleRequests: number;
  configurations: number;
  simulations: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  answer: string;
}

/** What the command line asks of the capacity bench (bench/search.ts reads it). */
export interface CapacityOptions {
  sample?: string;
  maxGpus?: string;
  types?: string;
  /** The one case this process runs (`capacity`, `single`), or none: run both in fresh processes. */
  which?: string;
}

const SLO = Slo.parse({ ttft: 2, tbt: 0.1 });
const RATE = 20;

async function capacityCase(trace: string, sample: number, maxGpus: number, types: string[]): Promise<Row> {
  const cpuStart = process.cpuUsage();
  const plan = await planCapacity(
    {
      model: 'llama-3.1-70b',
      hardware: types,
      minGpus: 1,
      maxGpus,
      workload: trace,
      rate: RATE,
      slo: SLO,
      sampleRequests: sample,
    },
    { workerFile: pathToFileURL(join(process.cwd(), 'dist/search-worker.mjs')) },
  );
  const used = process.cpuUsage(cpuStart);
  const answer = plan.rows
    .map((r) =>
      r.plan
        ? `${r.cheapest ? '**' : ''}${r.hardware}: ${r.plan.gpus} GPUs, ${r.plan.label}, $${r.plan.cost?.usdPerHour.toFixed(2) ?? '-'}/h${r.cheapest ? '**' : ''}`
        : `${r.hardware}: none`,
    )
    .join('; ');
  return {
    case: `capacity-llama-3.1-70b-${types.length}types-1..${maxGpus}gpus-${RATE}rps`,
    what: `planCapacity: ${types.join(', ')}, 1..${maxGpus} GPUs, ${RATE} req/s`,
    sampleRequests: plan.workload.requests,
    configurations: plan.rows.reduce((n, r) => n + r.configurationsEvaluated, 0),
    simulations: plan.simulations,
    wallSeconds: plan.wallSeconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    answer,
  };
}

interface SingleCase {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  configurationsEvaluated: number;
  simulations: number;
  sampleRequests: number;
  best: string | null;
  bestMaxRate: number | null;
}

const SECTION = '## Capacity planning against the single-type search (issue 25)';

/** `--capacity`: runs both cases in fresh processes and records them; `--capacity-case`: one case here. */
export async function runCapacityBench(
  trace: string,
  runSingle: (name: string) => Promise<SingleCase>,
  options: CapacityOptions,
): Promise<void> {
  const sample = Number(options.sample ?? '1000');
  const maxGpus = Number(options.maxGpus ?? '64');
  const types = (options.types ?? 'h100-sxm,h200,b200,mi300x').split(',');
  const which = options.which ?? '';
  if (which === 'capacity') {
    process.stdout.write(JSON.stringify(await capacityCase(trace, sample, maxGpus, types)));
    return;
  }
  if (which === 'single') {
    const r = await runSingle('llama-3.1-70b-8xh100-azure-conv');
    const row: Row = {
      case: 'llama-3.1-70b-8xh100-azure-conv',
      what: 'searchServing: h100-sxm, 8 GPUs, every plan and scheduler setting',
      sampleRequests: r.sampleRequests,
      configurations: r.configurationsEvaluated,
      simulations: r.simulations,
      wallSeconds: r.wallSeconds,
      cpuSeconds: r.cpuSeconds,
      peakRssBytes: r.peakRssBytes,
      answer: `${r.best ?? 'none'} (${r.bestMaxRate?.toFixed(2) ?? '-'} req/s)`,
    };
    process.stdout.write(JSON.stringify(row));
    return;
  }
  const passOn = ['--sample', String(sample), '--max-gpus', String(maxGpus), '--types', types.join(',')];
  const rows = ['single', 'capacity'].map((name) => {
    const out = execFileSync(process.execPath, [process.argv[1], '--capacity-case', name, ...passOn], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const row = JSON.parse(out) as Row;
    console.log(`${row.case}: ${row.wallSeconds.toFixed(2)} s wall, ${row.simulations} simulations`);
    return row;
  });
  const machine = `${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; recorded ${new Date().toISOString()}`;
  writeFileSync('bench/results/search-capacity.json', `${JSON.stringify({ machine, rows }, null, 2)}\n`);
  const table = rows.map(
    (r) =>
      `| ${r.case} | ${r.what} | ${r.sampleRequests} | ${r.configurations} | ${r.simulations} | **${r.wallSeconds.toFixed(2)} s** | ${r.cpuSeconds.toFixed(1)} s | ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB | ${r.answer} |`,
  );
  const section = `${SECTION}

\`npm run bench:search -- --capacity --sample ${sample} --max-gpus ${maxGpus} --types ${types.join(',')}\`
(bench/search-capacity.ts): Llama-3.1-70B, the Azure conversation trace, SLO ${SLO.attainment * 100}% of requests
within TTFT 2 s and p90 token gap 100 ms; the capacity plan sizes every GPU type to ${RATE} req/s. Both cases in
the same run, each in a fresh process, worker threads one per core.
The capacity plan tries every replica shape that fits (up to 8× the smallest, PP ≤ 4) with the coarse
scheduler settings (256 sequences × 2048- or 8192-token chunks or whole prompts), then up to two rounds of
the scheduler-setting neighbours of each type's three cheapest (sequences, chunk size, memory share).

Machine: ${machine}.

| case | what | requests sampled | configurations | simulations | wall time | CPU time | peak memory | answer |
|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

Target (issue 25): 4 GPU types × GPU counts up to 64 × every plan and scheduler setting, on the same
1,000-request sample, under 60 s on this 2-core machine.
`;
  const md = readFileSync('bench/results/search.md', 'utf8');
  const at = md.indexOf(SECTION);
  const next = at < 0 ? -1 : md.indexOf('\n## ', at + SECTION.length);
  const updated =
    at < 0
      ? `${md.trimEnd()}\n\n${section}`
      : `${md.slice(0, at)}${section}${next < 0 ? '' : md.slice(next)}`;
  writeFileSync('bench/results/search.md', updated);
}
