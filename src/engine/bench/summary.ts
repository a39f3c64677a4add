import type { SimulationConfig } from '../sim/config.js';
import { GapHistogram } from '../sim/metrics.js';
import {
  type FinishedRequestTimes,
  goodputOf,
  requestMetrics,
  throughputOf,
} from '../sim/request-metrics.js';
import { type RunLoad, RunSummary } from '../sim/summary.js';
import type { SloDefinition } from '../workload/slo-verdict.js';
import { type FittedRequests, isCompleted, runProblems } from './problems.js';
import type { MeasuredRequest } from './requests-file.js';

interface MeasuredRunInfo {
  label: string;
  url: string;
  servedModel: string;
  /** What ran behind the endpoint, where known (for a later fit); else the served model's name. */
  model?: string;
  hardware?: string;
  gpus?: number;
  config?: SimulationConfig;
  workload: NonNullable<RunSummary['workload']>;
  /** How it was sent, where not open loop with every request counted (`RunLoad`, as `simulate` records it). */
  load?: RunLoad;
  /** Requests in the workload (sent or not). */
  planned: number;
  slo: SloDefinition;
  seed: number;
  wallSeconds: number;
  /** Preemptions the server reported over the run (its /metrics), where it reports them. */
  preemptions?: number;
  /** Requests scaled down to fit the server's context before they were sent. */
  fitted?: FittedRequests;
}

/**
 * A load-generator run as a RunSummary (kind 'measured'), computed by the simulator's own metric code
 * from the streamed token times: a request counts as completed when its stream marked its end ([DONE]
 * or a finish_reason) with at least one token; every other request sent or planned counts as failed,
 * with the reasons and the server's messages in `problems` (see `runProblems`).
 * A warm-up (`load.warmUpRequests`) is left out as `simulate` leaves it out: the requests finished by
 * the K-th completion and the token gaps ending by then, the throughput counted from it.
 */
export function measuredSummary(measured: readonly MeasuredRequest[], info: MeasuredRunInfo): RunSummary {
  const finished: FinishedRequestTimes[] = [];
  const tokenTimes: (readonly number[])[] = [];
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const m of measured) {
    start = Math.min(start, m.sentAt);
    end = Math.max(end, m.finishedAt);
    if (!isCompleted(m)) continue;
    let maxGap = 0;
    let gapsOverTbt = 0;
    const tbt = info.slo.tbt ?? Number.POSITIVE_INFINITY;
    for (let i = 1; i < m.tokenTimes.length; i++) {
      const gap = m.tokenTimes[i] - m.tokenTimes[i - 1];
      if (gap > maxGap) maxGap = gap;
      if (gap > tbt) gapsOverTbt++;
    }
    tokenTimes.push(m.tokenTimes);
    finished.push({
      arrival: m.sentAt,
      firstScheduled: -1,
      firstToken: m.tokenTimes[0],
      finish: m.tokenTimes[m.tokenTimes.length - 1],
      promptTokens: m.promptTokens,
      outputTokens: m.outputTokens,
      maxGap,
      gapsOverTbt,
    });
  }
  const measuredFrom = warmUpEnd(finished, info.load?.warmUpRequests ?? 0);
  const itl = new GapHistogram();
  for (const times of tokenTimes) {
    for (let i = 1; i < times.length; i++) if (times[i] > measuredFrom) itl.add(times[i] - times[i - 1]);
  }
  const counted = finished.filter((r) => r.finish > measuredFrom);
  const metrics = requestMetrics(counted, info.slo);
  const duration = measured.length > 0 ? Math.max(0, end - Math.max(start, measuredFrom)) : 0;
  const gpus = info.gpus ?? 1;
  return RunSummary.parse({
    schemaVersion: 1,
    kind: 'measured',
    label: info.label,
    model: info.model ?? info.servedModel,
    hardware: info.hardware ?? 'endpoint',
    gpus,
    config: info.config,
    endpoint: { url: info.url, servedModel: info.servedModel },
    workload: info.workload,
    ...(info.load ? { load: info.load } : {}),
    feasible: true,
    problems: runProblems(measured, info.planned, info.fitted),
    requests: {
      total: info.planned,
      completed: finished.length,
      failed: info.planned - finished.length,
    },
    tokens: { input: metrics.inputTokens, output: metrics.outputTokens, cachedPrompt: 0 },
    ttft: metrics.ttft,
    tpot: metrics.tpot,
    itl: itl.summary(),
    e2e: metrics.e2e,
    queueing: null,
    throughput: throughputOf(metrics, duration, gpus),
    goodput: goodputOf(metrics, info.slo, duration),
    preemptions: info.preemptions ?? 0,
    prefixCache: null,
    kvUtilization: null,
    batchSize: null,
    kvTransfer: null,
    simulatedSeconds: duration,
    wallSeconds: info.wallSeconds,
    steps: 0,
    seed: info.seed,
  });
}

/** When the measured window opens: the `warmUp`-th completion's; −∞ without one, +∞ with fewer completions. */
function warmUpEnd(finished: readonly FinishedRequestTimes[], warmUp: number): number {
  if (warmUp === 0) return Number.NEGATIVE_INFINITY;
  if (finished.length < warmUp) return Number.POSITIVE_INFINITY;
  return finished.map((r) => r.finish).sort((a, b) => a - b)[warmUp - 1];
}

/** Reads a Prometheus counter from an endpoint's /metrics text (vLLM names), summed over its label sets. */
export function prometheusCounter(text: string, name: string): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) {
      sum += value;
      found = true;
    }
  }
  return found ? sum : undefined;
}
