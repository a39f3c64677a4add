import type { ChartModel, ChartPoint, ChartSpec } from '../protocol/webview.js';
import { searchLoadText, sloTargetsText as sloInWords } from '../search/format.js';
import type { SearchResult } from '../search/run.js';
import type { SloPercentile } from '../search/schema.js';
import { paretoFront2d } from '../util/pareto.js';

const PERCENTILES: SloPercentile[] = ['p50', 'p90', 'p99'];

/**
 * A search result as the Pareto panel's chart model: TTFT against TBT at p50, p90 and p99 (one shown
 * at a time, the SLO box shaded at the SLO's percentile), and throughput per GPU against speed per user.
 * The fronts are recomputed by the chart for each percentile; the search's own fronts are at the SLO's.
 */
/**
 * The SLO box: an absent target leaves its axis unbounded (no bound rather than NaN or Infinity); with
 * neither TTFT nor TBT given (a TPOT target alone) the chart has no box, not one over the whole chart.
 */
function sloRegion(tbtSeconds: number | undefined, ttftSeconds: number | undefined, label: string) {
  if (tbtSeconds === undefined && ttftSeconds === undefined) return null;
  return {
    ...(tbtSeconds === undefined ? {} : { xMax: tbtSeconds * 1000 }),
    ...(ttftSeconds === undefined ? {} : { yMax: ttftSeconds }),
    label,
  };
}

export function searchChartModel(result: SearchResult): ChartModel {
  const slo = result.slo;
  const latencyCharts: ChartSpec[] = PERCENTILES.map((p) => ({
    id: `latency-${p}`,
    title: `TTFT ${p} against TBT ${p}`,
    group: 'latency',
    variant: p,
    shownFirst: p === slo.percentile,
    x: { metric: `tbt_${p}_ms`, label: `TBT ${p}`, unit: 'ms', scale: 'log', better: 'lower' },
    y: { metric: `ttft_${p}_s`, label: `TTFT ${p}`, unit: 's', scale: 'log', better: 'lower' },
    // The box is the SLO itself only in its percentile form; per-request targets bound no percentile.
    region:
      slo.form === 'percentile' && p === slo.percentile ? sloRegion(slo.tbt, slo.ttft, `SLO (${p})`) : null,
  }));
  const throughputChart: ChartSpec = {
    id: 'throughput',
    title: 'Throughput per GPU against speed per user, at the highest rate within the SLOs',
    group: 'throughput',
    x: {
      metric: 'tokens_per_s_per_user',
      label: 'Speed per user',
      unit: 'tok/s',
      scale: 'linear',
      better: 'higher',
    },
    y: {
      metric: 'tokens_per_s_per_gpu',
      label: 'Throughput per GPU',
      unit: 'tok/s',
      scale: 'linear',
      better: 'higher',
    },
    region: null,
  };
  const costChart: ChartSpec | null = result.price
    ? {
        id: 'cost',
        title: `Cost per million output tokens against TTFT ${slo.percentile}, at the highest rate within the SLO`,
        group: 'cost',
        x: {
          metric: 'ttft_at_max_rate_s',
          label: `TTFT ${slo.percentile}`,
          unit: 's',
          scale: 'log',
          better: 'lower',
        },
        y: {
          metric: 'usd_per_m_output_tokens',
          label: 'Cost per million output tokens',
          unit: '$',
          scale: 'log',
          better: 'lower',
        },
        region: null,
      }
    : null;
  const { latencyFronts, throughputFront } = fronts(result);
  const costFront = costFrontOf(result);
  const points: ChartPoint[] = result.configurations.map((c) => {
    const m = c.metrics;
    const metrics: Record<string, number> = { goodput_req_s: m.goodput, gpus: c.gpus };
    // Throughput and speed where the configuration is loaded as far as the SLOs allow; configurations
    // that never meet them have no such point and stay off that chart.
    if (c.metricsAtMaxRate) {
      metrics.tokens_per_s_per_gpu = c.metricsAtMaxRate.throughputPerGpu;
      metrics.tokens_per_s_per_user = c.metricsAtMaxRate.speedPerUser;
      metrics.ttft_at_max_rate_s = c.metricsAtMaxRate.ttft[slo.percentile];
    }
    if (c.cost) {
      metrics.usd_per_hour = c.cost.usdPerHour;
      if (c.cost.usdPerMillionOutputTokens !== null)
        metrics.usd_per_m_output_tokens = c.cost.usdPerMillionOutputTokens;
    }
    // A configuration that could not serve the workload has no latencies (zeros would sink a log axis).
    for (const p of m.stable ? PERCENTILES : []) {
      metrics[`ttft_${p}_s`] = m.ttft[p];
      metrics[`tbt_${p}_ms`] = m.tbt[p] * 1000;
    }
    if (c.maxRateUnderSlo !== null) metrics.max_rate_under_slo_req_s = c.maxRateUnderSlo;
    const settings: Record<string, string | number | boolean> = {};
    for (const server of c.settings?.servers ?? []) {
      settings[server.role === 'server' ? 'command' : `${server.role} command`] = server.commandLine;
      settings[server.role === 'server' ? 'replicas' : `${server.role} replicas`] = server.replicas;
    }
    if (!c.settings) settings.configuration = c.label;
    return {
      id: c.id,
      label: c.label,
      metrics,
      fronts: [
        ...PERCENTILES.filter((p) => latencyFronts[p].has(c.id)).map((p) => `latency-${p}`),
        ...(throughputFront.has(c.id) ? ['throughput'] : []),
        ...(costFront.has(c.id) ? ['cost'] : []),
      ],
      feasible: c.meetsSlo,
      settings,
      notes: c.meetsSlo
        ? []
        : [`misses the SLOs ${searchLoadText(result.workload)} (margin ${(c.sloMargin * 100).toFixed(0)}%)`],
    };
  });
  return {
    kind: 'search',
    title: `${result.modelName} on ${result.gpus}× ${result.hardware} (${result.engine})`,
    subtitle: `${result.workload.requests} requests of ${result.workload.source} ${searchLoadText(result.workload)}; SLO: ${sloInWords(slo)}`,
    charts: [...latencyCharts, throughputChart, ...(costChart ? [costChart] : [])],
    points,
    bestId: result.best,
    bestRule: 'meets the SLOs and sustains the highest request rate under them',
    createdAt: new Date().toISOString(),
    partial: false,
    engine: { name: result.engine, behaviour: result.engineBehaviour ?? [] },
  };
}

