import { hasSloTargets, requestMeetsSlo, type SloDefinition } from '../workload/slo-verdict.js';
import { summarize } from './metrics.js';
import type { MetricSummary } from './summary.js';

/**
 * One finished request's times, seconds on one clock, simulated or measured. `firstScheduled` is
 * negative when unknown (a measured endpoint does not say when it first scheduled a request).
 */
export interface FinishedRequestTimes {
  arrival: number;
  firstScheduled: number;
  firstToken: number;
  /** Time of the last token. */
  finish: number;
  promptTokens: number;
  outputTokens: number;
  /** The request's largest gap between two consecutive tokens. */
  maxGap: number;
  /** Gaps between its tokens longer than the SLO's `tbt` target (0 without one). */
  gapsOverTbt: number;
}

interface RequestMetrics {
  completed: number;
  inputTokens: number;
  outputTokens: number;
  ttft: MetricSummary | null;
  tpot: MetricSummary | null;
  e2e: MetricSummary | null;
  queueing: MetricSummary | null;
  /** Requests meeting every SLO given (0 when none is given). */
  good: number;
  hasSlo: boolean;
}

/**
 * The per-request metrics of a run with vLLM's benchmark definitions, shared by the simulator and the
 * load generator so a prediction and a measurement are computed by the same code: TTFT = first token −
 * arrival; TPOT = (E2E − TTFT) / (output − 1) over requests with more than one output token; E2E = last
 * token − arrival; queueing = first scheduled − arrival (where known). Goodput counts the requests that
 * meet every target given.
 */
export function requestMetrics(
  requests: readonly FinishedRequestTimes[],
  slo: SloDefinition,
): RequestMetrics {
  const completed = requests.length;
  const ttft = new Float64Array(completed);
  const e2e = new Float64Array(completed);
  let tpotCount = 0;
  let queueCount = 0;
  for (const r of requests) {
    if (r.outputTokens > 1) tpotCount++;
    if (r.firstScheduled >= 0) queueCount++;
  }
  const tpot = new Float64Array(tpotCount);
  const queueing = new Float64Array(queueCount);
  const hasSlo = hasSloTargets(slo);
  let inputTokens = 0;
  let outputTokens = 0;
  let good = 0;
  let i = 0;
  let j = 0;
  let q = 0;
  for (const r of requests) {
    const first = r.firstToken - r.arrival;
    const total = r.finish - r.arrival;
    ttft[i] = first;
    e2e[i] = total;
    i++;
    if (r.firstScheduled >= 0) queueing[q++] = r.firstScheduled - r.arrival;
    let perToken = 0;
    if (r.outputTokens > 1) {
      perToken = (total - first) / (r.outputTokens - 1);
      tpot[j++] = perToken;
    }
    inputTokens += r.promptTokens;
    outputTokens += r.outputTokens;
    const latencies = {
      ttft: first,
      tpot: perToken,
      e2e: total,
      maxGap: r.maxGap,
      gaps: Math.max(0, r.outputTokens - 1),
      gapsOverTbt: r.gapsOverTbt,
    };
    if (hasSlo && requestMeetsSlo(slo, latencies)) good++;
  }
  return {
    completed,
    inputTokens,
    outputTokens,
    ttft: summarize(ttft),
    tpot: summarize(tpot),
    e2e: summarize(e2e),
    queueing: summarize(queueing),
    good,
    hasSlo,
  };
}

/** Throughput over a run of `duration` seconds on `gpus` GPUs. */
export function throughputOf(m: RequestMetrics, duration: number, gpus: number) {
  const per = (x: number) => (duration > 0 ? x / duration : 0);
  const g = Math.max(1, gpus);
  return {
    requestsPerSecond: per(m.completed),
    inputTokensPerSecond: per(m.inputTokens),
    outputTokensPerSecond: per(m.outputTokens),
    totalTokensPerSecond: per(m.inputTokens + m.outputTokens),
    requestsPerSecondPerGpu: per(m.completed) / g,
    outputTokensPerSecondPerGpu: per(m.outputTokens) / g,
  };
}

export function goodputOf(m: RequestMetrics, slo: SloDefinition, duration: number) {
  if (!m.hasSlo) return null;
  return {
    slo,
    requestsPerSecond: duration > 0 ? m.good / duration : 0,
    fraction: m.completed > 0 ? m.good / m.completed : 0,
  };
}
