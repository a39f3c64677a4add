import type { SloTargets } from '../workload/slo.js';
import type { SloDefinition } from '../workload/slo-verdict.js';
import { type BucketedSeries, type GapHistogram, summarize } from './metrics.js';
import type { ResolvedSchedulers } from './pools.js';
import type { SimRequest } from './replica.js';
import { type FinishedRequestTimes, goodputOf, requestMetrics, throughputOf } from './request-metrics.js';
import { type ClassSummary, RunSummary } from './summary.js';

/** What a run was, as its summary records it, before it ran. */
export type RunBase = Pick<
  RunSummary,
  | 'schemaVersion'
  | 'kind'
  | 'label'
  | 'model'
  | 'hardware'
  | 'gpus'
  | 'config'
  | 'calibrationFile'
  | 'seed'
  | 'load'
>;

/** What the summary takes from outside the run: what it was, its targets, when its wall clock started. */
export interface RunRecord {
  base: RunBase;
  resolvedSchedulers: ResolvedSchedulers;
  gpus: number;
  slo: SloDefinition;
  /** Classes' own targets (`Workload.classSlos`), by class name. */
  classSlos?: Record<string, SloTargets>;
  /** `performance.now()` when the call began. */
  wallStart: number;
  /** Seconds a front end adds to every request's tokens as its client sees them (`Calibration.frontEndSeconds`). */
  frontEndSeconds?: number;
}

/** The requests as a client behind a front end of constant latency sees them: every token `delay` later. */
function behindFrontEnd(
  finished: readonly FinishedRequestTimes[],
  delay: number,
): readonly FinishedRequestTimes[] {
  return finished.map((r) => ({ ...r, firstToken: r.firstToken + delay, finish: r.finish + delay }));
}

/** What the run counted while it ran. */
export interface RunTotals {
  failed: number;
  cachedPrompt: number;
  itl: GapHistogram;
  kvSeries: BucketedSeries;
  kvCachedSeries: BucketedSeries;
  batchSeries: BucketedSeries;
  steps: number;
  startTime: number;
  /** When the measured window opened after a warm-up (−∞: none, +∞: the warm-up never ended). */
  measuredFrom: number;
  endTime: number;
  prefixCaching: boolean;
  preemptions: number;
  /** Prompt tokens loaded from a host KV tier (KV offload); 0 without one. */
  hostHitTokens: number;
  disaggregated: boolean;
  /** Speculative decoding's counts, where a pool ran it. */
  speculation?: RunSummary['speculation'];
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
  const asSeen = seen ? seen(measured) : measured;
  const frontEnd = record.frontEndSeconds ?? 0;
  const m = requestMetrics(frontEnd > 0 ? behindFrontEnd(asSeen, frontEnd) : asSeen, record.slo);
  const classes = seen ? [] : classSummaries(requests, measured, record.slo, record.classSlos);
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
          ...(t.hostHitTokens > 0 ? { hostHitTokens: t.hostHitTokens } : {}),
        }
      : null,
    kvUtilization: t.kvSeries.result(),
    kvCached: t.kvCachedSeries.result(),
    batchSize: t.batchSeries.result(),
    ...(t.speculation ? { speculation: t.speculation } : {}),
    kvTransfer: t.disaggregated ? summarize(transfers) : null,
    ...(classes.length > 0 ? { classes } : {}),
    simulatedSeconds: duration,
    wallSeconds: (performance.now() - record.wallStart) / 1000,
    steps: t.steps,
  });
}

/** Per class, in order of first arrival: none where no request has a class. */
function classSummaries(
  requests: readonly SimRequest[],
  measured: readonly SimRequest[],
  runSlo: SloDefinition,
  classSlos: Record<string, SloTargets> = {},
): ClassSummary[] {
  const totals = new Map<string, number>();
  for (const r of requests)
    if (r.className !== undefined) totals.set(r.className, (totals.get(r.className) ?? 0) + 1);
  return [...totals].map(([name, total]): ClassSummary => {
    const own = classSlos[name];
    // A class's own targets, judged in the run's form (attainment, percentiles, gap statistic).
    const { form, attainment, percentile, gap } = runSlo;
    const slo: SloDefinition = own ? { form, attainment, percentile, gap, ...own } : runSlo;
    const m = requestMetrics(
      measured.filter((r) => r.className === name),
      slo,
    );
    return {
      name,
      requests: total,
      completed: m.completed,
      ttft: m.ttft,
      tpot: m.tpot,
      e2e: m.e2e,
      queueing: m.queueing,
      ...(own ? { slo: own } : {}),
      sloAttainment: m.hasSlo && m.completed > 0 ? m.good / m.completed : null,
    };
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
    kvCached: null,
    batchSize: null,
    kvTransfer: null,
    simulatedSeconds: 0,
    wallSeconds: (performance.now() - record.wallStart) / 1000,
    steps: 0,
  });
}
