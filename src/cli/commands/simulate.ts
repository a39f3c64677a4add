import { type Command, Option } from 'commander';
import { DEFAULT_ENGINE } from '../../engine/config/engines/index.js';
import type { HardwareSpec } from '../../engine/hardware/spec.js';
import { type AllToAllBackend, describePlan, type Plan } from '../../engine/memory/plan.js';
import { findModel } from '../../engine/model/catalog.js';
import { defaultWeightDtype } from '../../engine/model/checkpoint.js';
import type { KvDtype, WeightDtype } from '../../engine/model/dtypes.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import { resolveMeasuredOps } from '../../engine/perf/measured-ops.js';
import { StepReport } from '../../engine/perf/report.js';
import { describeServingEngine, ServingEngine } from '../../engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../engine/perf/shape.js';
import type { SpecAcceptance, SpeculationConfig } from '../../engine/perf/speculation.js';
import { compileStepModel, createStepTiming } from '../../engine/perf/step-model.js';
import type { SimulationConfigInput } from '../../engine/sim/config.js';
import { simulate } from '../../engine/sim/simulate.js';
import { RunSummary } from '../../engine/sim/summary.js';
import { ServeTuneError } from '../../engine/util/errors.js';
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
  type EngineFlags,
  kvDtypeOption,
  nonNegativeInt,
  overlapSchedulingOption,
  perfDbOption,
  positiveInt,
  refuseKvDtypeEngineCannotStore,
  servingEngineFromFlags,
  stepTokens,
  weightDtypeOption,
} from '../options.js';
import { perfDbFor } from '../perf-db.js';
import { specAcceptanceOption, speculationOfFlags, speculativeOption } from '../speculation-options.js';
import { calibrationAndTables } from './calibration-tables.js';
import { deploymentOfFlags, poolOverlapOfFlags, schedulerOfFlags } from './simulate-deployment.js';
import { requireSimulateInputs, type SimulateFlags, workloadOfFlags } from './simulate-inputs.js';
import {
  addEngineOptions,
  addPoolAndTimingOptions,
  addQueueAndCacheOptions,
  addSchedulerOptions,
  addWorkloadOptions,
  collect,
} from './simulate-options.js';
import { printSummary } from './simulate-summary.js';
import { formatStepBreakdown } from './step-breakdown.js';
import { describeExpertParallel, expertParallelTerms } from './step-expert-parallel.js';
import { speculativeStep } from './step-speculation.js';

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
