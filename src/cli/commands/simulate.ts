import { type Command, Option } from 'commander';
import { loadCalibration } from '../../engine/calibrate/load.js';
import { getHardware } from '../../engine/hardware/catalog.js';
import type { HardwareSpec } from '../../engine/hardware/spec.js';
import { describePlan, type Plan } from '../../engine/memory/plan.js';
import { findModel } from '../../engine/model/catalog.js';
import { defaultWeightDtype } from '../../engine/model/checkpoint.js';
import type { KvDtype, WeightDtype } from '../../engine/model/dtypes.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import { resolveMeasuredOps } from '../../engine/perf/measured-ops.js';
import type { MeasuredOpTables } from '../../engine/perf/op-tables.js';
import { readOpTables, StepReport } from '../../engine/perf/report.js';
import { describeServingEngine, ServingEngine } from '../../engine/perf/serving-engine.js';
import { addPrefillChunk, addUniformDecodes, createBatchShape } from '../../engine/perf/shape.js';
import { compileStepModel, createStepTiming } from '../../engine/perf/step-model.js';
import { PolicyName, PreemptionMode, type SchedulerConfig } from '../../engine/sched/config.js';
import { RouterName, type SimulationConfigInput } from '../../engine/sim/config.js';
import { simulate } from '../../engine/sim/simulate.js';
import { type MetricSummary, RunSummary } from '../../engine/sim/summary.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { loadWorkload } from '../../engine/workload/load.js';
import { GOODPUT_SLO_RULES, type SloTargets } from '../../engine/workload/slo.js';
import type { Workload } from '../../engine/workload/types.js';
import { inputOption, modelOption } from '../file-options.js';
import { printJson, table } from '../format.js';
import {
  checkThinkTime,
  concurrencyOption,
  type EngineFlags,
  engineOptions,
  fraction,
  integer,
  kvDtypeOption,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
  servingEngineFromFlags,
  sloOption,
  thinkTimeOption,
  warmUpOption,
  weightDtypeOption,
} from '../options.js';
import { formatStepBreakdown } from './step-breakdown.js';

function calibrationAndTables(
  flags: { profile?: string; calibration?: string; opTables?: string[] },
  hardwareId: string,
) {
  const hardware = getHardware(hardwareId);
  const calibration = loadCalibration(flags, hardware);
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
  ep: number;
  weightDtype?: WeightDtype;
  kvDtype: KvDtype;
  prefillTokens: number;
  prefillContext: number;
  decodeBatch: number;
  decodeContext: number;
  profile?: string;
  calibration?: string;
  opTables?: string[];
  json?: boolean;
}

