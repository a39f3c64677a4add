// `simulate`'s and `step`'s command-line options, in groups: the engine and its kernels, the scheduler,
// queue and cache, pools and timing, workload and load.
import { type Command, Option } from 'commander';
import { PolicyName, PreemptionMode, SchedulingPolicy } from '../../engine/sched/config.js';
import { RouterName } from '../../engine/sim/config.js';
import type { MaxTokens } from '../../engine/sim/requests.js';
import { GOODPUT_SLO_RULES } from '../../engine/workload/slo.js';
import { inputOption } from '../file-options.js';
import {
  concurrencyOption,
  decodeOnlyCudaGraphsOption,
  deepGemmOption,
  engineOptions,
  fp8QBProjOption,
  fraction,
  integer,
  maxCudaGraphCaptureSizeOption,
  moeBackendOptions,
  nvfp4DispatchOption,
  perfDbOption,
  positiveInt,
  positiveNumber,
  sloOption,
  thinkTimeOption,
  warmUpOption,
  warmUpPhaseOption,
} from '../options.js';

/** A repeatable option: each value given, in order. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

const ENGINE_PURPOSE =
  'serving engine whose measured op tables, all-reduce, CUDA graphs and overhead time the steps (default: roofline × default efficiencies)';

/** The serving engine and the kernels its launch selected, as `step` and `simulate` both take them. */
export function addEngineOptions(command: Command): Command {
  for (const option of [...engineOptions(ENGINE_PURPOSE), ...moeBackendOptions()]) command.addOption(option);
  return command
    .addOption(deepGemmOption())
    .addOption(nvfp4DispatchOption())
    .addOption(fp8QBProjOption())
    .addOption(decodeOnlyCudaGraphsOption())
    .addOption(maxCudaGraphCaptureSizeOption());
}

/** `simulate`'s scheduler: policy, step budgets, chunking, KV blocks and memory, context length. */
export function addSchedulerOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--scheduler <name>',
        "scheduling policy (default: the --engine's own where the simulator has one, sglang for SGLang; else vllm-v1)",
      ).choices(PolicyName.options),
    )
    .addOption(
      new Option('--max-num-seqs <n>', 'sequences per step (SGLang: max-running-requests)').argParser(
        positiveInt,
      ),
    )
    .addOption(new Option('--max-num-batched-tokens <n>', 'token budget per step').argParser(positiveInt))
    .addOption(new Option('--chunked-prefill-size <n>', 'SGLang chunk size').argParser(positiveInt))
    .addOption(
      new Option(
        '--max-prefill-tokens <n>',
        "SGLang prompt tokens per prefill batch (default 16384); after the batch's first, a prompt must fit whole",
      ).argParser(positiveInt),
    )
    .addOption(
      new Option('--mixed-chunk', 'SGLang --enable-mixed-chunk: running decodes join each prefill batch'),
    )
    .addOption(
      new Option(
        '--scheduler-recv-interval <n>',
        'SGLang --scheduler-recv-interval: a decoding server takes in new requests every n decode steps (default 1)',
      ).argParser(positiveInt),
    )
    .addOption(
      new Option('--schedule-conservativeness <x>', 'SGLang admission conservativeness').argParser(
        positiveNumber,
      ),
    )
    .addOption(
      new Option(
        '--block-size <n>',
        "KV cache block size in tokens, as the policy's engine allows (vLLM: 16, 32, 64, 128; SGLang: any)",
      ).argParser(positiveInt),
    )
    .addOption(
      new Option('--gpu-memory-utilization <fraction>', 'share of GPU memory the engine may use').argParser(
        fraction,
      ),
    )
    .addOption(new Option('--max-model-len <n>', 'longest prompt + output accepted').argParser(positiveInt));
}

/** `simulate`'s preemption, queue order, KV offload, attention-DP balance, batch waits, prefix caching. */
export function addQueueAndCacheOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--preemption <mode>',
        'preemption mode (swap only under vllm-v0 and sarathi; vLLM v1, SGLang and LightLLM recompute)',
      ).choices(PreemptionMode.options),
    )
    .addOption(
      new Option(
        '--scheduling-policy <policy>',
        'fcfs, or priority: waiting requests by the workload priority= (lower first), lowest preempted first (vLLM --scheduling-policy priority, SGLang --enable-priority-scheduling; vllm-v0, vllm-v1, sarathi, sglang)',
      ).choices(SchedulingPolicy.options),
    )
    .addOption(
      new Option(
        '--kv-offload <GiB>',
        'KV offload to host memory per replica (vLLM --kv-offloading-size, LMCache, production-stack CPU offloading): prefix-cache blocks evicted from the GPU are kept there and loaded back over the host link instead of prefilled; needs prefix caching',
      ).argParser(positiveNumber),
    )
    .addOption(
      new Option(
        '--kv-pin <seconds>',
        "keep a session turn's prefix pinned in the GPU prefix cache this long after it finishes, for its next turn (a KV time-to-live, as LMCache pinning gives): pinned blocks are evicted only when nothing else is left; sessions come from turns= in the workload spec",
      ).argParser(positiveNumber),
    )
    .addOption(
      new Option(
        '--attention-dp-balance <steps>',
        "attention DP with EP (--ep above --tp): hold a rank's new prompts until every rank has one, for at most this many steps since prompts last ran (TensorRT-LLM attention_dp_config enable_balance with timeout_iters)",
      ).argParser(positiveInt),
    )
    .addOption(
      new Option(
        '--batch-wait-iters <steps>',
        'TensorRT-LLM batch_wait_timeout_iters: while requests decode, hold new prompts back for up to this many steps until the step would carry --batch-wait-tokens-ratio of its token budget; 0 (the default): no waiting. Not modelled for attention-DP EP groups',
      ).argParser(positiveInt),
    )
    .addOption(
      new Option(
        '--batch-wait-tokens-ratio <ratio>',
        'TensorRT-LLM batch_wait_max_tokens_ratio: the share of the step token budget (--max-num-batched-tokens) whose waiting prompt and decode tokens end the --batch-wait-iters wait early',
      ).argParser(fraction),
    )
    .option('--prefix-caching', 'enable prefix caching')
    .option('--no-prefix-caching', 'disable prefix caching');
}

