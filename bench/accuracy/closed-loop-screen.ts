// Whether a vLLM row's measured means can come from a steady closed loop of its clients at all: a
// measurement whose clients mostly wait for a first token although vLLM's scheduler had room to admit
// them is not one the engine's scheduler produces. Such a row is still predicted and scored; it is flagged,
// and the report lists it with the accuracy it changes.
import { findHardware } from '../../src/engine/hardware/catalog.js';
import { memoryReport } from '../../src/engine/memory/model.js';
import { lookupModel } from '../../src/engine/model/resolve.js';
import { engineExpertLayout } from '../../src/engine/perf/expert-weight-layout.js';
import { resolveSchedulerConfig } from '../../src/engine/sched/config.js';
import { SimulationConfig } from '../../src/engine/sim/config.js';
import { jobWorkload, type SimulationJob } from './simulation-job.js';

/**
 * Share of the clients that, by the measurement, wait for their first token. Above it the row is
 * flagged where no vLLM limit explains the wait. The five rows it screens in silicon-calibration.csv
 * measure 0.81–0.83; the next vLLM row measures 0.55 and its KV cache holds fewer sequences than it has
 * clients (a real wait, kept); every other vLLM row is at or below 0.28.
 */
export const MOSTLY_WAITING = 0.5;

/** The finding a flagged row carries (one string, so that the report lists them together). */
export const UNREACHABLE_WAIT =
  "measurement: most clients wait for a first token (Little's law on the measured TTFT and TPOT) although vLLM's max-num-seqs, KV cache and step budget admit them all: not a steady closed loop";

/** The screen's finding on a row that stays modelled: what it found, and the share of clients waiting. */
export interface ClosedLoopFlag {
  finding: string;
  /** Share of the row's clients waiting for a first token by Little's law on the measured means (0–1). */
  clientsWaiting: number;
}

/** What a row measured and what its deployment allowed, as the screen reads it. */
export interface ClosedLoopEvidence {
  clients: number;
  ttftMs: number;
  tpotMs: number;
  meanPromptTokens: number;
  meanOutputTokens: number;
  /** vLLM --max-num-seqs. */
  maxNumSeqs: number;
  /** vLLM --max-num-batched-tokens: the tokens one step schedules. */
  maxNumBatchedTokens: number;
  /** Requests of the longest length (prompt + output) the KV cache holds at once, over all replicas. */
  kvSequences: number;
}

/**
 * Little's law over one client's cycle: each client spends TTFT waiting for its first token and
 * (output − 1) × TPOT decoding, so the mean number of clients decoding is clients × decode / cycle.
 */
export function clientsDecoding(
  e: Pick<ClosedLoopEvidence, 'clients' | 'ttftMs' | 'tpotMs' | 'meanOutputTokens'>,
): number {
  const decodeMs = (e.meanOutputTokens - 1) * e.tpotMs;
  return (e.clients * decodeMs) / (e.ttftMs + decodeMs);
}

/** Share of the clients waiting for a first token by Little's law (1 − decoding / clients). */
export function clientsWaiting(
  e: Pick<ClosedLoopEvidence, 'clients' | 'ttftMs' | 'tpotMs' | 'meanOutputTokens'>,
): number {
  return 1 - clientsDecoding(e) / e.clients;
}

/**
 * Why the measurement is not vLLM's closed loop, or undefined where it can be. vLLM v1 admits a waiting
 * request at every step while fewer than max_num_seqs run, the step's token budget is not spent and the
 * KV cache manager finds blocks for it (vllm-project/vllm vllm/v1/core/sched/scheduler.py @b4622cf,
 * `schedule`: "if len(self.running) == self.max_num_running_reqs: break", then `allocate_slots` and
 * "if new_blocks is None: break"); it never leaves a request waiting otherwise. So where max-num-seqs and
 * the KV cache hold every client and the budget covers the prompts the measured throughput needs
 * (decoding clients × prompt / output tokens a step, beside the decodes), clients wait only for their
 * own prefill, and a measurement in which most of them wait is not a steady closed loop of that many
 * clients.
 */
export function unreachableWait(e: ClosedLoopEvidence): string | undefined {
  const decoding = clientsDecoding(e);
  if (clientsWaiting(e) <= MOSTLY_WAITING) return undefined;
  if (e.maxNumSeqs < e.clients || e.kvSequences < e.clients) return undefined;
  const promptTokensPerStep = (decoding * e.meanPromptTokens) / Math.max(1, e.meanOutputTokens - 1);
  if (promptTokensPerStep > e.maxNumBatchedTokens - decoding) return undefined;
  return UNREACHABLE_WAIT;
}

/** The screen on a mapped row: aggregated vLLM v1 deployments only (the scheduler it cites). */
export function closedLoopScreen(
  job: SimulationJob,
  measured: { ttftMs: number; tpotMs: number },
): ClosedLoopFlag | undefined {
  const config = SimulationConfig.parse(job.config);
  if (config.deployment.kind !== 'colocated') return undefined;
  const pool = config.deployment.pool;
  if (pool.scheduler.policy !== 'vllm-v1') return undefined;
  const model = typeof config.model === 'string' ? lookupModel(config.model) : config.model;
  const hardware = typeof config.hardware === 'string' ? findHardware(config.hardware) : config.hardware;
  if (!model || !hardware) return undefined;
  const scheduler = resolveSchedulerConfig(pool.scheduler, {
    gpuMemoryBytes: hardware.memoryBytes,
    modelMaxContext: model.maxContextLength,
  });
  const requests = jobWorkload(job).requests;
  if (requests.length === 0) return undefined;
  let prompt = 0;
  let output = 0;
  let longest = 0;
  for (const r of requests) {
    prompt += r.promptTokens;
    output += r.outputTokens;
    longest = Math.max(longest, r.promptTokens + r.outputTokens);
  }
  const memory = memoryReport(model, hardware, pool.plan, {
    gpuMemoryUtilization: scheduler.gpuMemoryUtilization,
    blockSize: scheduler.blockSize,
    maxNumBatchedTokens: scheduler.maxNumBatchedTokens,
    maxNumSeqs: scheduler.maxNumSeqs,
    contextLength: Math.min(scheduler.maxModelLen, longest),
    expertLayout: engineExpertLayout(config.engine, hardware, model, pool.plan.weightDtype),
  });
  const evidence: ClosedLoopEvidence = {
    clients: job.concurrency,
    ttftMs: measured.ttftMs,
    tpotMs: measured.tpotMs,
    meanPromptTokens: prompt / requests.length,
    meanOutputTokens: output / requests.length,
    maxNumSeqs: scheduler.maxNumSeqs * pool.plan.dp,
    maxNumBatchedTokens: scheduler.maxNumBatchedTokens * pool.plan.dp,
    kvSequences: memory.cluster.maxConcurrentSequences,
  };
  const finding = unreachableWait(evidence);
  return finding ? { finding, clientsWaiting: clientsWaiting(evidence) } : undefined;
}
