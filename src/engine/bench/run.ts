import { performance } from 'node:perf_hooks';
import type { SimulationConfig, Slo } from '../sim/config.js';
import type { RunSummary } from '../sim/summary.js';
import type { Workload } from '../workload/types.js';
import { type LoadMode, type LoadRequest, runLoad } from './load.js';
import { measuredSummary, prometheusCounter } from './summary.js';

export interface BenchOptions {
  url: string;
  servedModel: string;
  endpoint?: 'completions' | 'chat';
  headers?: Record<string, string>;
  workload: Workload;
  /** How the workload was obtained (recorded so a fit can regenerate it). */
  workloadOrigin: { source: string; seed: number; rate?: number; count?: number };
  mode: LoadMode;
  maxRequests: number;
  maxSeconds: number;
  timeoutSeconds: number;
  slo: Slo;
  seed: number;
  /** Prompt token ids are drawn from this range; default [3, 250): inside every vocabulary, past special ids. */
  tokenIdRange?: readonly [number, number];
  /** What ran behind the endpoint, where known. */
  model?: string;
  hardware?: string;
  gpus?: number;
  config?: SimulationConfig;
  onProgress?: (done: number, total: number) => void;
  /** Stops the replay early (see LoadOptions.signal); the summary then covers what was sent. */
  signal?: AbortSignal;
}

/** Prompt token ids drawn from [low, high): clear of the special ids, inside any small vocabulary. */
export const DEFAULT_TOKEN_ID_RANGE: readonly [number, number] = [3, 250];

async function scrapePreemptions(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    return prometheusCounter(await res.text(), 'vllm:num_preemptions_total');
  } catch {
    return undefined;
  }
}

/** Replays a workload against an OpenAI-compatible endpoint and summarizes it as a measured RunSummary. */
export async function runBench(options: BenchOptions): Promise<RunSummary> {
  const started = performance.now();
  const requests: LoadRequest[] = options.workload.requests.slice(0, options.maxRequests).map((r) => ({
    arrival: r.arrival,
    promptTokens: Math.max(1, Math.round(r.promptTokens)),
    outputTokens: Math.max(1, Math.round(r.outputTokens)),
  }));
  const before = await scrapePreemptions(options.url);
  const measured = await runLoad(
    {
      url: options.url,
      model: options.servedModel,
      endpoint: options.endpoint ?? 'completions',
      headers: options.headers,
    },
    requests,
    {
      mode: options.mode,
      maxRequests: options.maxRequests,
      maxWallSeconds: options.maxSeconds,
      timeoutSeconds: options.timeoutSeconds,
      seed: options.seed,
      tokenIdRange: options.tokenIdRange ?? DEFAULT_TOKEN_ID_RANGE,
      onProgress: options.onProgress,
      signal: options.signal,
    },
  );
  const after = before === undefined ? undefined : await scrapePreemptions(options.url);
  const mode = options.mode;
  return measuredSummary(measured, {
    label: `${options.servedModel} at ${options.url}: ${mode.kind === 'open' ? 'open loop' : `closed loop, concurrency ${mode.concurrency}`}`,
    url: options.url,
    servedModel: options.servedModel,
    model: options.model,
    hardware: options.hardware,
    gpus: options.gpus,
    config: options.config,
    workload: {
      ...options.workloadOrigin,
      mode: mode.kind,
      concurrency: mode.kind === 'closed' ? mode.concurrency : undefined,
    },
    planned: requests.length,
    slo: options.slo,
    seed: options.seed,
    wallSeconds: (performance.now() - started) / 1000,
    preemptions: before !== undefined && after !== undefined ? Math.max(0, after - before) : undefined,
  });
}
