// A pool's engine scheduler as the deployment launched it: the engine's defaults, raised where the
// benchmark's deployment must have had more, the recipe's or script's limits, and its KV memory share.
import { ENGINES, type EngineId } from '../../src/engine/config/engines/index.js';
import { wholeGpuShareOf } from '../../src/engine/config/memory-share.js';
import type { HardwareSpec } from '../../src/engine/hardware/spec.js';
import type { Plan } from '../../src/engine/memory/plan.js';
import type { ModelSpec } from '../../src/engine/model/spec.js';
import { resolveSchedulerConfig, type SchedulerConfig } from '../../src/engine/sched/config.js';
import type { ReplicaLimits } from './disagg-recipes.js';

/** What a pool's scheduler is chosen for: the engine, the GPU, the model and plan, the row's lengths. */
export interface PoolTarget {
  engine: EngineId;
  hardware: HardwareSpec;
  model: ModelSpec;
  plan: Plan;
  maxModelLen: number;
  clientsPerReplica: number;
  /** The deployment's own engine limits where its recipe records them (per replica: worker or attention-DP rank). */
  limits?: ReplicaLimits;
  /**
   * Whether `limits.maxNumTokens` is an aggregated server's, which stands as it ran; a disaggregated
   * recipe's is raised like an unknown one (its decode workers take prefilled requests that no prompt
   * check applies to, which the simulator's admission does not tell apart).
   */
  budgetAsLaunched?: boolean;
  /** TensorRT-LLM: the KV cache's share of free memory the launch set; default the engine's. */
  kvCacheFreeMemoryFraction?: number;
  /** SGLang: the share of the whole GPU for weights and KV cache the launch set (`--mem-fraction-static`). */
  memFractionStatic?: number;
}

/**
 * The engine's scheduler with its default knobs (its knob table's defaults, its description's policy),
 * max-model-len the row's prompt + output, and room for every client of a replica: a benchmark sizes
 * max-num-seqs / max_batch_size to its concurrency, so an engine default below it is raised, as is a
 * step budget the engine would refuse to start with. Where the deployment's recipe gives its limits
 * (`target.limits`: max batch size, max tokens per step), those are used as they are: a batch limit below
 * the clients queues them, as it did in the run. An engine that budgets its KV cache as a share of the
 * memory free after loading (TensorRT-LLM) gets the whole-GPU share that amounts to.
 */
export function schedulerOf(target: PoolTarget): SchedulerConfig {
  const { engine, hardware, maxModelLen, limits } = target;
  const description = ENGINES[engine];
  const defaults = description.knobTable.defaults({
    gpuMemoryBytes: hardware.memoryBytes,
    gpuName: hardware.id,
    modelMaxLen: maxModelLen,
  });
  const chunkedPrefill = defaults.enableChunkedPrefill ?? true;
  const budget = limits?.maxNumTokens ?? defaults.maxNumBatchedTokens ?? 8192;
  // Without chunked prefill TensorRT-LLM starts with any max_num_tokens and checks each prompt, not prompt
  // plus output, against it (NVIDIA/TensorRT-LLM tensorrt_llm/llmapi/llm.py @4c05a748, BaseLLM.
  // _check_arguments: "The sum of prompt length …, query length … should not exceed max_num_tokens"):
  // an aggregated server's budget that its launch gives stands as it ran. Elsewhere it is taken to hold a
  // whole request (max-model-len, the least vLLM starts with when not chunking), which also leaves a
  // prompt room beside the running decodes, as InferenceMAX's TensorRT-LLM scripts size it (CONC + ISL +
  // 127, rounded down to 64).
  const asLaunched = target.budgetAsLaunched === true && limits?.maxNumTokens !== undefined;
  const covers = !chunkedPrefill && description.checks.stepBudgetCoversLimits && !asLaunched;
  const choice = description.scheduler.policyFor(
    { chunkedPrefill, maxNumBatchedTokens: covers ? Math.max(budget, maxModelLen) : budget },
    maxModelLen,
  );
  const share = kvShareOf(target, choice.maxNumBatchedTokens ?? budget, defaults.blockSize);
  const scheduler: SchedulerConfig = {
    ...choice,
    maxModelLen,
    ...(defaults.blockSize ? { blockSize: defaults.blockSize } : {}),
    ...(share ? { gpuMemoryUtilization: share } : {}),
    ...(defaults.maxNumSeqs ? { maxNumSeqs: defaults.maxNumSeqs } : {}),
  };
  const resolved = resolveSchedulerConfig(scheduler, {
    gpuMemoryBytes: hardware.memoryBytes,
    modelMaxContext: maxModelLen,
  });
  const maxNumSeqs = limits?.maxBatchSize ?? Math.max(resolved.maxNumSeqs, target.clientsPerReplica);
  return { ...scheduler, maxNumSeqs };
}

/**
 * The share of the whole GPU the memory model gives the engine, where the launch or the engine's KV budget
 * says other than `gpu-memory-utilization` (`wholeGpuShareOf`, as tune and `simulate --config` read a
 * config): SGLang's `--mem-fraction-static` (weights and KV cache only), TensorRT-LLM's share of the
 * memory free after loading. An aggregated SGLang server whose launch gives no `--mem-fraction-static`
 * keeps the one its start-up picks (AIConfigurator's generator never passes it:
 * backend_templates/sglang/cli_args.0.5.6.post2.j2 has no such flag); disaggregated recipes' pools are
 * left at the memory model's default.
 */
function kvShareOf(
  target: PoolTarget,
  maxNumBatchedTokens: number,
  blockSize: number | undefined,
): number | undefined {
  const { engine, hardware, model, plan, maxModelLen } = target;
  const limits = { contextLength: maxModelLen, maxNumBatchedTokens, ...(blockSize ? { blockSize } : {}) };
  const written = {
    ...(target.memFractionStatic !== undefined ? { gpuMemoryUtilization: target.memFractionStatic } : {}),
    ...(target.kvCacheFreeMemoryFraction !== undefined
      ? { kvCacheFreeMemoryFraction: target.kvCacheFreeMemoryFraction }
      : {}),
  };
  return wholeGpuShareOf({ engine, model, hardware, plan }, written, limits, {
    startupDefault: target.budgetAsLaunched === true,
  });
}
