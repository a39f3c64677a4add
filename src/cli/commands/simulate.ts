import { type Command, Option } from 'commander';
import { loadCalibrationAndNote } from '../../engine/calibrate/load.js';
import { DEFAULT_ENGINE } from '../../engine/config/engines/index.js';
import { getHardware } from '../../engine/hardware/catalog.js';
import type { HardwareSpec } from '../../engine/hardware/spec.js';
import { type AllToAllBackend, describePlan, type Plan } from '../../engine/memory/plan.js';
import { findModel } from '../../engine/model/catalog.js';
import { defaultWeightDtype } from '../../engine/model/checkpoint.js';
import type { KvDtype, WeightDtype } from '../../engine/model/dtypes.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import { resolveMeasuredOps } from '../../engine/perf/measured-ops.js';
import type { MeasuredOpTables } from '../../engine/perf/op-tables.js';
import { readOpTables, StepReport } from '../../engine/perf/report.js';
import { describeServingEngine, ServingEngine } from '../../engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../engine/perf/shape.js';
import type { SpecAcceptance, SpeculationConfig } from '../../engine/perf/speculation.js';
import { compileStepModel, createStepTiming } from '../../engine/perf/step-model.js';
import { PolicyName, PreemptionMode, SchedulingPolicy } from '../../engine/sched/config.js';
import { RouterName, type SimulationConfigInput } from '../../engine/sim/config.js';
import type { MaxTokens } from '../../engine/sim/requests.js';
import { simulate } from '../../engine/sim/simulate.js';
import { RunSummary } from '../../engine/sim/summary.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { GOODPUT_SLO_RULES } from '../../engine/workload/slo.js';
import { NO_SLO } from '../../engine/workload/slo-verdict.js';
import type { Workload } from '../../engine/workload/types.js';
import { refuseWarmUpOfAll } from '../../engine/workload/warm-up.js';
import { configFileOptions, withConfigFile } from '../config-flags.js';
import {
  allToAllOfFlags,
  allToAllOption,
  eplbOption,
  expertRoutingOfFlags,
  expertSkewOption,
  imbalanceFor,
  redundantSlotsOfFlags,
} from '../expert-options.js';
import { inputOption, modelOption } from '../file-options.js';
import { printJson } from '../format.js';
import {
  checkThinkTime,
  checkWarmUpPhase,
  concurrencyOption,
  decodeOnlyCudaGraphsOption,
  deepGemmOption,
  type EngineFlags,
  engineOptions,
  fp8QBProjOption,
  fraction,
  integer,
  kvDtypeOption,
  maxCudaGraphCaptureSizeOption,
  moeBackendOptions,
  nonNegativeInt,
  nvfp4DispatchOption,
  overlapSchedulingOption,
  perfDbOption,
  positiveInt,
  positiveNumber,
  refuseKvDtypeEngineCannotStore,
  servingEngineFromFlags,
  sloOption,
  stepTokens,
  thinkTimeOption,
  warmUpOption,
  warmUpPhaseOption,
  weightDtypeOption,
} from '../options.js';
import { perfDbFor } from '../perf-db.js';
import { specAcceptanceOption, speculationOfFlags, speculativeOption } from '../speculation-options.js';
import { deploymentOfFlags, poolOverlapOfFlags, schedulerOfFlags } from './simulate-deployment.js';
import { requireSimulateInputs, type SimulateFlags, workloadOfFlags } from './simulate-inputs.js';
import { printSummary } from './simulate-summary.js';
import { formatStepBreakdown } from './step-breakdown.js';
import { describeExpertParallel, expertParallelTerms } from './step-expert-parallel.js';
import { speculativeStep } from './step-speculation.js';

function calibrationAndTables(
  flags: { profile?: string; calibration?: string; opTables?: string[] },
  hardwareId: string,
) {
  const hardware = getHardware(hardwareId);
  const { calibration, note } = loadCalibrationAndNote(flags, hardware);
  // On stderr, so that --json output stays one document.
  if (note) console.error(`note: ${note}`);
  const opTables: MeasuredOpTables | undefined =
    flags.opTables && flags.opTables.length > 0 ? readOpTables(flags.opTables) : undefined;
  return { hardware, calibration, opTables };
}

const ms = (s: number) => `${(s * 1e3).toFixed(3)} ms`;

/** The engine asked for and the measured tables that timed its steps (the nearest measured version). */
function describeTimedWith(hardware: HardwareSpec, engine: ServingEngine): string {
  return (
    resolveMeasuredOps(hardware, engine)?.describe() ??
    `${describeServingEngine(engine)}: no measured tables for ${hardware.id} or its class (roofline)`
  );
}

