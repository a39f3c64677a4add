import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detailMetrics, metricText } from '../../../../src/engine/chart/metric-text.js';

describe('chart metrics in words', () => {
  it('percentile latencies read as their metric and percentile, in ms below 10 s', () => {
    assert.deepEqual(metricText('ttft_p90_s', 0.1891), { label: 'TTFT p90', text: '189 ms' });
    assert.deepEqual(metricText('tbt_p99_ms', 82.22), { label: 'TBT p99', text: '82.2 ms' });
    assert.deepEqual(metricText('ttft_p50_s', 12.34), { label: 'TTFT p50', text: '12.3 s' });
  });

  it('rates, costs, counts and memory carry their units', () => {
    assert.deepEqual(metricText('goodput_req_s', 4.525), { label: 'Goodput', text: '4.53 req/s' });
    assert.deepEqual(metricText('usd_per_hour', 21.52), { label: 'Cost per hour', text: '$21.52' });
    // Dollars per hour in cents, as the CLI and the dashboard write them (not "$1.850").
    assert.deepEqual(metricText('usd_per_hour', 1.85), { label: 'Cost per hour', text: '$1.85' });
    // Tokens/s as the CLI writes them: whole above 100 (not "1502.0"), one decimal below.
    assert.deepEqual(metricText('tokens_per_s_per_gpu', 1502.04), {
      label: 'Output tokens/s per GPU at the highest rate within the SLO',
      text: '1502 tok/s',
    });
    assert.equal(metricText('tokens_per_s_per_user', 12.43).text, '12.4 tok/s');
    assert.deepEqual(metricText('usd_per_m_output_tokens', 2.261), {
      label: 'Cost per million output tokens',
      text: '$2.261',
    });
    assert.deepEqual(metricText('clusterKvTokens', 2151184), {
      label: 'KV cache tokens (cluster)',
      text: '2,151,184',
    });
    assert.deepEqual(metricText('kvGiBPerGpu', 65.654), { label: 'KV cache per GPU', text: '65.65 GiB' });
  });

  it('a point’s detail rows leave out a metric that repeats one of its settings', () => {
    const rows = detailMetrics({
      metrics: { ttft_p90_s: 0.0442, usd_per_hour: 1.85, gpus: 1 },
      settings: { hardware: 'mi300x', gpus: 1, configuration: 'TP1' },
    });
    assert.deepEqual(
      rows.map((r) => [r.label, r.text]),
      [
        ['TTFT p90', '44.2 ms'],
        ['Cost per hour', '$1.85'],
      ],
    );
  });

  it('an unknown metric keeps its key and a plain number', () => {
    assert.deepEqual(metricText('something_new', 1.23456), { label: 'something_new', text: '1.235' });
  });
});