interface SimulateFlags extends EngineFlags {
  model: string;
  hardware: string;
  tp: number;
  pp: number;
  dp: number;
  ep: number;
  /** Absent: the model's published format (defaultWeightDtype). */
  weightDtype?: WeightDtype;
  kvDtype: KvDtype;
  scheduler: PolicyName;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  blockSize?: number;
  gpuMemoryUtilization?: number;
  maxModelLen?: number;
  chunkedPrefillSize?: number;
  scheduleConservativeness?: number;
  preemption?: 'recompute' | 'swap';
  prefixCaching?: boolean;
  router: RouterName;
  prefillTp?: number;
  prefillPp?: number;
  prefillDp?: number;
  decodeTp?: number;
  decodePp?: number;
  decodeDp?: number;
  profile?: string;
  calibration?: string;
  opTables?: string[];
  workload: string;
  rate?: number;
  seed: number;
  duration?: number;
  requests?: number;
  concurrency?: number;
  thinkTime?: number;
  warmUpRequests?: number;
  slo?: SloTargets;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const ENGINE_PURPOSE =
  'serving engine whose measured op tables, all-reduce, CUDA graphs and overhead time the steps (default: roofline × default efficiencies)';

export function registerSimulateCommands(program: Command): void {
  program
    .command('step')
    .description('the predicted time of one engine iteration, op by op')
    .addOption(modelOption().makeOptionMandatory())
    .requiredOption('--hardware <id>', 'GPU from the hardware catalog')
    .addOption(new Option('--tp <n>', 'tensor parallel degree').argParser(positiveInt).default(1))
    .addOption(new Option('--pp <n>', 'pipeline parallel degree').argParser(positiveInt).default(1))
    .addOption(new Option('--ep <n>', 'expert parallel degree (MoE)').argParser(positiveInt).default(1))
    .addOption(weightDtypeOption(true))
    .addOption(kvDtypeOption())
    .addOption(
      new Option('--prefill-tokens <n>', 'prompt tokens in the step').argParser(nonNegativeInt).default(0),
    )
    .addOption(
      new Option('--prefill-context <n>', 'tokens already cached before the prefill chunk')
        .argParser(nonNegativeInt)
        .default(0),
    )
    .addOption(
      new Option('--decode-batch <n>', 'sequences decoding one token').argParser(nonNegativeInt).default(0),
    )
    .addOption(
      new Option('--decode-context <n>', 'cached tokens of each decoding sequence')
        .argParser(nonNegativeInt)
        .default(0),
    )
    .addOption(inputOption('--profile <profile.json>', 'calibrate with a measured device profile'))
    .addOption(
      inputOption('--calibration <calibration.json>', 'a saved calibration (servetune calibrate --out)'),
    )
    .addOption(
      inputOption(
        '--op-tables <file.csv>',
        'measured op times (Vidur mlp/attention/all_reduce CSV, or op,tokens,tp,seconds); repeatable',
      ).argParser(collect),
    )
    .addOption(engineOptions(ENGINE_PURPOSE)[0])
    .addOption(engineOptions(ENGINE_PURPOSE)[1])
    .addOption(engineOptions(ENGINE_PURPOSE)[2])
    .option('--json', 'print JSON (schema: StepReport)')
    .action(async (flags: StepFlags) => {
      if (flags.prefillTokens === 0 && flags.decodeBatch === 0) {
        throw new ServeTuneError(
          'give --prefill-tokens and/or --decode-batch: the step is empty',
          'invalid-argument',
          '--prefill-tokens',
        );
      }
      const model = await resolveModelAsync(flags.model);
      const { hardware, calibration, opTables } = calibrationAndTables(flags, flags.hardware);
      const plan: Plan = {
        tp: flags.tp,
        pp: flags.pp,
        dp: 1,
        ep: flags.ep,
        weightDtype: flags.weightDtype ?? defaultWeightDtype(model),
        kvDtype: flags.kvDtype,
      };
      const engine = servingEngineFromFlags(flags);
      const stepModel = compileStepModel(model, hardware, plan, { calibration, opTables, engine });
      const shape = createBatchShape(model.slidingWindow);
      if (flags.prefillTokens > 0) addPrefillChunk(shape, flags.prefillTokens, flags.prefillContext, true);
      addUniformDecodes(shape, flags.decodeBatch, flags.decodeContext);
      const timing = createStepTiming();
      const total = stepModel.timeStep(shape, timing);
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
        calibration: stepModel.calibration.source + (opTables ? ` + tables: ${opTables.source}` : ''),
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
        breakdown: stepModel.breakdown(shape),
      });
      if (flags.json) return printJson(report);
      console.log(
        `${model.name} on ${hardware.name}, ${describePlan(plan)} (${plan.weightDtype} weights, ${plan.kvDtype} KV); calibration ${report.calibration}`,
      );
      if (report.engine) console.log(`engine: ${report.engine}`);
      console.log(
        `batch: ${flags.prefillTokens} prefill tokens after ${flags.prefillContext} cached, ${flags.decodeBatch} decodes at context ${flags.decodeContext}\n`,
      );
      console.log(formatStepBreakdown(report));
      console.log(`\nstep time: ${ms(total)}`);
    });

  program
    .command('simulate')
    .description('simulate serving a workload, request by request, and summarize latency and throughput')
    .addOption(modelOption().makeOptionMandatory())
    .requiredOption('--hardware <id>', 'GPU from the hardware catalog')
    .addOption(new Option('--tp <n>', 'tensor parallel degree').argParser(positiveInt).default(1))
    .addOption(new Option('--pp <n>', 'pipeline parallel degree').argParser(positiveInt).default(1))
    .addOption(new Option('--dp <n>', 'data parallel replicas').argParser(positiveInt).default(1))
    .addOption(new Option('--ep <n>', 'expert parallel degree (MoE)').argParser(positiveInt).default(1))
    .addOption(weightDtypeOption(true))
    .addOption(kvDtypeOption())
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
      new Option('--schedule-conservativeness <x>', 'SGLang admission conservativeness').argParser(
        positiveNumber,
      ),
    )
    .addOption(new Option('--block-size <n>', 'KV cache block size').argParser(positiveInt))
    .addOption(
      new Option('--gpu-memory-utilization <fraction>', 'share of GPU memory the engine may use').argParser(
        fraction,
      ),
    )
    .addOption(new Option('--max-model-len <n>', 'longest prompt + output accepted').argParser(positiveInt))
    .addOption(new Option('--preemption <mode>', 'preemption mode').choices(PreemptionMode.options))
    .option('--prefix-caching', 'enable prefix caching')
    .option('--no-prefix-caching', 'disable prefix caching')
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
    .addOption(inputOption('--profile <profile.json>', 'calibrate with a measured device profile'))
    .addOption(
      inputOption('--calibration <calibration.json>', 'a saved calibration (servetune calibrate --out)'),
    )
    .addOption(
      inputOption('--op-tables <file.csv>', 'measured op times (Vidur CSV layouts); repeatable').argParser(
        collect,
      ),
    )
    .requiredOption(
      '--workload <spec|file>',
      'a workload spec (poisson:rate=4,prompt=lognormal(1024,0.8),output=fixed(256),n=1000) or a trace file (Azure/BurstGPT CSV, Mooncake/request-list JSONL); FILE#model=NAME keeps one model of a BurstGPT trace (e.g. burstgpt.csv#model=GPT-4); limits in docs/limits.md',
    )
    .addOption(
      new Option('--rate <r>', 'scale arrivals to this mean rate (requests/s)').argParser(positiveNumber),
    )
    .addOption(new Option('--seed <n>', 'seed of the synthetic workload').argParser(integer).default(0))
    .addOption(
      new Option('--duration <seconds>', 'keep the arrivals of the first seconds').argParser(positiveNumber),
    )
    .addOption(new Option('--requests <n>', 'keep the first n requests').argParser(positiveInt))
    .addOption(concurrencyOption(['rate', 'duration']))
    .addOption(thinkTimeOption())
    .addOption(warmUpOption())
    .addOption(sloOption(GOODPUT_SLO_RULES, 'latency targets for goodput'))
    .addOption(engineOptions(ENGINE_PURPOSE)[0])
    .addOption(engineOptions(ENGINE_PURPOSE)[1])
    .addOption(engineOptions(ENGINE_PURPOSE)[2])
    .option('--json', 'print JSON (schema: RunSummary)')
    .action(async (flags: SimulateFlags) => {
      checkThinkTime(flags);
      const model = await resolveModelAsync(flags.model);
      const { hardware, calibration, opTables } = calibrationAndTables(flags, flags.hardware);
      const scheduler: SchedulerConfig = {
        policy: flags.scheduler,
        maxNumSeqs: flags.maxNumSeqs,
        maxNumBatchedTokens: flags.maxNumBatchedTokens,
        chunkedPrefillSize: flags.chunkedPrefillSize,
        scheduleConservativeness: flags.scheduleConservativeness,
        blockSize: flags.blockSize,
        gpuMemoryUtilization: flags.gpuMemoryUtilization,
        maxModelLen: flags.maxModelLen,
        preemption: flags.preemption,
        enablePrefixCaching: flags.prefixCaching,
      };
      const planOf = (tp: number, pp: number, dp: number): Plan => ({
        tp,
        pp,
        dp,
        ep: flags.ep,
        weightDtype: flags.weightDtype ?? defaultWeightDtype(model),
        kvDtype: flags.kvDtype,
      });
      const disaggregated = [
        flags.prefillTp,
        flags.prefillPp,
        flags.prefillDp,
        flags.decodeTp,
        flags.decodePp,
        flags.decodeDp,
      ].some((v) => v !== undefined);
      const config: SimulationConfigInput = {
        // Catalog entries travel by id (short JSON); a config.json model travels whole.
        model: findModel(flags.model) ? model.id : model,
        hardware: hardware.id,
        router: flags.router,
        calibration,
        engine: servingEngineFromFlags(flags),
        slo: flags.slo ?? {},
        seed: flags.seed,
        deployment: disaggregated
          ? {
              kind: 'disaggregated',
              prefill: {
                plan: planOf(flags.prefillTp ?? flags.tp, flags.prefillPp ?? flags.pp, flags.prefillDp ?? 1),
                scheduler,
              },
              decode: {
                plan: planOf(flags.decodeTp ?? flags.tp, flags.decodePp ?? flags.pp, flags.decodeDp ?? 1),
                scheduler,
              },
            }
          : { kind: 'colocated', pool: { plan: planOf(flags.tp, flags.pp, flags.dp), scheduler } },
      };
      const workload = loadWorkload(flags.workload, {
        rate: flags.rate,
        seed: flags.seed,
        durationSeconds: flags.duration,
        count: flags.requests,
      });
      if (workload.requests.length === 0) {
        const flag = flags.duration !== undefined ? '--duration' : '--workload';
        throw new ServeTuneError(
          `no requests to simulate: ${flag === '--duration' ? `none of ${flags.workload} arrives within --duration ${flags.duration} s` : `${flags.workload} holds none`}`,
          'invalid-argument',
          flag,
        );
      }
      const summary = RunSummary.parse(
        simulate(config, workload, {
          opTables,
          closedLoop:
            flags.concurrency !== undefined
              ? { concurrency: flags.concurrency, thinkSeconds: flags.thinkTime }
              : undefined,
          warmUpRequests: flags.warmUpRequests,
        }),
      );
      if (flags.json) printJson(summary);
      else {
        printSummary(summary, workload.source);
        if (config.engine)
          console.log(`engine: ${describeTimedWith(hardware, ServingEngine.parse(config.engine))}`);
      }
      if (!summary.feasible) process.exitCode = 3;
      else if (summary.requests.completed === 0) {
        const limit = flags.maxModelLen ?? model.maxContextLength;
        process.stderr.write(`servetune: error: ${allFailedReason(summary, workload, limit)}\n`);
        process.exitCode = 3;
      }
    });
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

