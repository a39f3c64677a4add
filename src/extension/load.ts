import { z } from 'zod';
import { runLoadText } from '../engine/sim/load-text.js';
import type { RunLoad } from '../engine/sim/summary.js';

/**
 * How a run sends the workload's requests: open loop at its arrival times (no `concurrency`), or closed
 * loop, `concurrency` clients each sending its next request as its previous one finishes (as `vllm bench
 * serve --max-concurrency`, GuideLLM and AIPerf run). `maxTokensOutput`: each request asks max_tokens =
 * its own output length, as benchmark clients send it with ignore_eos (simulate only).
 */
export const LoadChoice = z.object({
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
  const trimmed = text.trim();
  const n = Number(trimmed);
  if (!/^\+?\d+$/.test(trimmed) || !Number.isSafeInteger(n) || n < 1) {
    return `expected a positive integer (clients kept in flight), got '${text}'.`;
  }
  return undefined;
}

/** The record a run of this choice keeps of its load (`RunSummary.load`, as the simulator writes it). */
export function runLoadOfChoice(load: LoadChoice | undefined): RunLoad {
  return load?.concurrency === undefined
    ? { mode: 'open' }
    : { mode: 'closed', concurrency: load.concurrency, thinkSeconds: 0 };
}

/**
 * The load in words for the dashboard's workload line and the progress titles: the words the run's
 * report will use (`runLoadText`), "closed loop, 8 clients, no think time".
 */
export function loadChoiceText(load: LoadChoice | undefined): string {
  return runLoadText(runLoadOfChoice(load), load?.maxTokensOutput ? 'output' : undefined);
}

/** The `simulate` worker method's load params for a choice (`SimulateParams`). */
export function simulateLoadParams(load: LoadChoice): { concurrency?: number; maxTokens?: 'output' } {
  return {
    ...(load.concurrency !== undefined ? { concurrency: load.concurrency } : {}),
    ...(load.maxTokensOutput ? { maxTokens: 'output' as const } : {}),
  };
}

/** The dashboard's workload line: the workload, then its load where one was chosen. */
export function workloadLine(workload: string | null, load: LoadChoice | undefined): string | null {
  return workload === null || load === undefined ? workload : `${workload}; ${loadChoiceText(load)}`;
}