/** `simulate`'s router, disaggregated pools and what calibrates the step times. */
export function addPoolAndTimingOptions(command: Command): Command {
  command
    .addOption(
      new Option('--router <name>', 'how arrivals spread over replicas')
        .choices(RouterName.options)
        .default('least-outstanding'),
    )
    .addOption(new Option('--prefill-tp <n>', 'disaggregated: prefill pool TP').argParser(positiveInt))
    .addOption(new Option('--prefill-pp <n>', 'disaggregated: prefill pool PP').argParser(positiveInt))
    .addOption(new Option('--prefill-dp <n>', 'disaggregated: prefill replicas').argParser(positiveInt))
    .addOption(new Option('--decode-tp <n>', 'disaggregated: decode pool TP').argParser(positiveInt))
    .addOption(new Option('--decode-pp <n>', 'disaggregated: decode pool PP').argParser(positiveInt))
    .addOption(new Option('--decode-dp <n>', 'disaggregated: decode replicas').argParser(positiveInt));
  return addCalibrationOptions(command);
}

/** What calibrates the step times (`step` and `simulate`): a device profile, a calibration, op tables. */
export function addCalibrationOptions(command: Command): Command {
  return command
    .addOption(
      inputOption(
        '--profile <profile.json>',
        'calibrate with a measured device profile (of another device: its efficiencies carry over, its overheads do not, and a note on stderr says so)',
      ),
    )
    .addOption(
      inputOption('--calibration <calibration.json>', 'a saved calibration (servetune calibrate --out)'),
    )
    .addOption(
      inputOption(
        '--op-tables <file.csv>',
        'measured op times (Vidur mlp/attention/all_reduce CSV, or op,tokens,tp,seconds); repeatable',
      ).argParser(collect),
    )
    .addOption(perfDbOption());
}

/** `simulate`'s workload and load: spec or trace, rate, cuts, closed loop, warm-up, SLO. */
export function addWorkloadOptions(command: Command): Command {
  return command
    .option(
      '--workload <spec|file>',
      'required (with --config: default servetune.json "workload" beside the config): a workload spec (poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000) or a trace file (Azure/BurstGPT CSV, Mooncake/request-list JSONL); FILE#model=NAME keeps one model of a BurstGPT trace (e.g. burstgpt.csv#model=GPT-4). Spec shapes: curve=diurnal(PERIOD,LOW)|steps(T:F;…)|burst(EVERY,LEN,F) (rate over time); system=N[,shared=F][,templates=K] (shared system prompt / few-shot templates); turns=DIST[,think=DIST][,tool=F][,toolpause=DIST] (multi-turn sessions and agents, each turn sent after the previous answer); class=NAME,priority=P (per-class metrics, --scheduling-policy priority); join streams with + (e.g. poisson:rate=1,class=interactive + poisson:rate=20,class=batch,priority=1). Grammar and limits: docs/workloads.md, docs/limits.md',
    )
    .addOption(
      new Option(
        '--rate <r>',
        'scale arrivals to this mean rate (requests/s); with --requests or --duration (time at this rate) a trace is cut first and what is kept is scaled',
      ).argParser(positiveNumber),
    )
    .addOption(new Option('--seed <n>', 'seed of the synthetic workload').argParser(integer).default(0))
    .addOption(
      new Option('--duration <seconds>', 'keep the arrivals of the first seconds').argParser(positiveNumber),
    )
    .addOption(new Option('--requests <n>', 'keep the first n requests').argParser(positiveInt))
    .addOption(
      new Option(
        '--max-tokens <n|output>',
        "max_tokens every request asks for, which schedulers plan with (Orca and static batching reserve it); 'output': each request its own output length, as benchmark clients send it with ignore_eos; default: the rest of --max-model-len",
      ).argParser(maxTokensFlag),
    )
    .addOption(concurrencyOption(['rate', 'duration'], { predicted: true }))
    .addOption(thinkTimeOption())
    .addOption(warmUpOption())
    .addOption(warmUpPhaseOption())
    .addOption(sloOption(GOODPUT_SLO_RULES, 'latency targets for goodput'));
}

/** `--max-tokens`: a positive whole number, or `output` (each request asks for its own output length). */
function maxTokensFlag(value: string): MaxTokens {
  return value.trim() === 'output' ? 'output' : positiveInt(value);
}
