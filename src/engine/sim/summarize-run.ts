import type { SloDefinition } from '../workload/slo-verdict.js';
import { type BucketedSeries, type GapHistogram, summarize } from './metrics.js';
import type { ResolvedSchedulers } from './pools.js';
import type { SimRequest } from './replica.js';
import { type FinishedRequestTimes, goodputOf, requestMetrics, throughputOf } from './request-metrics.js';
import { RunSummary } from './summary.js';

/** What a run was, as its summary records it, before it ran. */
export type RunBase = Pick<
  RunSummary,
  'schemaVersion' | 'kind' | 'label' | 'model' | 'hardware' | 'gpus' | 'config' | 'seed' | 'load'
>;

/** What the summary takes from outside the run: what it was, its targets, when its wall clock started. */
export interface RunRecord {
  base: RunBase;
  resolvedSchedulers: ResolvedSchedulers;
  gpus: number;
  slo: SloDefinition;
  /** `performance.now()` when the call began. */
  wallStart: number;
}

/** What the run counted while it ran. */
export interface RunTotals {
  failed: number;
  cachedPrompt: number;
  itl: GapHistogram;
  kvSeries: BucketedSeries;
  batchSeries: BucketedSeries;
  steps: number;
  startTime: number;
  /** When the measured window opened after a warm-up (−∞: none, +∞: the warm-up never ended). */
  measuredFrom: number;
  endTime: number;
  prefixCaching: boolean;
  preemptions: number;
  disaggregated: boolean;
}

/**
 * A run's summary from its requests (in arrival order) and totals. `seen`: the finished requests'
 * times as the client saw them (`ClientRun.seen`); null: the engine's own. After a warm-up, the
 * latencies, tokens, throughput and goodput cover the requests finished after it, over the time from
 * its end; the counts of requests, the ITL (gaps ending after it apart), the series, steps,
 * preemptions and prefix-cache hits cover the whole run.
 */
export function summarizeRun(
  requests: SimRequest[],
  t: RunTotals,
  record: RunRecord,
  seen: ((finished: readonly FinishedRequestTimes[]) => readonly FinishedRequestTimes[]) | null,
): RunSummary {
  const finished = requests.filter((r) => r.finish >= 0);
  const completed = finished.length;
  const transfers = new Float64Array(t.disaggregated ? completed : 0);
  if (t.disaggregated)
    finished.forEach((r, i) => {
      transfers[i] = r.kvTransferSeconds;
    });
  const warmedUp = t.measuredFrom > Number.NEGATIVE_INFINITY;
  const measured = warmedUp ? finished.filter((r) => r.finish > t.measuredFrom) : finished;
  const m = requestMetrics(seen ? seen(measured) : measured, record.slo);
  const never = requests.length - completed - t.failed;
  const duration = Math.max(0, t.endTime - Math.max(t.startTime, t.measuredFrom));
  const queriedTokens = warmedUp ? finished.reduce((sum, r) => sum + r.promptTokens, 0) : m.inputTokens;
  return RunSummary.parse({
    ...record.base,
    resolvedSchedulers: record.resolvedSchedulers,
    feasible: true,
    problems: never > 0 ? [`${never} requests were never served (they could not be admitted)`] : [],
    requests: { total: requests.length, completed, failed: t.failed + never },
    tokens: { input: m.inputTokens, output: m.outputTokens, cachedPrompt: t.cachedPrompt },
    ttft: m.ttft,
    tpot: m.tpot,
    itl: t.itl.summary(),
    e2e: m.e2e,
    queueing: m.queueing,
    throughput: throughputOf(m, duration, record.gpus),
    goodput: goodputOf(m, record.slo, duration),
    preemptions: t.preemptions,
    prefixCache: t.prefixCaching
      ? {
          hitTokens: t.cachedPrompt,
          queriedTokens,
          hitRate: queriedTokens > 0 ? t.cachedPrompt / queriedTokens : 0,
        }
      : null,
    kvUtilization: t.kvSeries.result(),
    batchSize: t.batchSeries.result(),
    kvTransfer: t.disaggregated ? summarize(transfers) : null,
    simulatedSeconds: duration,
    wallSeconds: (performance.now() - record.wallStart) / 1000,
    steps: t.steps,
  });
}

/** The summary of a deployment that cannot serve (`problems` say why): nothing simulated. */
export function infeasibleSummary(
  record: Omit<RunRecord, 'gpus' | 'slo'>,
  problems: string[],
  totalRequests: number,
): RunSummary {
  return RunSummary.parse({
    ...record.base,
    resolvedSchedulers: record.resolvedSchedulers,
    feasible: false,
    problems,
    requests: { total: totalRequests, completed: 0, failed: 0 },
    tokens: { input: 0, output: 0, cachedPrompt: 0 },
    ttft: null,
    tpot: null,
    itl: null,
    e2e: null,
    queueing: null,
    throughput: {
      requestsPerSecond: 0,
      inputTokensPerSecond: 0,
      outputTokensPerSecond: 0,
      totalTokensPerSecond: 0,
      requestsPerSecondPerGpu: 0,
      outputTokensPerSecondPerGpu: 0,
    },
    goodput: null,
    preemptions: 0,
    prefixCache: null,
    kvUtilization: null,
    batchSize: null,
    kvTransfer: null,
    simulatedSeconds: 0,
    wallSeconds: (performance.now() - record.wallStart) / 1000,
    steps: 0,
  });
}
