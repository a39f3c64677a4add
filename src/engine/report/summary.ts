import { priceText } from '../search/cost.js';
import { ENERGY_BASIS } from '../search/energy.js';
import { searchLoadText, sloTargetsText, targetLatenciesText } from '../search/format.js';
import { DEFAULT_RATE_SEARCH } from '../search/rate.js';
import type { SearchConfiguration, SearchResult } from '../search/run.js';

/** The top of a search report, in sentences a person reads (plain text; the caller escapes it). */
export interface ReportSummary {
  /** The answer in one sentence. */
  answer: string;
  /** The workload in one line. */
  workload: string;
  /** The SLO in the words of its definition. */
  slo: string;
  /** How each number was obtained. */
  method: string[];
}

const usd = (x: number, digits = 2) => `$${x.toFixed(digits)}`;

function answerOf(result: SearchResult, best: SearchConfiguration | undefined): string {
  const on = `${result.gpus}× ${result.hardware}`;
  if (!best) {
    return result.configurations.length === 0
      ? `No configuration of ${result.modelName} fits on ${on}.`
      : `No configuration of ${result.modelName} on ${on} meets the SLO ${searchLoadText(result.workload)}; the closest are listed below.`;
  }
  const m = best.metricsAtMaxRate ?? best.metrics;
  const cost = best.cost
    ? `, costing ${usd(best.cost.usdPerHour)}/hour${best.cost.usdPerMillionOutputTokens === null ? '' : ` (${usd(best.cost.usdPerMillionOutputTokens, 3)} per million output tokens)`}`
    : '';
  const serves =
    best.metrics.concurrency === undefined
      ? `sustains up to ${best.maxRateUnderSlo?.toFixed(2)} req/s within the SLO`
      : `serves ${best.maxRateUnderSlo?.toFixed(2)} req/s with ${best.metrics.concurrency} clients within the SLO`;
  const joules = best.energy?.joulesPerOutputToken;
  const energy =
    joules == null ? '' : `; about ${joules.toPrecision(2)} J per output token (an estimate at TDP)`;
  return `Run ${result.modelName} on ${on} as ${best.label}: it ${serves} (${targetLatenciesText(m, result.slo)}, ${(m.attainment * 100).toFixed(1)}% of requests within every target)${cost}${energy}.`;
}

/** The report's summary: the answer, the workload, the SLO, and how the numbers were obtained. */
export function reportSummary(result: SearchResult): ReportSummary {
  const best = result.configurations.find((c) => c.best);
  const w = result.workload;
  const precision = `${(DEFAULT_RATE_SEARCH.precision * 100).toFixed(0)}%`;
  return {
    answer: answerOf(result, best),
    workload: `${w.requests} requests of ${w.source} ${searchLoadText(w)}, longest request ${w.maxSequenceTokens} tokens; served with ${result.engine}.`,
    slo: sloTargetsText(result.slo),
    method: [
      `Every configuration was simulated (discrete-event, step times from the roofline model${result.calibrated ? ' calibrated with a measured profile' : ''}) on the same ${w.requests} requests, repeated to at least a minute of arrivals; one replica is simulated on its round-robin share.`,
      `Latencies are percentiles over requests (TBT: over every gap between tokens); "within every target" is the share of requests whose own TTFT, TPOT, token gaps and E2E each meet the SLO's targets.`,
      `The highest rate within the SLO doubles or halves the rate until the verdict flips, then bisects to ${precision}.`,
      result.price
        ? `Costs: ${priceText(result.price)} × GPUs; per million tokens at the highest rate within the SLO.`
        : `No price is listed for ${result.hardware}: pass --price ${result.hardware}=<US dollars per GPU-hour> for costs.`,
      `Energy per output token: ${ENERGY_BASIS}.`,
    ],
  };
}
