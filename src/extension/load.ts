import { z } from 'zod';
import type { SimulateParams } from '../engine/protocol/methods.js';
import { MAX_THINK_SECONDS } from '../engine/sim/closed-loop.js';
import { runLoadText, thinkTimeText, warmUpText } from '../engine/sim/load-text.js';
import type { RunLoad } from '../engine/sim/summary.js';
import { decimal, wholeNumber } from '../engine/util/numbers.js';

/** How a closed loop's clients pace themselves, and the warm-up its metrics leave out (`simulate`'s flags). */
export const ClosedLoopPacing = z.object({
  /** Seconds between a request finishing and its client sending the next (`--think-time`; absent: 0). */
  thinkSeconds: z.number().nonnegative().max(MAX_THINK_SECONDS).optional(),
  /** Completions left out of the metrics (`--warm-up-requests`; absent: 0). */
  warmUpRequests: z.number().int().nonnegative().optional(),
  /** The warm-up runs as a phase of its own (`--warm-up-phase`; only with warm-up requests). */
  warmUpPhase: z.boolean().optional(),
});
export type ClosedLoopPacing = z.infer<typeof ClosedLoopPacing>;

/** "2 s think time; the first 10 completions left out", as the run's report will say it. */
export function pacingText(p: ClosedLoopPacing): string {
  const warmUp = warmUpText({
    warmUpRequests: p.warmUpRequests,
    ...(p.warmUpRequests && p.warmUpPhase ? { warmUpPhase: true as const } : {}),
  });
  return warmUp === '' ? thinkTimeText(p.thinkSeconds) : `${thinkTimeText(p.thinkSeconds)}; ${warmUp}`;
}

/**
 * How a run sends the workload's requests: open loop at its arrival times (no `concurrency`), or closed
 * loop, `concurrency` clients each sending its next request as its previous one finishes (as `vllm bench
 * serve --max-concurrency`, GuideLLM and AIPerf run). The rest applies to a simulation (`simulate`'s
 * flags; a search takes none of them): a closed loop's pacing (`ClosedLoopPacing`), and
 * `maxTokensOutput`, each request asking max_tokens = its own output length, as benchmark clients send
 * it with ignore_eos.
 */
export const LoadChoice = ClosedLoopPacing.extend({
  concurrency: z.number().int().positive().optional(),
  maxTokensOutput: z.boolean().optional(),
});
export type LoadChoice = z.infer<typeof LoadChoice>;

/**
 * Why a typed client count is refused, or undefined when it is one: the CLI's `--concurrency` limits
 * (src/cli/options.ts `positiveInt`): a whole number in digits, at least 1, within what a double holds
 * exactly.
 */
export function concurrencyProblem(text: string): string | undefined {
  const n = wholeNumber(text);
  return n === undefined || n < 1
    ? `expected a positive integer (clients kept in flight), got '${text}'.`
    : undefined;
}

/** Why a typed think time is refused, or undefined: `--think-time`'s limits (0 to a day, as the worker takes). */
export function thinkTimeProblem(text: string): string | undefined {
  const n = decimal(text);
  if (n === undefined || n < 0) return `expected a number of seconds (0 or more), got '${text}'.`;
  return n > MAX_THINK_SECONDS
    ? `expected at most ${MAX_THINK_SECONDS} seconds (a day), got '${text}'.`
    : undefined;
}

/** Why a typed warm-up is refused, or undefined: `--warm-up-requests`'s limits (`nonNegativeInt`). */
export function warmUpProblem(text: string): string | undefined {
  return wholeNumber(text) === undefined
    ? `expected a whole number of completions (0 or more), got '${text}'.`
    : undefined;
}

type LoadParams = Pick<
  z.input<typeof SimulateParams>,
  'concurrency' | 'thinkSeconds' | 'warmUpRequests' | 'warmUpPhase' | 'maxTokens'
>;

/**
 * The `simulate` worker method's load params for a choice (`SimulateParams`). The pacing is a closed
 * loop's: kept with the choice but not sent with an open loop; the defaults (0, none) are not sent.
 */
export function simulateLoadParams(load: LoadChoice): LoadParams {
  const closed = load.concurrency !== undefined;
  const warmUp = closed && load.warmUpRequests ? load.warmUpRequests : undefined;
  return {
    ...(closed ? { concurrency: load.concurrency } : {}),
    ...(closed && load.thinkSeconds ? { thinkSeconds: load.thinkSeconds } : {}),
    ...(warmUp ? { warmUpRequests: warmUp } : {}),
    ...(warmUp && load.warmUpPhase ? { warmUpPhase: true } : {}),
    ...(load.maxTokensOutput ? { maxTokens: 'output' as const } : {}),
  };
}

/** The record a run of this choice keeps of its load (`RunSummary.load`, as the simulator writes it). */
export function runLoadOfChoice(load: LoadChoice | undefined): RunLoad {
  const params = simulateLoadParams(load ?? {});
  if (params.concurrency === undefined) return { mode: 'open' };
  return {
    mode: 'closed',
    concurrency: params.concurrency,
    thinkSeconds: params.thinkSeconds ?? 0,
    ...(params.warmUpRequests ? { warmUpRequests: params.warmUpRequests } : {}),
    ...(params.warmUpPhase ? { warmUpPhase: true as const } : {}),
  };
}

/**
 * The load in words for the dashboard's workload line and the progress titles: the words the run's
 * report will use (`runLoadText`), "closed loop, 8 clients, no think time".
 */
export function loadChoiceText(load: LoadChoice | undefined): string {
  return runLoadText(runLoadOfChoice(load), load?.maxTokensOutput ? 'output' : undefined);
}

/** The dashboard's workload line: the workload, then its load where one was chosen. */
export function workloadLine(workload: string | null, load: LoadChoice | undefined): string | null {
  return workload === null || load === undefined ? workload : `${workload}; ${loadChoiceText(load)}`;
}

/** The load of a config file's "Simulate this config": its worker params and its words. */
export interface ConfigSimulationLoad {
  params: LoadParams & { rate?: number };
  text: string;
  /** False where no load was chosen yet and the run takes the default (open loop). */
  chosen: boolean;
}

/**
 * The load a config file's lens simulates with: the one Simulate and Search remembered (`Choices.load`),
 * else the default, open loop at the workload's arrival times, scaled to the workspace's rate where it
 * gives one. A closed loop ignores arrival times, so the rate is not sent with one (the worker refuses
 * both).
 */
export function configSimulationLoad(
  choice: LoadChoice | undefined,
  rate: number | undefined,
): ConfigSimulationLoad {
  const params = simulateLoadParams(choice ?? {});
  return {
    params: { ...params, ...(params.concurrency === undefined && rate !== undefined ? { rate } : {}) },
    text: loadChoiceText(choice),
    chosen: choice !== undefined,
  };
}