interface StepFlags extends EngineFlags {
  model: string;
  hardware: string;
  tp: number;
  pp: number;
  dp: number;
  ep: number;
  expertSkew?: number;
  eplbRedundant?: number;
  allToAll?: AllToAllBackend;
  weightDtype?: WeightDtype;
  kvDtype: KvDtype;
  prefillTokens: number;
  prefillContext: number;
  decodeBatch: number;
  decodeContext: number;
  profile?: string;
  calibration?: string;
  opTables?: string[];
  perfDb?: string;
  speculative?: SpeculationConfig;
  specAcceptance?: SpecAcceptance;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const ENGINE_PURPOSE =
  'serving engine whose measured op tables, all-reduce, CUDA graphs and overhead time the steps (default: roofline × default efficiencies)';

export function registerSimulateCommands(program: Command): void {
  registerStepCommand(program);
  registerSimulateCommand(program);
}

/** `step`: one engine iteration's predicted time, op by op. */
function registerStepCommand(program: Command): void {
  const command = program
    .command('step')
    .description('the predicted time of one engine iteration, op by op')
    .addOption(modelOption().makeOptionMandatory())
    .requiredOption('--hardware <id>', 'GPU from the hardware catalog')
    .addOption(new Option('--tp <n>', 'tensor parallel degree').argParser(positiveInt).default(1))
    .addOption(new Option('--pp <n>', 'pipeline parallel degree').argParser(positiveInt).default(1))
    .addOption(
      new Option(
        '--dp <n>',
        'attention data-parallel ranks whose batches meet in the EP group (SGLang --enable-dp-attention, vLLM DP + EP); each carries this batch',
      )
        .argParser(positiveInt)
        .default(1),
    )
    .addOption(new Option('--ep <n>', 'expert parallel degree (MoE)').argParser(positiveInt).default(1))
    .addOption(expertSkewOption())
    .addOption(eplbOption())
    .addOption(allToAllOption())
    .addOption(weightDtypeOption(true))
    .addOption(kvDtypeOption())
    .addOption(
      new Option('--prefill-tokens <n>', 'prompt tokens in the step').argParser(stepTokens).default(0),
    )
    .addOption(
      new Option('--prefill-context <n>', 'tokens already cached before the prefill chunk')
        .argParser(stepTokens)
        .default(0),
    )
    .addOption(
      new Option('--decode-batch <n>', 'sequences decoding one token').argParser(nonNegativeInt).default(0),
    )
    .addOption(
      new Option('--decode-context <n>', 'cached tokens of each decoding sequence')
        .argParser(stepTokens)
        .default(0),
    )
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
  addEngineOptions(command)
    .addOption(speculativeOption())
    .addOption(specAcceptanceOption())
    .option('--json', 'print JSON (schema: StepReport)')
    .action(runStep);
}

/** `simulate`: a workload served request by request, summarized. */
function registerSimulateCommand(program: Command): void {
  const command = program
    .command('simulate')
    .description('simulate serving a workload, request by request, and summarize latency and throughput')
    .addOption(configFileOptions()[0])
    .addOption(configFileOptions()[1])
    .addOption(configFileOptions()[2])
    .addOption(
      modelOption(
        undefined,
        'catalog model id, Hugging Face repository id, or a config.json (required unless --config names one)',
      ),
    )
    .option('--hardware <id>', 'GPU from the hardware catalog (required unless --config names one)')
    .addOption(new Option('--tp <n>', 'tensor parallel degree').argParser(positiveInt).default(1))
    .addOption(new Option('--pp <n>', 'pipeline parallel degree').argParser(positiveInt).default(1))
    .addOption(new Option('--dp <n>', 'data parallel replicas').argParser(positiveInt).default(1))
    .addOption(new Option('--ep <n>', 'expert parallel degree (MoE)').argParser(positiveInt).default(1))
    .addOption(weightDtypeOption(true))
    .addOption(kvDtypeOption());
  addSchedulerOptions(command);
  addQueueAndCacheOptions(command);
  addPoolAndTimingOptions(command);
  addWorkloadOptions(command);
  addEngineOptions(command)
    .addOption(overlapSchedulingOption())
    .addOption(expertSkewOption())
    .addOption(eplbOption())
    .addOption(allToAllOption())
    .addOption(speculativeOption())
    .addOption(specAcceptanceOption())
    .option('--json', 'print JSON (schema: RunSummary)')
    .action(runSimulate);
}

/** The serving engine and the kernels its launch selected, as `step` and `simulate` both take them. */
function addEngineOptions(command: Command): Command {
  for (const option of [...engineOptions(ENGINE_PURPOSE), ...moeBackendOptions()]) command.addOption(option);
  return command
    .addOption(deepGemmOption())
    .addOption(nvfp4DispatchOption())
    .addOption(fp8QBProjOption())
    .addOption(decodeOnlyCudaGraphsOption())
    .addOption(maxCudaGraphCaptureSizeOption());
}

/** `simulate`'s scheduler: policy, step budgets, chunking, KV blocks and memory, context length. */
function addSchedulerOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--scheduler <name>', 'scheduling policy').choices(PolicyName.options).default('vllm-v1'),
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
function addQueueAndCacheOptions(command: Command): Command {
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
function addPoolAndTimingOptions(command: Command): Command {
  return command
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
    .addOption(new Option('--decode-dp <n>', 'disaggregated: decode replicas').argParser(positiveInt))
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
      inputOption('--op-tables <file.csv>', 'measured op times (Vidur CSV layouts); repeatable').argParser(
        collect,
      ),
    )
    .addOption(perfDbOption());
}

/** `simulate`'s workload and load: spec or trace, rate, cuts, closed loop, warm-up, SLO. */
function addWorkloadOptions(command: Command): Command {
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

/** `servetune step`: checks the batch, predicts the step and prints it (or its JSON). */
async function runStep(flags: StepFlags): Promise<void> {
  if (flags.prefillTokens === 0 && flags.decodeBatch === 0) {
    throw new ServeTuneError(
      'give --prefill-tokens and/or --decode-batch: the step is empty',
      'invalid-argument',
      '--prefill-tokens',
    );
  }
  const step = await predictStep(flags);
  if (flags.json) return printJson(step.report);
  printStep(flags, step);
}

/** The step model the flags describe: model, GPU, plan, calibration, tables and engine. */
async function stepModelOfFlags(flags: StepFlags) {
  const model = await resolveModelAsync(flags.model);
  const { hardware, calibration, opTables } = calibrationAndTables(flags, flags.hardware);
  const plan: Plan = {
    tp: flags.tp,
    pp: flags.pp,
    dp: flags.dp,
    ep: flags.ep,
    ...redundantSlotsOfFlags(flags),
    ...allToAllOfFlags(flags),
    weightDtype: flags.weightDtype ?? defaultWeightDtype(model),
    kvDtype: flags.kvDtype,
  };
  refuseKvDtypeEngineCannotStore(flags.engine, flags.kvDtype);
  const engine = servingEngineFromFlags(flags);
  const expertImbalance = imbalanceFor(model, plan.ep, expertRoutingOfFlags(flags));
  const perfDb = await perfDbFor(flags.perfDb, hardware.id, engine?.id ?? DEFAULT_ENGINE);
  const stepModel = compileStepModel(model, hardware, plan, {
    calibration,
    opTables,
    measuredTables: perfDb.tables,
    engine,
    expertImbalance,
  });
  return { model, hardware, calibration, opTables, plan, engine, expertImbalance, perfDb, stepModel };
}

/** The flags' batch timed by their step model (with a speculative draft where asked): the StepReport. */
async function predictStep(flags: StepFlags) {
  const compiled = await stepModelOfFlags(flags);
  const { model, hardware, calibration, opTables, plan, engine, expertImbalance, perfDb, stepModel } =
    compiled;
  const shape = createBatchShape(model.slidingWindow);
  if (flags.prefillTokens > 0) addPrefillChunk(shape, flags.prefillTokens, flags.prefillContext, true);
  const speculation = speculationOfFlags(flags);
  const spec = speculation
    ? speculativeStep(speculation, model, hardware, plan, stepModel, calibration, shape, flags)
    : undefined;
  if (!spec) addUniformDecodes(shape, flags.decodeBatch, flags.decodeContext);
  const timing = createStepTiming();
  const total = stepModel.timeStep(shape, timing) + (spec?.draftSeconds ?? 0);
  const breakdown = [...stepModel.breakdown(shape), ...(spec ? [spec.entry] : [])];
  const report = StepReport.parse({
    model: model.id,
    hardware: hardware.id,
    plan: { tp: plan.tp, pp: plan.pp, ep: plan.ep, weightDtype: plan.weightDtype, kvDtype: plan.kvDtype },
    batch: {
      prefillTokens: flags.prefillTokens,
      prefillContext: flags.prefillContext,
      decodeBatch: flags.decodeBatch,
      decodeContext: flags.decodeContext,
    },
    calibration:
      stepModel.calibration.source +
      (opTables ? ` + tables: ${opTables.source}` : '') +
      (perfDb.note ? ` + ${perfDb.note}` : ''),
    engine:
      stepModel.measured?.describe() ??
      (engine ? `${engine.id}: no measured tables for ${hardware.id} or its class` : null),
    totalSeconds: total,
    parts: {
      overheadSeconds: timing.overheadSeconds,
      stageSeconds: timing.stageSeconds,
      stageSendSeconds: timing.stageSendSeconds,
      headSeconds: timing.headSeconds,
    },
    breakdown,
    ...(plan.ep > 1
      ? { expertParallel: expertParallelTerms(plan, hardware, expertImbalance, breakdown) }
      : {}),
    ...(spec ? { speculation: spec.report } : {}),
  });
  return { model, hardware, plan, spec, total, report };
}

/** The predicted step in words: deployment, engine, batch, speculation, EP terms and the op breakdown. */
function printStep(flags: StepFlags, step: Awaited<ReturnType<typeof predictStep>>): void {
  const { model, hardware, plan, spec, total, report } = step;
  console.log(
    `${model.name} on ${hardware.name}, ${describePlan(plan)} (${plan.weightDtype} weights, ${plan.kvDtype} KV); calibration ${report.calibration}`,
  );
  if (report.engine) console.log(`engine: ${report.engine}`);
  console.log(
    `batch: ${flags.prefillTokens} prefill tokens after ${flags.prefillContext} cached, ${flags.decodeBatch} decodes at context ${flags.decodeContext}\n`,
  );
  if (spec) console.log(`${spec.summaryLine}\n`);
  if (report.expertParallel) console.log(`${describeExpertParallel(report.expertParallel)}\n`);
  console.log(formatStepBreakdown(report));
  console.log(`\nstep time: ${ms(total)}`);
}

/** `servetune simulate`: the flags (or --config) as a deployment and workload, simulated and summarized. */
async function runSimulate(given: SimulateFlags, command: Command): Promise<void> {
  const flags = requireSimulateInputs(withConfigFile(given, command));
  checkThinkTime(flags);
  checkWarmUpPhase(flags);
  const model = await resolveModelAsync(flags.model);
  const { hardware, calibration, opTables } = calibrationAndTables(flags, flags.hardware);
  const sides = poolOverlapOfFlags(flags);
  // One side of a file's pair: each pool runs its own servers' overlap setting, not the engine's.
  const engine = servingEngineFromFlags(sides ? { ...flags, overlapScheduling: undefined } : flags);
  const perfDb = await perfDbFor(flags.perfDb, hardware.id, engine?.id ?? DEFAULT_ENGINE);
  if (perfDb.note && !flags.json) console.error(`note: ${perfDb.note}`);
  const scheduler = schedulerOfFlags(flags);
  refuseKvDtypeEngineCannotStore(flags.engine, flags.kvDtype);
  const deployment = deploymentOfFlags(flags, model, scheduler, sides);
  const config: SimulationConfigInput = {
    // Catalog entries travel by id (short JSON); a config.json model travels whole.
    model: findModel(flags.model) ? model.id : model,
    hardware: hardware.id,
    router: flags.router,
    calibration,
    engine,
    slo: flags.slo ?? NO_SLO,
    seed: flags.seed,
    deployment,
  };
  const workload = workloadOfFlags(flags);
  refuseWarmUpOfAll(flags.warmUpRequests, workload.requests.length, '--warm-up-requests');
  const summary = RunSummary.parse(
    simulate(config, workload, {
      opTables,
      measuredTables: perfDb.tables,
      closedLoop:
        flags.concurrency !== undefined
          ? {
              concurrency: flags.concurrency,
              thinkSeconds: flags.thinkTime,
              ...(flags.warmUpPhase ? { warmUpPhase: flags.warmUpRequests } : {}),
            }
          : undefined,
      warmUpRequests: flags.warmUpRequests,
      maxTokens: flags.maxTokens,
    }),
  );
  if (flags.json) printJson(summary);
  else {
    printSummary(summary, workload.source);
    if (flags.configSource) console.log(`config: ${flags.configSource}`);
    if (config.engine)
      console.log(`engine: ${describeTimedWith(hardware, ServingEngine.parse(config.engine))}`);
  }
  if (!summary.feasible) process.exitCode = 3;
  else if (summary.requests.completed === 0) {
    const limit = flags.maxModelLen ?? model.maxContextLength;
    process.stderr.write(`servetune: error: ${allFailedReason(summary, workload, limit)}\n`);
    process.exitCode = 3;
  }
}

/** Why a run served none of its requests: all longer than the context, or none admitted to the KV cache. */
function allFailedReason(summary: RunSummary, workload: Workload, maxModelLen: number): string {
  const shortest = Math.min(...workload.requests.map((r) => r.promptTokens + r.outputTokens));
  const why =
    shortest > maxModelLen
      ? `every request is longer than max-model-len ${maxModelLen} (the shortest is ${shortest} tokens of prompt and output); raise --max-model-len or use a model with a longer context`
      : 'no request could be admitted: each needs more KV cache than the plan leaves (`servetune memory` shows the capacity); give more GPUs, a lower --max-model-len or a smaller --block-size';
  return `all ${summary.requests.total} requests failed: ${why}`;
}
