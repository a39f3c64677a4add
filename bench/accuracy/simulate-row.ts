// Runs one row's simulation through the public simulate API and reads the mean TTFT and TPOT off it.
import { simulate } from '../../src/engine/sim/simulate.js';
import { isServeTuneError } from '../../src/engine/util/errors.js';
import { jobWorkload, type SimulationJob } from './simulation-job.js';

export type SimulationOutcome =
  | { ok: true; ttftMs: number; tpotMs: number; simulatedSeconds: number; wallSeconds: number }
  | { ok: false; reason: string; detail: string; wallSeconds: number };

/**
 * Why the simulator refused a measured deployment, as a short category (the detail keeps the message):
 * each of these is a deployment that ran, so each is an error of the model, counted as such.
 */
function refusalReason(problem: string): string {
  if (/weights need/.test(problem)) return 'simulator: weights do not fit';
  if (/no memory left for the KV cache|fewer than one sequence/.test(problem))
    return 'simulator: no room for the KV cache';
  if (/does not divide|neither divides|must divide/.test(problem))
    return 'simulator: plan does not divide the model';
  if (/has layers of \d+ shapes/.test(problem)) return 'simulator: the step model takes one layer shape';
  return `simulator: ${problem.slice(0, 80)}`;
}

/**
 * What each request asks for as `max_tokens`: the output length its client drew. InferenceMAX's client
 * sends `"max_tokens": request_func_input.output_len` with `ignore_eos`, the length drawn for that
 * request from [0.8 × OSL, OSL] (SemiAnalysisAI/InferenceX utils/bench_serving/backend_request_func.py
 * @10081450dedfdc7ed144197b9c969237eb800e1b, `async_request_openai_completions`), so an engine that
 * reserves the whole output at admission (TensorRT-LLM's GUARANTEED_NO_EVICT: prompt + max_new_tokens,
 * NVIDIA/TensorRT-LLM cpp/tensorrt_llm/batch_manager/kvCacheManager.cpp @b35ac1b6,
 * `getRemainingBlocksToCompletion`; Orca here) reserves the drawn length, not the rest of max-model-len (ISL + OSL) after a prompt drawn
 * short. The other protocols send fixed lengths whose sum is max-model-len, where the two agree.
 */
const MAX_TOKENS = 'output';

export function simulateJob(job: SimulationJob): SimulationOutcome {
  const start = performance.now();
  const wall = () => (performance.now() - start) / 1000;
  try {
    const workload = jobWorkload(job);
    const summary = simulate(job.config, workload, {
      closedLoop: {
        concurrency: job.concurrency,
        ...(job.warmUpPhase ? { warmUpPhase: job.warmUpRequests } : {}),
      },
      warmUpRequests: job.warmUpRequests,
      maxTokens: MAX_TOKENS,
    });
    if (!summary.feasible) {
      const problem = summary.problems[0] ?? 'infeasible';
      return {
        ok: false,
        reason: refusalReason(problem),
        detail: summary.problems.join('; '),
        wallSeconds: wall(),
      };
    }
    if (!summary.ttft || !summary.tpot || summary.requests.failed > 0) {
      const detail = `${summary.requests.completed} of ${summary.requests.total} requests completed, ${summary.requests.failed} failed`;
      return { ok: false, reason: 'simulator: requests failed', detail, wallSeconds: wall() };
    }
    return {
      ok: true,
      ttftMs: summary.ttft.mean * 1e3,
      tpotMs: summary.tpot.mean * 1e3,
      simulatedSeconds: summary.simulatedSeconds,
      wallSeconds: wall(),
    };
  } catch (error) {
    // Whatever the simulator throws on a deployment that ran is a limit of the model: counted, not fatal.
    const message = error instanceof Error ? error.message : String(error);
    const reason = isServeTuneError(error) ? 'simulator: refused the configuration' : refusalReason(message);
    return { ok: false, reason, detail: message, wallSeconds: wall() };
  }
}
