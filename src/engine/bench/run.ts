import { performance } from 'node:perf_hooks';
import type { SimulationConfig } from '../sim/config.js';
import type { RunLoad, RunSummary } from '../sim/summary.js';
import { ServeTuneError } from '../util/errors.js';
import type { SloDefinition } from '../workload/slo-verdict.js';
import type { Workload } from '../workload/types.js';
import { checkHeaderValue, metricsUrl, parseEndpointUrl } from './endpoint.js';
import { type LoadMode, type LoadRequest, runLoad } from './load.js';
import type { FittedRequests } from './problems.js';
import { checkPromptSizes, fetchMaxModelLen, fitToContext } from './request-sizes.js';
import type { MeasuredRequestsFile } from './requests-file.js';
import { type StreamTarget, streamOnce } from './stream-client.js';
import { measuredSummary, prometheusCounter } from './summary.js';

interface BenchOptions {
  url: string;
  servedModel: string;
  endpoint?: 'completions' | 'chat';
  headers?: Record<string, string>;
  workload: Workload;
  /** How the workload was obtained (recorded so a fit can regenerate it). */
  workloadOrigin: { source: string; seed: number; rate?: number; skip?: number; count?: number };
  mode: LoadMode;
  /** Leave the first completions out of the metrics, as `simulate` does (`RunLoad.warmUpRequests`). */
  warmUpRequests?: number;
  maxRequests: number;
  maxSeconds: number;
  timeoutSeconds: number;
  slo: SloDefinition;
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
  /**
   * Send one test request (a 1-token prompt, 1 token out) before the run and stop with its error if it
   * fails; default true. A wrong URL, model or endpoint then fails at once, and the client's own
   * first-request costs (connection, compiling its code paths) stay out of the measured run.
   */
  probe?: boolean;
  /** Receives every request's own measurement (what the summary aggregates), in the order they were sent. */
  onRequests?: (requests: MeasuredRequestsFile) => void;
  /**
   * Ask the endpoint's /v1/models for the served model's max_model_len and scale down the requests
   * longer than it (see `fitToContext`); default false: requests are sent as they are, and the server
   * refuses those that do not fit (counted as failed). Where the endpoint reports none, nothing changes.
   */
  fitToServer?: boolean;
  /** Receives what the run changed before sending, as one line (e.g. requests scaled to fit). */
  onNotice?: (line: string) => void;
}

/** Prompt token ids drawn from [low, high): clear of the special ids, inside any small vocabulary. */
export const DEFAULT_TOKEN_ID_RANGE: readonly [number, number] = [3, 250];

