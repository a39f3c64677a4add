import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { DeployFormat } from '../../engine/config/deploy/index.js';
import { DEFAULT_ENGINE, EngineId } from '../../engine/config/engines/index.js';
import type { EngineSpec } from '../../engine/perf/serving-engine.js';
import { renderSearchReportHtml } from '../../engine/report/html.js';
import { type PriceOverrides, priceText } from '../../engine/search/cost.js';
import {
  latencyText,
  searchLoadText,
  shownLatencies,
  shownLatenciesText,
  sloMisses,
  sloTargetsText,
} from '../../engine/search/format.js';
import {
  type FrontRow,
  latencyFrontRows,
  sameResultNote,
  throughputFrontRows,
} from '../../engine/search/front-rows.js';
import { type SearchConfiguration, type SearchResult, searchServing } from '../../engine/search/run.js';
import type { PrunedConfiguration, Slo } from '../../engine/search/schema.js';
import { settingsLines, splitCommandLines } from '../../engine/search/server-lines.js';
import { simulatedSpanNote } from '../../engine/search/simulation-evaluator.js';
import { nearestToSlo } from '../../engine/search/slo.js';
import { RANKING_SLO_RULES } from '../../engine/workload/slo.js';
import { cancellable } from '../cancellable.js';
import { inputOption, modelOption, outputOption } from '../file-options.js';
import { printJson, table, writeTextFile } from '../format.js';
import {
  concurrencyOption,
  engineOptions,
  fp8QBProjOption,
  givenPrices,
  gpuCountOrRange,
  hardwareList,
  type MoeBackendFlags,
  moeBackendOf,
  moeBackendOptions,
  nvfp4DispatchOption,
  overlapSchedulingOption,
  positiveNumber,
  priceOption,
  searchRunOptions,
  sloOption,
  sloWithPercentile,
} from '../options.js';
import { requireSlo, requireSloOption } from '../require-slo.js';
import { type GpuRange, isCapacityPlanning, runCapacityPlanning } from './capacity.js';
import { emitOptions, refuseUnusableEmitDir, writeDeployment } from './emit-deployment.js';

/** Why configurations were pruned, said of one (`1 plan does not fit …`) and of several. */
const REASONS: Record<PrunedConfiguration['reason'], { one: string; many: string }> = {
  memory: { one: 'does not fit in GPU memory', many: 'do not fit in GPU memory' },
  divisibility: { one: 'cannot split the model that way', many: 'cannot split the model that way' },
  dominated: { one: 'beaten on every metric by another', many: 'beaten on every metric by another' },
  engine: {
    one: 'needs more than one node, which the engine cannot serve from',
    many: 'need more than one node, which the engine cannot serve from',
  },
};

/**
 * Why there is no best: nothing could run at all (each plan's reason, counted, with examples), or the
 * configurations that run all miss a target at the compared rate (the closest one, against the targets).
 */
export function noBestLines(result: SearchResult): string[] {
  const rate = `${result.workload.rate.toFixed(2)} req/s`;
  if (result.configurations.length === 0) {
    const lines = [
      `Nothing fits: no configuration of ${result.gpus}× ${result.hardware} can serve ${result.modelName}${result.pruned.length > 0 ? '' : ' (none was found to try)'}.`,
    ];
    for (const reason of ['memory', 'divisibility'] as const) {
      const pruned = result.pruned.filter((c) => c.reason === reason);
      if (pruned.length === 0) continue;
      const [noun, verb] =
        pruned.length === 1 ? ['plan', REASONS[reason].one] : ['plans', REASONS[reason].many];
      lines.push(`  ${pruned.length} ${noun} ${verb}, e.g.:`);
      for (const c of pruned.slice(-2)) lines.push(`    ${c.what}: ${c.detail}`);
    }
    const quantized = result.pruned.some((c) => !c.what.endsWith('bf16/bf16'));
    lines.push(
      `Give more GPUs${quantized ? ' or a larger GPU' : ', a larger GPU, or --allow-quantization'}.`,
    );
    return lines;
  }
  const closest = nearestToSlo(result.configurations, result.slo)!;
  const misses = sloMisses(closest.metrics, result.slo);
  return [
    `No configuration meets the SLOs at ${rate}: ${result.configurations.length} run, each misses a latency target.`,
    `  The closest, ${closest.label}: ${misses.join(', ') || 'misses a target'}.`,
    '  Lower --rate, loosen --slo, or give more GPUs. The fronts below are at that rate.',
  ];
}

const capitalized = (text: string) => `${text[0]?.toUpperCase()}${text.slice(1)}`;

