// A chart point's metrics as a person reads them in the panel's and the report's detail table: "TTFT p90"
// and "189 ms", not `ttft_p90_s` and 0.1891. The keys themselves stay as they are in the CSV export.

const PERCENTILE_METRIC = /^(ttft|tbt|tpot|itl|e2e)_(p\d+)_(s|ms)$/;

/** Words for the metrics whose names are not of the `<metric>_<percentile>_<unit>` form. */
const NAMED: Record<
  string,
  { label: string; unit: 'req/s' | 'tok/s' | 'usd' | 'usd/hour' | 's' | 'count' | 'GiB' }
> = {
  goodput_req_s: { label: 'Goodput', unit: 'req/s' },
  max_rate_under_slo_req_s: { label: 'Highest rate within the SLO', unit: 'req/s' },
  // Only a search's points have these, taken where the configuration is loaded as far as the SLO allows
  // (search-chart.ts): the label says so, as the TTFT's does, so they are not read as the workload's.
  tokens_per_s_per_gpu: {
    label: 'Output tokens/s per GPU at the highest rate within the SLO',
    unit: 'tok/s',
  },
  tokens_per_s_per_user: {
    label: 'Output tokens/s per user at the highest rate within the SLO',
    unit: 'tok/s',
  },
  ttft_at_max_rate_s: { label: 'TTFT at the highest rate within the SLO', unit: 's' },
  usd_per_hour: { label: 'Cost per hour', unit: 'usd/hour' },
  usd_per_m_output_tokens: { label: 'Cost per million output tokens', unit: 'usd' },
  gpus: { label: 'GPUs', unit: 'count' },
  gpusPerReplica: { label: 'GPUs per replica', unit: 'count' },
  clusterConcurrentSequences: { label: 'Concurrent sequences (cluster)', unit: 'count' },
  clusterKvTokens: { label: 'KV cache tokens (cluster)', unit: 'count' },
  weightGiBPerGpu: { label: 'Weights per GPU', unit: 'GiB' },
  kvGiBPerGpu: { label: 'KV cache per GPU', unit: 'GiB' },
};

/** Seconds as milliseconds below 10 s (three significant figures), else as seconds. */
function durationText(seconds: number): string {
  return seconds < 10 ? `${Number((seconds * 1000).toPrecision(3))} ms` : `${seconds.toFixed(1)} s`;
}

function countText(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

/** A metric's label and its value with its unit; an unknown key keeps its name and a plain number. */
export function metricText(key: string, value: number): { label: string; text: string } {
  const percentile = PERCENTILE_METRIC.exec(key);
  if (percentile) {
    const [, metric, p, unit] = percentile;
    return {
      label: `${metric.toUpperCase()} ${p}`,
      text: durationText(unit === 'ms' ? value / 1000 : value),
    };
  }
  const named = NAMED[key];
  if (!named) return { label: key, text: Number(value.toPrecision(4)).toString() };
  switch (named.unit) {
    case 'req/s':
      return { label: named.label, text: `${value.toFixed(2)} req/s` };
    // As the CLI writes them: "1502 tok/s per GPU", "12.4 tok/s per user", "$1.58/hour", "$0.146 per
    // million output tokens".
    case 'tok/s':
      return { label: named.label, text: `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} tok/s` };
    case 'usd/hour':
      return { label: named.label, text: `$${value.toFixed(2)}` };
    case 'usd':
      return { label: named.label, text: `$${value < 10 ? value.toFixed(3) : value.toFixed(2)}` };
    case 's':
      return { label: named.label, text: durationText(value) };
    case 'GiB':
      return { label: named.label, text: `${value.toFixed(2)} GiB` };
    case 'count':
      return { label: named.label, text: countText(value) };
  }
}

/**
 * The metric rows of a point's detail table, in words: a metric that repeats one of the point's settings
 * (a capacity point's `gpus`) is left out, so no value shows twice.
 */
export function detailMetrics(point: {
  metrics: Record<string, number>;
  settings: Record<string, unknown>;
}): { key: string; label: string; text: string }[] {
  return Object.entries(point.metrics)
    .filter(([key]) => !(key in point.settings))
    .map(([key, value]) => ({ key, ...metricText(key, value) }));
}
