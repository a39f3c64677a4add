import { ENGINES, type EngineId } from './index.js';

/**
 * Whether one server's attention-DP ranks run a MoE model's routed experts as a single MoE tensor-parallel
 * group (Plan.moeTensorParallel, perf/moe-tensor-parallel.ts) rather than as independent replicas: the
 * engine shards every expert over all the server's GPUs when expert parallelism is off
 * (`dataParallelExperts`), the server has more than one DP rank and the model has experts.
 * - vLLM: `--data-parallel-size N` without `--enable-expert-parallel` on a MoE model. "MoE layers will be
 *   sharded according to the product of the tensor parallel size and data parallel size"
 *   (vllm-project/vllm vllm/config/parallel.py @840e7972c6ab74061696e81e17d8a74db2aefd7e,
 *   `data_parallel_size`); FusedMoEParallelConfig.make keeps `tp_size = dp × tp` and `ep_size = 1` where
 *   `enable_expert_parallel` is off (vllm/model_executor/layers/fused_moe/config.py, `flatten_tp_across_dp`).
 *   "By default, expert layers form a tensor parallel group of size DP × TP", and ranks with nothing to run
 *   execute dummy forward passes so that every rank's MoE layers meet (docs/serving/data_parallel_deployment.md
 *   @01e4fce07423dafcc832600ba05159fb28dc1126; PR #20768). Dense models' DP ranks stay independent.
 * - TensorRT-LLM: `enable_attention_dp` with `moe_expert_parallel_size` 1 (its Mapping sets moe_tp_size =
 *   tp_size; perf/moe-tensor-parallel.ts cites the source).
 */
export function serverShardsExpertsOverDp(
  engine: EngineId,
  server: { moe: boolean; dp: number; ep: number },
): boolean {
  return (
    ENGINES[engine].dataParallelExperts === 'tensor-parallel' &&
    server.moe &&
    server.dp > 1 &&
    server.ep === 1
  );
}