/** The search result in words: the best configuration (or why none), price, notes and the fronts. */
function printResult(result: SearchResult): void {
  printSearchSummary(result);
  const best = result.configurations.find((c) => c.best);
  if (best) printBest(best, result);
  else for (const line of noBestLines(result)) console.log(line);
  console.log(
    result.price
      ? `Price: ${priceText(result.price)}.`
      : `Price: none listed for ${result.hardware}; pass --price ${result.hardware}=<US dollars per GPU-hour> for costs.`,
  );
  const capped = simulatedSpanNote(result.workload.rate);
  if (capped) console.log(`Note: ${capped}.`);
  if (result.speculation) console.log(`${result.speculation[0].toUpperCase()}${result.speculation.slice(1)}`);
  if (result.disaggregation) {
    console.log(`${capitalized(result.disaggregation)}.`);
    for (const line of splitCommandLines(result)) console.log(line);
  }
  if (result.configurations.length === 0) return;
  printFronts(result);
}

/** What was searched, under which SLOs, and what the search cost. */
function printSearchSummary(result: SearchResult): void {
  const slo = `SLO: ${sloTargetsText(result.slo)}`;
  console.log(
    `${result.modelName} on ${result.gpus}× ${result.hardware}, ${result.engine}; ${result.workload.requests} requests of ${result.workload.source} ${searchLoadText(result.workload)}; ${slo}`,
  );
  console.log(
    `${result.timedWith ? `Steps timed with ${result.timedWith}.\n` : ''}Evaluated ${result.configurationsEvaluated} configurations (${result.simulations} simulations), pruned ${result.configurationsPruned}, in ${result.wallSeconds.toFixed(1)} s.${result.calibrated ? ' Calibrated with a measured profile.' : ''}\n`,
  );
}

/** The best configuration: its rate and latencies under the SLOs, cost, energy and server command lines. */
function printBest(best: SearchConfiguration, result: SearchResult): void {
  const m = best.metrics;
  console.log(`Best under the SLOs: ${best.label}`);
  const at =
    m.concurrency === undefined
      ? `sustains ${best.maxRateUnderSlo?.toFixed(2)} req/s under the SLOs; at ${m.rate.toFixed(2)} req/s`
      : `serves ${m.rate.toFixed(2)} req/s with ${m.concurrency} clients`;
  console.log(
    `  ${at}: ${shownLatenciesText(m, result.slo)}, ${(m.attainment * 100).toFixed(1)}% of requests within the targets, ${m.throughputPerGpu.toFixed(0)} tok/s/GPU`,
  );
  const cost = best.cost;
  if (cost && result.price) {
    const perM = (usd: number | null) => (usd === null ? '-' : `$${usd.toFixed(3)}`);
    console.log(
      `  cost: $${cost.usdPerHour.toFixed(2)}/hour on ${best.gpus} GPU${best.gpus === 1 ? '' : 's'}; at ${best.maxRateUnderSlo?.toFixed(2)} req/s ${perM(cost.usdPerMillionOutputTokens)} per million output tokens, ${perM(cost.usdPerMillionTotalTokens)} per million tokens (prompt + output); ${cost.outputTokensPerSecondPerGpu.toFixed(0)} tok/s per GPU, ${cost.outputTokensPerSecondPerUser.toFixed(1)} tok/s per user`,
    );
  }
  if (best.energy?.joulesPerOutputToken != null) {
    console.log(
      `  energy (estimate at TDP, ${best.energy.wattsPerGpu} W per GPU, GPUs only, an upper bound): ${best.energy.joulesPerOutputToken.toPrecision(2)} J per output token at ${best.maxRateUnderSlo?.toFixed(2)} req/s`,
    );
  }
  if (best.settings) for (const line of settingsLines(best.settings)) console.log(line);
}

/** The latency and throughput fronts, the best marked. */
function printFronts(result: SearchResult): void {
  const p = result.slo.percentile;
  const shown = shownLatencies(result.slo);
  printFront(
    `Latency front (TTFT ${p} against TBT ${p}):`,
    latencyFrontRows(result),
    (c) => [
      ...shown.map(({ metric }) => latencyText(c.metrics[metric][p])),
      c.meetsSlo ? 'yes' : 'no',
      c.maxRateUnderSlo === null ? '-' : c.maxRateUnderSlo.toFixed(2),
    ],
    ['configuration', ...shown.map(({ label }) => `${label} ${p}`), 'meets SLO', 'max req/s'],
  );
  printFront(
    'Throughput front (tokens/s per GPU against tokens/s per user, each at its highest rate within the SLOs):',
    throughputFrontRows(result),
    (c) => [
      c.maxRateUnderSlo?.toFixed(2) ?? '-',
      c.metricsAtMaxRate?.throughputPerGpu.toFixed(0) ?? '-',
      c.metricsAtMaxRate?.speedPerUser.toFixed(1) ?? '-',
    ],
    ['configuration', 'at req/s', 'tok/s/GPU', 'tok/s/user'],
  );
}

