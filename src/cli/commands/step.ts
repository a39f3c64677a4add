// `servetune step`: one engine iteration's predicted time, op by op, from a model, GPU, plan and batch.
import { type Command, Option } from 'commander';
import { DEFAULT_ENGINE } from '../../engine/config/engines/index.js';
import { describePlan } from '../../engine/memory/plan.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import { StepReport } from '../../engine/perf/report.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../engine/perf/shape.js';
import type { SpecAcceptance, SpeculationConfig } from '../../engine/perf/speculation.js';
import { compileStepModel, createStepTiming } from '../../engine/perf/step-model.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import {
  allToAllOption,
  eplbOption,
  expertRoutingOfFlags,
  expertSkewOption,
  imbalanceFor,
  moeTensorParallelOption,
} from '../expert-options.js';
import { printJson } from '../format.js';
import {
  type EngineFlags,
  nonNegativeInt,
  refuseKvDtypeEngineCannotStore,
  servingEngineFromFlags,
  stepTokens,
} from '../options.js';
import { perfDbFor } from '../perf-db.js';
import { addPlanOptions, type ExpertFlags, type PlanFlags, planOfFlags } from '../plan-options.js';
import { specAcceptanceOption, speculationOfFlags, speculativeOption } from '../speculation-options.js';
import { calibrationAndTables } from './calibration-tables.js';
import { addCalibrationOptions, addEngineOptions } from './simulate-options.js';
import { formatStepBreakdown } from './step-breakdown.js';
import { describeExpertParallel, expertParallelTerms } from './step-expert-parallel.js';
import { speculativeStep } from './step-speculation.js';

const ms = (s: number) => `${(s * 1e3).toFixed(3)} ms`;

interface StepFlags extends PlanFlags, ExpertFlags, EngineFlags {
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

/** `step`: one engine iteration's predicted time, op by op. */
export function registerStepCommand(program: Command): void {
  const command = addPlanOptions(
    program.command('step').description('the predicted time of one engine iteration, op by op'),
    {
      dp: 'attention data-parallel ranks whose batches meet in the EP group (SGLang --enable-dp-attention, vLLM DP + EP); each carries this batch',
      afterDegrees: [expertSkewOption(), eplbOption(), allToAllOption(), moeTensorParallelOption()],
    },
  )
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
    );
  addCalibrationOptions(command);
  addEngineOptions(command)
    .addOption(speculativeOption())
    .addOption(specAcceptanceOption())
    .option('--json', 'print JSON (schema: StepReport)')
    .action(runStep);
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
  const plan = planOfFlags(flags, model);
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