export function printSummary(s: RunSummary, source: string): void {
  console.log(`${s.label}\nworkload: ${source}`);
  if (s.load) console.log(describeLoad(s.load));
  if (!s.feasible) {
    console.log(`\nInfeasible, not simulated:\n  ${s.problems.join('\n  ')}`);
    return;
  }
  const row = (name: string, m: MetricSummary | null) =>
    m
      ? [name, ms(m.mean), ms(m.p50), ms(m.p90), ms(m.p99), String(m.count)]
      : [name, '-', '-', '-', '-', '0'];
  console.log(
    `\n${s.requests.completed}/${s.requests.total} requests completed (${s.requests.failed} failed) over ${s.simulatedSeconds.toFixed(1)} s ${s.kind === 'measured' ? `measured (wall ${s.wallSeconds.toFixed(2)} s)` : `simulated in ${s.wallSeconds.toFixed(2)} s (${s.steps} steps)`}\n`,
  );
  console.log(
    table([
      ['metric', 'mean', 'p50', 'p90', 'p99', 'samples'],
      row('TTFT', s.ttft),
      row('TPOT', s.tpot),
      row('ITL', s.itl),
      row('E2E', s.e2e),
      row('queueing', s.queueing),
      ...(s.kvTransfer ? [row('KV transfer', s.kvTransfer)] : []),
    ]),
  );
  const t = s.throughput;
  console.log(
    `\nthroughput: ${t.requestsPerSecond.toFixed(2)} req/s, ${t.outputTokensPerSecond.toFixed(0)} output tok/s (${t.outputTokensPerSecondPerGpu.toFixed(0)} per GPU over ${s.gpus} GPUs), ${t.totalTokensPerSecond.toFixed(0)} total tok/s`,
  );
  if (s.goodput) {
    console.log(
      `goodput: ${s.goodput.requestsPerSecond.toFixed(2)} req/s (${(100 * s.goodput.fraction).toFixed(1)}% of requests meet ${JSON.stringify(s.goodput.slo)})`,
    );
  }
  console.log(
    `preemptions: ${s.preemptions}; mean batch ${s.batchSize?.mean.toFixed(1) ?? '-'}; KV utilization mean ${((s.kvUtilization?.mean ?? 0) * 100).toFixed(1)}%, peak ${((s.kvUtilization?.peak ?? 0) * 100).toFixed(1)}%` +
      (s.prefixCache ? `; prefix cache hit rate ${(100 * s.prefixCache.hitRate).toFixed(1)}%` : ''),
  );
  if (s.problems.length > 0) console.log(`note: ${s.problems.join('; ')}`);
}

/** "closed loop: 64 in flight, no think time; the first 10 completions left out". */
function describeLoad(load: NonNullable<RunSummary['load']>): string {
  const parts: string[] = [];
  if (load.mode === 'closed') {
    const think = load.thinkSeconds ? `${load.thinkSeconds} s think time` : 'no think time';
    parts.push(`closed loop: ${load.concurrency} in flight, ${think}`);
  } else {
    parts.push('open loop');
  }
  if (load.warmUpRequests) parts.push(`the first ${load.warmUpRequests} completions left out`);
  return parts.join('; ');
}