/** One front as a table: a row per configuration on it, `cols` its columns after the label. */
function printFront(
  title: string,
  rows: FrontRow[],
  cols: (c: SearchConfiguration) => string[],
  header: string[],
): void {
  console.log(`\n${title}`);
  if (rows.length === 0) {
    console.log('  (empty: no configuration meets the SLOs at any rate tried)');
    return;
  }
  console.log(
    table([
      header,
      ...rows.map(({ configuration: c, sameResult }) => [
        `${c.best ? '* ' : '  '}${c.label}${sameResultNote(sameResult)}`,
        ...cols(c),
      ]),
    ]),
  );
}

export function registerSearchCommands(program: Command): void {
  const command = program
    .command('search')
    .description(
      'search parallel plans and scheduler settings: Pareto fronts, the best under your SLOs, engine flags',
    )
    .addOption(modelOption().makeOptionMandatory())
    .requiredOption(
      '--hardware <id[,id...]>',
      'GPU from the hardware catalog; several (h100-sxm,h200,b200) plan capacity: per GPU type, the cheapest configuration meeting the SLO at --rate',
      hardwareList,
    )
    .requiredOption(
      '--gpus <n|min..max>',
      'GPUs to plan for; a range (4..64) plans capacity: the fewest GPUs meeting the SLO at --rate',
      gpuCountOrRange,
    )
    .requiredOption('--workload <spec|file>', 'a workload spec (poisson:rate=4,prompt=…) or a trace file')
    .addOption(
      sloOption(RANKING_SLO_RULES, 'latency targets, each left out unconstrained').makeOptionMandatory(),
    )
    .option('--rate <req/s>', "request rate to compare at (default: the workload's)", positiveNumber)
    .addOption(concurrencyOption(['rate'], { predicted: true }))
    .option(
      '--allow-quantization',
      'also try fp8 and int4 weights and fp8 KV cache (and fp4 KV on Blackwell with SGLang or TensorRT-LLM)',
    )
    .option('--disaggregation', 'also try prefill/decode disaggregation (xPyD)')
    .option(
      '--allow-speculation',
      "also try speculative decoding (the model's MTP layers, else an EAGLE-3 head) and walk its k; the result says why it was or was not chosen",
    )
    .addOption(
      inputOption('--calibration <calibration.json>', 'a saved calibration (servetune calibrate --out)'),
    )
    .addOption(priceOption())
    .option('--json', 'print the SearchResult JSON')
    .addOption(
      outputOption(
        '--html <report.html>',
        'write a self-contained HTML report (of the capacity plan when planning capacity)',
      ),
    )
    .addOption(requireSloOption('no configuration (no GPU type, when planning capacity)'));
  for (const option of engineOptions(
    'serving engine to emit settings for, whose measured op tables time the steps',
    DEFAULT_ENGINE,
  ))
    command.addOption(option);
  command.addOption(overlapSchedulingOption());
  for (const option of moeBackendOptions()) command.addOption(option);
  command.addOption(nvfp4DispatchOption());
  command.addOption(fp8QBProjOption());
  for (const option of [...searchRunOptions(), ...emitOptions()]) command.addOption(option);
  command.action(runSearchCommand);
}

/** The `search` command's flags, as commander parses them. */
interface SearchFlags extends MoeBackendFlags {
  model: string;
  hardware: string[];
  gpus: number | GpuRange;
  workload: string;
  slo: Slo;
  sloPercentile?: Slo['percentile'];
  rate?: number;
  concurrency?: number;
  engine: EngineSpec;
  disableCustomAllReduce?: boolean;
  enforceEager?: boolean;
  disableOverlapScheduling?: boolean;
  nvfp4Dispatch?: boolean;
  fp8QBProj?: boolean;
  allowQuantization?: boolean;
  disaggregation?: boolean;
  allowSpeculation?: boolean;
  sampleRequests: number;
  threads?: number;
  profile?: string;
  calibration?: string;
  perfDb?: string;
  seed: number;
  json?: boolean;
  html?: string;
  requireSlo?: boolean;
  emit?: DeployFormat;
  emitDir: string;
  price?: PriceOverrides;
}

