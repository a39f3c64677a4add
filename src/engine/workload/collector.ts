import { ServeTuneError } from '../util/errors.js';
import { MAX_ARRIVAL_SPAN_SECONDS } from './limits.js';
import { DEFAULT_HASH_BLOCK_TOKENS, type Workload, type WorkloadRequest } from './types.js';

function days(seconds: number): string {
  return `${(seconds / 86400).toLocaleString('en-US', { maximumFractionDigits: 1 })} days`;
}

/**
 * Gathers the requests a trace reader parses, line by line, and turns them into a workload: sorted by
 * arrival, times from the first request, and checked that there is something to replay over a span a
 * simulation can resolve.
 */
export class TraceCollector {
  readonly requests: WorkloadRequest[] = [];
  /** Non-blank lines read, header included. */
  lines = 0;
  /** Data rows left out on purpose (BurstGPT's failed requests), and why. */
  skipped = 0;
  skipReason = '';
  private earliest = { arrival: Number.POSITIVE_INFINITY, line: 0 };
  private latest = { arrival: Number.NEGATIVE_INFINITY, line: 0 };
  private readonly models = new Map<string, string>();

  constructor(readonly file: string) {}

  add(request: WorkloadRequest, line: number): void {
    if (request.arrival < this.earliest.arrival) this.earliest = { arrival: request.arrival, line };
    if (request.arrival > this.latest.arrival) this.latest = { arrival: request.arrival, line };
    this.requests.push(request);
  }

  /** One string per model name, however many rows name it. */
  model(name: string): string {
    let interned = this.models.get(name);
    if (interned === undefined) {
      interned = name;
      this.models.set(name, name);
    }
    return interned;
  }

  workload(): Workload {
    const { file, requests } = this;
    if (requests.length === 0) throw this.emptyError();
    const span = this.latest.arrival - this.earliest.arrival;
    if (!(span <= MAX_ARRIVAL_SPAN_SECONDS)) {
      throw new ServeTuneError(
        `${file}:${this.latest.line}: arrivals span ${days(span)} (line ${this.earliest.line} to line ${this.latest.line}), more than the ${days(MAX_ARRIVAL_SPAN_SECONDS)} a trace may cover; check the timestamps' unit`,
        'invalid-config',
        `${file}:${this.latest.line}`,
      );
    }
    let sorted = true;
    for (let i = 1; i < requests.length && sorted; i++)
      sorted = requests[i - 1].arrival <= requests[i].arrival;
    // Array sort is stable: requests arriving at the same time keep the file's order.
    if (!sorted) requests.sort((a, b) => a.arrival - b.arrival);
    const start = requests[0].arrival;
    for (const r of requests) r.arrival -= start;
    return { source: file, requests, hashBlockTokens: DEFAULT_HASH_BLOCK_TOKENS };
  }

  private emptyError(): ServeTuneError {
    const { file } = this;
    const why =
      this.lines === 0
        ? 'the file is empty'
        : this.skipped > 0
          ? `the trace has no requests to replay: all ${this.skipped.toLocaleString('en-US')} rows ${this.skipReason}`
          : 'the trace has no requests (nothing after its header)';
    return new ServeTuneError(`${file}: ${why}`, 'invalid-config', file);
  }
}