async function scrapePreemptions(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(metricsUrl(url), { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    return prometheusCounter(await res.text(), 'vllm:num_preemptions_total');
  } catch {
    return undefined;
  }
}

/** One minimal streamed request; its failure, with the server's own message, is the run's. */
async function probeEndpoint(
  target: StreamTarget,
  tokenId: number,
  timeoutSeconds: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const result = await streamOnce(
    target,
    { index: -1, promptTokenIds: [tokenId], promptText: `w${tokenId}`, maxTokens: 1 },
    { start: performance.now() },
    0,
    timeoutSeconds,
    signal ?? new AbortController().signal,
  );
  if (result.status === 'ok' && result.tokenTimes.length > 0) return;
  // Cancelled: the caller's abort, as every other cancelled run reports it.
  if (result.status === 'cancelled') signal?.throwIfAborted();
  const why =
    result.status === 'ok' ? 'it streamed no tokens' : `${result.status}: ${result.error ?? 'no detail'}`;
  throw new ServeTuneError(
    `${target.url} did not complete a test request (a 1-token prompt, 1 token out) on its ${target.endpoint} endpoint for model ${target.model}, so the run was not started: ${why}`,
    'invalid-argument',
    '--url',
  );
}

/** The summary's `load`, as `simulate` records it: absent for open loop with every request counted. */
function loadOf(mode: LoadMode, warmUpRequests: number): RunLoad | undefined {
  const warmUp = warmUpRequests > 0 ? { warmUpRequests } : {};
  if (mode.kind === 'closed') {
    return { mode: 'closed', concurrency: mode.concurrency, thinkSeconds: mode.thinkSeconds ?? 0, ...warmUp };
  }
  return warmUpRequests > 0 ? { mode: 'open', ...warmUp } : undefined;
}

/**
 * The requests to send: the workload's first `maxRequests`, whole lengths of at least one token, each
 * prompt within MAX_PROMPT_TOKENS, and (with `fitToServer`) scaled down to the server's max_model_len
 * where it reports one.
 */
async function plannedRequests(
  options: BenchOptions,
  target: StreamTarget,
): Promise<{ requests: LoadRequest[]; fitted?: FittedRequests }> {
  const requests: LoadRequest[] = options.workload.requests.slice(0, options.maxRequests).map((r) => ({
    arrival: r.arrival,
    promptTokens: Math.max(1, Math.round(r.promptTokens)),
    outputTokens: Math.max(1, Math.round(r.outputTokens)),
  }));
  checkPromptSizes(requests, options.workloadOrigin.source);
  if (options.fitToServer !== true || requests.length === 0) return { requests };
  const maxModelLen = await fetchMaxModelLen(target, options.timeoutSeconds, options.signal);
  if (maxModelLen === undefined) return { requests };
  const fit = fitToContext(requests, maxModelLen);
  if (fit.fitted > 0) {
    options.onNotice?.(
      `${fit.fitted} of ${requests.length} requests are longer than ${options.servedModel}'s max_model_len (${maxModelLen} tokens, prompt + output) as ${target.url} reports it: each is scaled down to fit, its prompt and output in proportion`,
    );
  }
  return { requests: fit.requests, fitted: { count: fit.fitted, maxModelLen } };
}

/** Replays a workload against an OpenAI-compatible endpoint and summarizes it as a measured RunSummary. */
export async function runBench(options: BenchOptions): Promise<RunSummary> {
  const started = performance.now();
  parseEndpointUrl(options.url);
  if (options.workload.requests.some((r) => r.session !== undefined)) {
    // Sent at their arrival times, a session's turns would all go at its start, before any answer.
    throw new ServeTuneError(
      'the load generator does not send multi-turn sessions (turns= in the spec): each turn waits for the answer before it, which only `servetune simulate` models so far',
      'invalid-argument',
      '--workload',
    );
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    checkHeaderValue(value, `the ${name} header`, name === 'authorization' ? '--api-key' : name);
  }
  const target: StreamTarget = {
    url: options.url,
    model: options.servedModel,
    endpoint: options.endpoint ?? 'completions',
    headers: options.headers,
  };
  const { requests, fitted } = await plannedRequests(options, target);
  const tokenIdRange = options.tokenIdRange ?? DEFAULT_TOKEN_ID_RANGE;
  if (options.probe !== false && requests.length > 0) {
    await probeEndpoint(target, tokenIdRange[0], options.timeoutSeconds, options.signal);
  }
  const before = await scrapePreemptions(options.url);
  // The load's clock starts as it is called (to well within a millisecond of this).
  const startedAtEpochMs = performance.timeOrigin + performance.now();
  const measured = await runLoad(target, requests, {
    mode: options.mode,
    maxRequests: options.maxRequests,
    maxWallSeconds: options.maxSeconds,
    timeoutSeconds: options.timeoutSeconds,
    seed: options.seed,
    tokenIdRange,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const after = before === undefined ? undefined : await scrapePreemptions(options.url);
  options.onRequests?.({
    schemaVersion: 1,
    kind: 'measured-requests',
    url: options.url,
    servedModel: options.servedModel,
    startedAtEpochMs,
    requests: [...measured].sort((a, b) => a.sentAt - b.sentAt),
  });
  const mode = options.mode;
  return measuredSummary(measured, {
    label: `${options.servedModel} at ${options.url}: ${mode.kind === 'open' ? 'open loop' : `closed loop, concurrency ${mode.concurrency}${mode.thinkSeconds ? `, think time ${mode.thinkSeconds} s` : ''}`}`,
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
    load: loadOf(mode, options.warmUpRequests ?? 0),
    planned: requests.length,
    slo: options.slo,
    seed: options.seed,
    wallSeconds: (performance.now() - started) / 1000,
    preemptions: before !== undefined && after !== undefined ? Math.max(0, after - before) : undefined,
    fitted,
  });
}