/** `servetune search`: plans capacity where --hardware or --gpus ranges, else searches one deployment. */
async function runSearchCommand(flags: SearchFlags): Promise<void> {
  if (flags.emit) refuseUnusableEmitDir(flags.emitDir);
  const slo = sloWithPercentile(flags.slo, flags.sloPercentile);
  const moeBackend = moeBackendOf(flags);
  const { prices, pricesGivenIn } = givenPrices(flags.price, process.cwd());
  if (isCapacityPlanning(flags.hardware, flags.gpus)) {
    const range = typeof flags.gpus === 'number' ? { min: flags.gpus, max: flags.gpus } : flags.gpus;
    return runCapacityPlanning(
      {
        ...flags,
        hardware: flags.hardware,
        engine: EngineId.parse(flags.engine.id),
        engineVersion: flags.engine.version,
        ...(flags.disableOverlapScheduling ? { overlapScheduling: false } : {}),
        ...(moeBackend ? { moeBackend } : {}),
        ...(flags.nvfp4Dispatch ? { nvfp4Dispatch: true } : {}),
        ...(flags.fp8QBProj ? { fp8QBProj: true } : {}),
        minGpus: range.min,
        maxGpus: range.max,
        slo,
        prices,
        pricesGivenIn,
        allowQuantization: flags.allowQuantization ?? false,
      },
      flags,
    );
  }
  const result = await cancellable('search', flags, (control) =>
    searchServing(searchRequestOf(flags, slo, moeBackend, { prices, pricesGivenIn }), control),
  );
  writeSearchResult(result, flags);
}

/** The search of one deployment (a single GPU type and count) the flags ask for. */
function searchRequestOf(
  flags: SearchFlags,
  slo: Slo,
  moeBackend: ReturnType<typeof moeBackendOf>,
  given: { prices: PriceOverrides; pricesGivenIn: string },
): Parameters<typeof searchServing>[0] {
  const gpus = flags.gpus as number;
  return {
    model: flags.model,
    hardware: flags.hardware[0],
    gpus,
    workload: flags.workload,
    rate: flags.rate,
    concurrency: flags.concurrency,
    slo,
    engine: EngineId.parse(flags.engine.id),
    engineVersion: flags.engine.version,
    disableCustomAllReduce: flags.disableCustomAllReduce,
    enforceEager: flags.enforceEager,
    ...(flags.disableOverlapScheduling ? { overlapScheduling: false } : {}),
    ...(moeBackend ? { moeBackend } : {}),
    ...(flags.nvfp4Dispatch ? { nvfp4Dispatch: true } : {}),
    ...(flags.fp8QBProj ? { fp8QBProj: true } : {}),
    allowQuantization: flags.allowQuantization ?? false,
    disaggregation: flags.disaggregation ?? false,
    allowSpeculation: flags.allowSpeculation ?? false,
    sampleRequests: flags.sampleRequests,
    threads: flags.threads,
    profile: flags.profile,
    calibration: flags.calibration,
    perfDb: flags.perfDb,
    seed: flags.seed,
    ...given,
  };
}

/**
 * The result as the flags ask: HTML report, JSON or tables, deployment files; exit code 3 where nothing
 * ran, and under --require-slo where nothing meets the SLO.
 */
function writeSearchResult(result: SearchResult, flags: SearchFlags): void {
  if (flags.html) {
    const assets = {
      webviewJs: readFileSync(new URL('./webview.js', import.meta.url), 'utf8'),
      webviewCss: readFileSync(new URL('../media/webview.css', import.meta.url), 'utf8'),
    };
    writeTextFile(flags.html, renderSearchReportHtml(result, assets));
    if (!flags.json) console.log(`Report written to ${flags.html}\n`);
  }
  if (flags.json) printJson(result);
  else printResult(result);
  if (flags.emit) {
    const written = writeDeployment(result, flags.emit, flags.emitDir, result.hardware);
    if (!flags.json) console.log(`\n${flags.emit} files written: ${written.join(', ')}`);
  }
  // Nothing could run at all: as `memory` says of a plan that does not fit.
  if (result.configurations.length === 0) process.exitCode = 3;
  if (flags.requireSlo)
    requireSlo('search', result.best !== null, {
      slo: result.slo,
      load:
        result.workload.concurrency === undefined
          ? `at ${result.workload.rate.toFixed(2)} req/s`
          : `with ${result.workload.concurrency} in flight`,
      nothing: 'no configuration',
      runs: result.configurations,
    });
}
