import type { EngineStats, FinishReason } from './engine.js';

const LATENCY_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
];

class Histogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private sum = 0;
  private count = 0;

  observe(value: number): void {
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (value <= LATENCY_BUCKETS[i]) this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  render(name: string, help: string, labels: string): string[] {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    LATENCY_BUCKETS.forEach((bound, i) => {
      lines.push(`${name}_bucket{${labels},le="${bound}"} ${this.counts[i]}`);
    });
    lines.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`);
    lines.push(`${name}_sum{${labels}} ${this.sum}`);
    lines.push(`${name}_count{${labels}} ${this.count}`);
    return lines;
  }
}

/**
 * Server metrics in Prometheus text format, under vLLM's metric names so existing dashboards and
 * scrapers work against the reference server unchanged.
 */
export class ServerMetrics {
  private promptTokens = 0;
  private generationTokens = 0;
  private readonly finished = new Map<FinishReason, number>();
  private readonly ttft = new Histogram();
  private readonly itl = new Histogram();
  private readonly e2e = new Histogram();

  constructor(private readonly modelName: string) {}

  requestStarted(promptTokens: number): void {
    this.promptTokens += promptTokens;
  }

  tokenEmitted(secondsSincePrevious: number, first: boolean): void {
    this.generationTokens++;
    if (first) this.ttft.observe(secondsSincePrevious);
    else this.itl.observe(secondsSincePrevious);
  }

  requestFinished(reason: FinishReason, e2eSeconds: number): void {
    this.finished.set(reason, (this.finished.get(reason) ?? 0) + 1);
    if (reason === 'stop' || reason === 'length') this.e2e.observe(e2eSeconds);
  }

  render(stats: EngineStats): string {
    const labels = `model_name="${this.modelName.replace(/"/g, '\\"')}"`;
    const gauge = (name: string, help: string, value: number) => [
      `# HELP ${name} ${help}`,
      `# TYPE ${name} gauge`,
      `${name}{${labels}} ${value}`,
    ];
    const counter = (name: string, help: string, value: number) => [
      `# HELP ${name} ${help}`,
      `# TYPE ${name} counter`,
      `${name}{${labels}} ${value}`,
    ];
    const lines = [
      ...gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', stats.running),
      ...gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', stats.waiting),
      ...gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', stats.kvCacheUsage),
      ...counter('vllm:num_preemptions_total', 'Cumulative number of preemptions.', stats.preemptions),
      ...counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.', this.promptTokens),
      ...counter(
        'vllm:generation_tokens_total',
        'Number of generation tokens processed.',
        this.generationTokens,
      ),
      '# HELP vllm:request_success_total Count of successfully processed requests.',
      '# TYPE vllm:request_success_total counter',
      ...(['stop', 'length', 'abort'] as const).map(
        (reason) =>
          `vllm:request_success_total{${labels},finished_reason="${reason}"} ${this.finished.get(reason) ?? 0}`,
      ),
      ...this.ttft.render(
        'vllm:time_to_first_token_seconds',
        'Histogram of time to first token in seconds.',
        labels,
      ),
      ...this.itl.render(
        'vllm:inter_token_latency_seconds',
        'Histogram of inter-token latency in seconds.',
        labels,
      ),
      ...this.e2e.render(
        'vllm:e2e_request_latency_seconds',
        'Histogram of end to end request latency in seconds.',
        labels,
      ),
    ];
    return `${lines.join('\n')}\n`;
  }
}
