import type { Command } from 'commander';
import { DEFAULT_ENGINE } from '../../engine/config/engines/index.js';
import type { HardwareSpec } from '../../engine/hardware/spec.js';
import { findModel } from '../../engine/model/catalog.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import { resolveMeasuredOps } from '../../engine/perf/measured-ops.js';
import { describeServingEngine, ServingEngine } from '../../engine/perf/serving-engine.js';
import type { SimulationConfigInput } from '../../engine/sim/config.js';
import { simulate } from '../../engine/sim/simulate.js';
import { RunSummary } from '../../engine/sim/summary.js';
import { NO_SLO } from '../../engine/workload/slo-verdict.js';
import type { Workload } from '../../engine/workload/types.js';
import { refuseWarmUpOfAll } from '../../engine/workload/warm-up.js';
import { configFileOptions, withConfigFile } from '../config-flags.js';
import { allToAllOption, eplbOption, expertSkewOption, moeTensorParallelOption } from '../expert-options.js';
import { printJson } from '../format.js';
import {
  checkThinkTime,
  checkWarmUpPhase,
  overlapSchedulingOption,
  refuseKvDtypeEngineCannotStore,
  servingEngineFromFlags,
} from '../options.js';
import { perfDbFor } from '../perf-db.js';
import { addPlanOptions, DP_REPLICAS } from '../plan-options.js';
import { specAcceptanceOption, speculativeOption } from '../speculation-options.js';
import { calibrationAndTables } from './calibration-tables.js';
import { deploymentOfFlags, poolOverlapOfFlags, schedulerOfFlags } from './simulate-deployment.js';
import { requireSimulateInputs, type SimulateFlags, workloadOfFlags } from './simulate-inputs.js';
import {
  addEngineOptions,
  addPoolAndTimingOptions,
  addQueueAndCacheOptions,
  addSchedulerOptions,
  addWorkloadOptions,
} from './simulate-options.js';
import { printSummary } from './simulate-summary.js';
import { registerStepCommand } from './step.js';

/** The engine asked for and the measured tables that timed its steps (the nearest measured version). */
function describeTimedWith(hardware: HardwareSpec, engine: ServingEngine): string {
  return (
    resolveMeasuredOps(hardware, engine)?.describe() ??
    `${describeServingEngine(engine)}: no measured tables for ${hardware.id} or its class (roofline)`
  );
}

export function registerSimulateCommands(program: Command): void {
  registerStepCommand(program);
  registerSimulateCommand(program);
}

/** `simulate`: a workload served request by request, summarized. */
function registerSimulateCommand(program: Command): void {
  const command = program
    .command('simulate')
    .description('simulate serving a workload, request by request, and summarize latency and throughput');
  for (const option of configFileOptions()) command.addOption(option);
  addPlanOptions(command, { dp: DP_REPLICAS, fromConfig: true });
  addSchedulerOptions(command);
  addQueueAndCacheOptions(command);
  addPoolAndTimingOptions(command);
  addWorkloadOptions(command);
  addEngineOptions(command)
    .addOption(overlapSchedulingOption())
    .addOption(expertSkewOption())
    .addOption(eplbOption())
    .addOption(allToAllOption())
    .addOption(moeTensorParallelOption())
    .addOption(speculativeOption())
    .addOption(specAcceptanceOption())
    .option('--json', 'print JSON (schema: RunSummary)')
    .action(runSimulate);
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
      calibrationFile: flags.calibration,
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