/** Latency fronts at each percentile (the search computed only the SLO's), and the throughput front. */
function fronts(result: SearchResult) {
  const latencyFronts = {} as Record<SloPercentile, Set<string>>;
  for (const p of PERCENTILES) {
    if (p === result.slo.percentile) {
      latencyFronts[p] = new Set(result.fronts.latency);
      continue;
    }
    const cs = result.configurations;
    const members = new Set(
      paretoFront2d(
        cs.map((c) =>
          c.metrics.stable
            ? ([c.metrics.tbt[p], c.metrics.ttft[p]] as const)
            : ([Number.NaN, Number.NaN] as const),
        ),
        ['min', 'min'],
      ).map((i) => cs[i].id),
    );
    latencyFronts[p] = members;
  }
  return { latencyFronts, throughputFront: new Set(result.fronts.throughput) };
}

/** Cost per million output tokens against TTFT, both at the highest rate within the SLO: the lower-left front. */
function costFrontOf(result: SearchResult): Set<string> {
  const p = result.slo.percentile;
  const costed = result.configurations.filter(
    (c) => c.cost?.usdPerMillionOutputTokens != null && c.metricsAtMaxRate,
  );
  return new Set(
    paretoFront2d(
      costed.map((c) => [c.metricsAtMaxRate!.ttft[p], c.cost!.usdPerMillionOutputTokens!] as const),
      ['min', 'min'],
    ).map((i) => costed[i].id),
  );
}
