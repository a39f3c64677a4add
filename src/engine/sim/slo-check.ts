import {
  type RunLatencies,
  type SloDefinition,
  type SloVerdict,
  sloVerdict,
} from '../workload/slo-verdict.js';
import type { MetricSummary, RunSummary } from './summary.js';

const ZERO = { p50: 0, p90: 0, p99: 0 };
const percentiles = (m: MetricSummary | null) => (m ? { p50: m.p50, p90: m.p90, p99: m.p99 } : ZERO);

/** What the SLO evaluator reads of a run's summary (simulated or measured). */
export function runLatencies(summary: RunSummary): RunLatencies {
  return {
    stable: summary.feasible && summary.requests.failed === 0 && summary.requests.completed > 0,
    attainment: summary.goodput?.fraction ?? 0,
    ttft: percentiles(summary.ttft),
    tbt: percentiles(summary.itl),
    tpot: percentiles(summary.tpot),
    e2e: percentiles(summary.e2e),
  };
}

/** Whether a run meets the SLO its goodput was counted against (`sloVerdict`); null without targets. */
export function summarySloVerdict(summary: RunSummary): (SloVerdict & { slo: SloDefinition }) | null {
  if (!summary.goodput) return null;
  return { ...sloVerdict(summary.goodput.slo, runLatencies(summary)), slo: summary.goodput.slo };
}
