import { z } from 'zod';

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

/** The load in a few words, for the dashboard's workload line and the reports: "closed loop, 8 clients". */
export function loadChoiceText(load: LoadChoice | undefined): string {
  const loop =
    load?.concurrency === undefined
      ? "open loop at the workload's arrival times"
      : `closed loop, ${load.concurrency} ${load.concurrency === 1 ? 'client' : 'clients'}`;
  return load?.maxTokensOutput ? `${loop}; max_tokens = each request's output` : loop;
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
