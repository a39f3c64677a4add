import type { SimulationConfig } from '../sim/config.js';
import { GapHistogram } from '../sim/metrics.js';
import {
  type FinishedRequestTimes,
  goodputOf,
  requestMetrics,
  throughputOf,
} from '../sim/request-metrics.js';
import { RunSummary } from '../sim/summary.js';
import type { SloTargets } from '../workload/slo.js';
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
  /** Requests in the workload (sent or not). */
  planned: number;
  slo: SloTargets;
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
 */
export function measuredSummary(measured: readonly MeasuredRequest[], info: MeasuredRunInfo): RunSummary {
  const finished: FinishedRequestTimes[] = [];
  const itl = new GapHistogram();
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const m of measured) {
    start = Math.min(start, m.sentAt);
    end = Math.max(end, m.finishedAt);
    if (!isCompleted(m)) continue;
    let maxGap = 0;
    for (let i = 1; i < m.tokenTimes.length; i++) {
      const gap = m.tokenTimes[i] - m.tokenTimes[i - 1];
      itl.add(gap);
      if (gap > maxGap) maxGap = gap;
    }
    finished.push({
      arrival: m.sentAt,
      firstScheduled: -1,
      firstToken: m.tokenTimes[0],
      finish: m.tokenTimes[m.tokenTimes.length - 1],
      promptTokens: m.promptTokens,
      outputTokens: m.outputTokens,
      maxGap,
    });
  }
  const metrics = requestMetrics(finished, info.slo);
  const duration = measured.length > 0 ? Math.max(0, end - start) : 0;
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
    feasible: true,
    problems: runProblems(measured, info.planned, info.fitted),
    requests: {
      total: info.planned,
      completed: metrics.completed,
      failed: info.planned - metrics.completed,
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
