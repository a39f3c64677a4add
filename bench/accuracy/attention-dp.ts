// TensorRT-LLM's attention data parallelism as the deployments ran it: how arrivals reach the ranks, and
// whether new prompts wait until every rank has one.
import type { EngineId } from '../../src/engine/config/engines/index.js';
import type { Plan } from '../../src/engine/memory/plan.js';
import { epGroupBatches } from '../../src/engine/perf/expert-parallel.js';
import type { RouterName } from '../../src/engine/sim/config.js';
import { INFERENCEMAX_PROTOCOL, protocolOf } from './client-protocol.js';
import type { SiliconRow } from './rows.js';

/**
 * InferenceMAX launches aggregated TensorRT-LLM with attention DP with `attention_dp_config:
 * {enable_balance: true, batching_wait_iters: 0, timeout_iters: 60}`: new prompts wait until every rank
 * has one, at most 60 steps since prompts last ran. Other sources do not say; TensorRT-LLM's default is
 * no balancing (NVIDIA/TensorRT-LLM tensorrt_llm/_torch/pyexecutor/py_executor.py @0004396: balancing
 * only where `attention_dp_config is not None and attention_dp_config.enable_balance`). Its
 * disaggregated runs set no `attention_dp_config` in either pool (every srt-slurm TensorRT-LLM recipe
 * file of disagg-recipes.json, e.g. connorcarpenter15/srt-slurm
 * recipes/trtllm/gb300-fp4/8k1k/mtp/ctx10_gen1_dep8_batch256_eplb0_mtp1.yaml @5a156f6, and Dynamo's
 * sweep configurations, ai-dynamo/dynamo
 * components/backends/trtllm/performance_sweeps/configs/gb200/8k1k/stp/ctx8_gen1_dep16_batch128_eplb0_mtp0.yaml
 * @7a465a7): a decode rank takes each request whose KV arrived at its next step.
 */
const INFERENCEMAX_TRTLLM_ATTENTION_DP_TIMEOUT_ITERS = 60;

/** A pool's attention-DP balancing: InferenceMAX's aggregated TensorRT-LLM servers with attention DP. */
export function attentionDpBalanceOf(
  engine: EngineId,
  plan: Plan,
  row: SiliconRow,
  disaggregated: boolean,
): { attentionDpBalanceIters?: number } {
  const inferenceMax = protocolOf(row) === INFERENCEMAX_PROTOCOL;
  return engine === 'trtllm' && epGroupBatches(plan) > 1 && inferenceMax && !disaggregated
    ? { attentionDpBalanceIters: INFERENCEMAX_TRTLLM_ATTENTION_DP_TIMEOUT_ITERS }
    : {};
}

/**
 * How arrivals reach the servers. A TensorRT-LLM server with attention DP then gives each request to one
 * of its ranks itself (the simulator's sim/rank-dispatch.ts, `fewestActiveRank`, cites the source); here
 * the aggregated server's replicas are picked least-outstanding, which in a closed loop is the server
 * whose request just finished. Disaggregated pools (Dynamo's frontend between the workers) and other
 * deployments take them in turn.
 */
export function routerOf(engine: EngineId, plans: readonly Plan[], disaggregated: boolean): RouterName {
  const attentionDp = plans.length === 1 && epGroupBatches(plans[0]) > 1;
  return engine === 'trtllm' && attentionDp && !disaggregated ? 'least-outstanding' : 'round-robin';
}
