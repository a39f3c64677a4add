import type { PolicyName } from '../sched/config.js';
import { ENGINES, type EngineId } from './engines/index.js';

/** The engine whose paged KV cache a simulator policy runs with; none for the policies of other engines. */
const ENGINE_OF_POLICY: Record<PolicyName, EngineId | undefined> = {
  'vllm-v0': 'vllm',
  'vllm-v1': 'vllm',
  sarathi: 'vllm',
  sglang: 'sglang',
  // LightLLM keeps KV per token, Orca and static batching reserve whole sequences: the simulator's block
  // size is only the granularity it counts in for them.
  lightllm: undefined,
  orca: undefined,
  static: undefined,
};

/** Why `blockSize` is not a KV block size the engine behind `policy` starts with; undefined where it is. */
export function kvBlockSizeProblem(policy: PolicyName, blockSize: number): string | undefined {
  const engine = ENGINE_OF_POLICY[policy];
  if (engine === undefined) return undefined;
  const { allowed, rule } = ENGINES[engine].checks.kvBlockSizes;
  if (allowed === 'any' || allowed.includes(blockSize)) return undefined;
  return `block size ${blockSize} under ${policy}: ${rule} (${ENGINES[engine].displayName}: ${allowed.join(', ')})`;
}
