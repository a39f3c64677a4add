import type { ServingEngine } from './serving-engine.js';

/**
 * Whether the serving engine runs an overlap (asynchronous) scheduler: the host schedules and prepares
 * step n+1 while the GPU runs step n, so the waiting queue is read one step ahead. A request that
 * arrives while step n runs is first seen when the host schedules step n+2 (at step n's end) and joins
 * that step, one step later than under a synchronous loop; an idle engine schedules it at once.
 * Tokens are not delayed: the host processes step n's results right after launching step n+1, as soon
 * as step n ends.
 *
 * Sources (what each says):
 * - TensorRT-LLM (PyTorch backend, the default since 1.0): `disable_overlap_scheduler` defaults to False
 *   (NVIDIA/TensorRT-LLM tensorrt_llm/llmapi/llm_args.py, `disable_overlap_scheduler: bool =
 *   Field(default=False, description="Disable the overlap scheduler.")`). Its loop
 *   (tensorrt_llm/_torch/pyexecutor/py_executor.py `_executor_loop_overlap`, e.g. at commit
 *   4b7d7199752f41960eedbf2846755e174940f164) fetches new requests and schedules the next batch, launches
 *   it (`_forward_step` with the previous batch's on-device tokens), then waits for and answers the
 *   previous batch (`_process_previous_batch`). Pipeline parallelism runs `_executor_loop_pp` instead.
 *   Dynamo's trtllm worker versions (0.5–0.8) run the same backend with the same default.
 * - SGLang: `disable_overlap_schedule: bool = False` (sgl-project/sglang python/sglang/srt/server_args.py;
 *   `--disable-overlap-schedule` turns it off); python/sglang/srt/managers/scheduler.py
 *   `event_loop_overlap`: recv_requests → get_next_batch_to_run → run_batch (launch) → process the last
 *   batch's result (`pop_and_process`).
 * - vLLM: async scheduling (`--async-scheduling`, vllm-project/vllm#19970, "the scheduler operates one
 *   step ahead of the current execution") is on by default from v0.14.0 (release notes, "Async
 *   scheduling is now enabled by default … disable with --no-async-scheduling", vllm-project/vllm#27614),
 *   except with pipeline parallelism. Before 0.14 it is off unless asked for.
 *
 * `poolSetting` (one pool's servers set apart, e.g. a disaggregated deployment's context servers with
 * TensorRT-LLM's `disable_overlap_scheduler: true`) wins over `engine.overlapScheduling` (the engines'
 * flags), which wins over the default. An engine not named (roofline predictions) has none unless the
 * pool sets it. A version that does not parse (nightly, a dev tag) is taken as the newest. Pipeline
 * parallelism runs none whatever is set (TensorRT-LLM's `_executor_loop_pp`; vLLM keeps async scheduling
 * off with it).
 */
export function overlapScheduling(
  engine: ServingEngine | undefined,
  pipelineDepth: number,
  poolSetting?: boolean,
): boolean {
  if (pipelineDepth > 1) return false;
  if (poolSetting !== undefined) return poolSetting;
  if (!engine) return false;
  if (engine.overlapScheduling !== undefined) return engine.overlapScheduling;
  if (engine.id !== 'vllm') return true;
  const version = /^v?(\d+)\.(\d+)/.exec(engine.version ?? '');
  if (!version) return true;
  const major = Number(version[1]);
  const minor = Number(version[2]);
  return major > 0 || minor >= VLLM_ASYNC_SCHEDULING_DEFAULT_MINOR;
}

/** vLLM 0.14.0: the first release with async scheduling on by default. */
const VLLM_ASYNC_SCHEDULING_DEFAULT_MINOR = 14;
