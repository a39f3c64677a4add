import type { Command } from 'commander';
import { getHardware } from '../../engine/hardware/catalog.js';
import type { HardwareSpec } from '../../engine/hardware/spec.js';
import { type MemoryReport, memoryReport } from '../../engine/memory/model.js';
import { assertPlanValid, describePlan, type Plan } from '../../engine/memory/plan.js';
import { engineWeightsSentence, enumeratePlans } from '../../engine/memory/plans.js';
import { defaultWeightDtype, describeWeightLayout, weightLayoutOf } from '../../engine/model/checkpoint.js';
import type { WeightDtype } from '../../engine/model/dtypes.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import type { ModelSpec } from '../../engine/model/spec.js';
import { engineExpertLayout } from '../../engine/perf/expert-weight-layout.js';
import { type EngineSpec, servingEngineFor } from '../../engine/perf/serving-engine.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { compact, gib, printJson, table } from '../format.js';
import {
  engineOptions,
  gpuCount,
  type MemorySettingFlags,
  type MoeBackendFlags,
  memorySettingOptions,
  memorySettingsFrom,
  moeBackendOf,
  moeBackendOptions,
} from '../options.js';
import {
  addPlanOptions,
  DP_REPLICAS,
  type ParallelFlags,
  type PlanFlags,
  planOfFlags,
} from '../plan-options.js';

/** The flags `memory` and `plans` share: the plan but its degrees, the engine settings, the engine. */
interface CommonFlags extends MemorySettingFlags, MoeBackendFlags, Omit<PlanFlags, keyof ParallelFlags> {
  /** The serving engine whose layout of the weights counts; absent: the checkpoint's bytes. */
  engine?: EngineSpec;
  json?: boolean;
}

/** The engine's memory settings, the engine whose layout of the weights counts, and --json. */
function addMemoryOptions(command: Command): Command {
  for (const option of memorySettingOptions()) command.addOption(option);
  command.addOption(
    engineOptions(
      "the serving engine whose layout of the weights counts (vLLM's mxfp4 experts: padding, scale copies, fp32 biases); default: the checkpoint's bytes",
    )[0],
  );
  for (const option of moeBackendOptions()) command.addOption(option);
  return command.option('--json', 'print JSON (schema: MemoryReport / PlansReport)');
}

/** What a token and a sequence cost in the KV cache, by the kinds of layers that hold it. */
function kvRows(report: MemoryReport, model: ModelSpec): [string, string][] {
  const g = report.perGpu;
  const bytes = (n: number) => n.toLocaleString('en-US');
  if (model.mla)
    return [['KV bytes per token (MLA latent, whole on every TP rank)', String(g.kvBytesPerToken)]];
  if (g.slidingWindow === undefined && g.kvStateBytesPerSequence === undefined) {
    return [['KV bytes per token', String(g.kvBytesPerToken)]];
  }
  const rows: [string, string][] = [];
  if (g.slidingKvBytesPerToken !== undefined) {
    rows.push(['KV bytes per token, full-attention layers', bytes(g.kvBytesPerToken)]);
    rows.push([
      `KV bytes per token, sliding layers (last ${g.slidingWindow} tokens)`,
      bytes(g.slidingKvBytesPerToken),
    ]);
  } else if (g.slidingWindow !== undefined) {
    rows.push([
      `KV bytes per token (every layer slides: last ${g.slidingWindow} tokens)`,
      bytes(g.kvBytesPerToken),
    ]);
  } else {
    rows.push(['KV bytes per token, attention layers', bytes(g.kvBytesPerToken)]);
  }
  if (g.kvStateBytesPerSequence !== undefined) {
    rows.push([
      'linear-attention state per sequence',
      `${(g.kvStateBytesPerSequence / 2 ** 20).toFixed(1)} MiB`,
    ]);
  }
  return rows;
}

/** What the capacity's tokens are, where not every layer keeps every token. */
function capacityNote(report: MemoryReport): string {
  const g = report.perGpu;
  const extras: string[] = [];
  if (g.slidingKvBytesPerToken !== undefined)
    extras.push(`sliding layers add each sequence's last ${g.slidingWindow} tokens`);
  if (g.kvStateBytesPerSequence !== undefined) extras.push('linear layers add a state per sequence');
  if (extras.length > 0) return ` of full-attention KV (${extras.join('; ')})`;
  return g.slidingWindow !== undefined ? ` (each sequence keeps its last ${g.slidingWindow})` : '';
}

/**
 * The memory settings the flags give, with the engine's layout of the routed experts where --engine
 * names one that holds more than the checkpoint's bytes.
 */
function settingsFrom(
  flags: CommonFlags,
  model: ModelSpec,
  hardware: HardwareSpec,
  weightDtype: WeightDtype,
) {
  const moeBackend = moeBackendOf(flags);
  if (moeBackend && !flags.engine) {
    throw new ServeTuneError(
      '--moe-backend (--marlin-moe) describes an engine: give --engine too',
      'invalid-argument',
      '--moe-backend',
    );
  }
  // servingEngineFor refuses a backend the engine lacks (`--engine sglang --marlin-moe`), as step does.
  const engine = flags.engine && (servingEngineFor(flags.engine, { moeBackend }) ?? { id: flags.engine.id });
  const expertLayout = engineExpertLayout(engine, hardware, model, weightDtype);
  return { ...memorySettingsFrom(flags), ...(expertLayout ? { expertLayout } : {}) };
}

function printMemory(report: MemoryReport, model: ModelSpec): void {
  const g = report.perGpu;
  const r = report.perReplica;
  console.log(`${report.model} on ${report.gpus}× ${report.hardware}, ${describePlan(report.plan as Plan)}`);
  console.log(
    table([
      ['per GPU', ''],
      ['memory', gib(g.totalBytes)],
      [`allowed (× ${report.settings.gpuMemoryUtilization})`, gib(g.budgetBytes)],
      [`weights (${report.weightFormat ?? report.plan.weightDtype})`, gib(g.weightBytes)],
      [`activation peak (${report.settings.maxNumBatchedTokens} tokens)`, gib(g.activationPeakBytes)],
      ['runtime reserve', gib(g.runtimeReserveBytes)],
      [`KV cache (${report.plan.kvDtype})`, gib(g.kvCacheBytes)],
      ...kvRows(report, model),
    ]),
  );
  console.log(
    `KV capacity per replica: ${r.kvCapacityTokens.toLocaleString('en-US')} tokens${capacityNote(report)} in ${r.kvBlocks.toLocaleString('en-US')} blocks of ${report.settings.blockSize}; ` +
      `${r.maxConcurrentSequences.toLocaleString('en-US')} concurrent ${r.maxConcurrentSequences === 1 ? 'sequence' : 'sequences'} of ${report.settings.contextLength.toLocaleString('en-US')} tokens` +
      (report.cluster.replicas > 1 ? ` (× ${report.cluster.replicas} replicas)` : ''),
  );
  if (report.engineWeights) {
    const e = report.engineWeights;
    console.log(
      `Weights: ${e.layout} holds ${gib(e.extraBytesPerGpu)} per GPU beyond the checkpoint (${e.changes}).`,
    );
  }
  console.log(report.fits ? 'Fits.' : `Does not fit: ${report.problems.join('; ')}`);
}

export function registerMemoryCommands(program: Command): void {
  addMemoryOptions(
    addPlanOptions(
      program.command('memory').description('how one plan splits GPU memory, and how much KV cache is left'),
      { dp: DP_REPLICAS },
    ),
  ).action(async (flags: CommonFlags & ParallelFlags) => {
    const model = await resolveModelAsync(flags.model);
    const hardware = getHardware(flags.hardware);
    const plan = planOfFlags(flags, model);
    assertPlanValid(model, plan);
    const report = memoryReport(
      model,
      hardware,
      plan,
      settingsFrom(flags, model, hardware, plan.weightDtype),
    );
    if (flags.json) printJson(report);
    else printMemory(report, model);
    if (!report.fits) process.exitCode = 3;
  });

  addMemoryOptions(
    addPlanOptions(
      program
        .command('plans')
        .description('every parallel plan for a cluster: which fit, and the KV cache each leaves')
        .requiredOption('--gpus <n>', 'GPUs in the cluster', gpuCount),
      { dp: false },
    ),
  ).action(async (flags: CommonFlags & { gpus: number }) => {
    const model = await resolveModelAsync(flags.model);
    const hardware = getHardware(flags.hardware);
    const weightDtype = flags.weightDtype ?? defaultWeightDtype(model);
    const report = enumeratePlans(
      model,
      hardware,
      flags.gpus,
      { weightDtype, kvDtype: flags.kvDtype },
      settingsFrom(flags, model, hardware, weightDtype),
    );
    if (flags.json) return printJson(report);
    const layout = describeWeightLayout(weightLayoutOf(model, weightDtype));
    const weights = layout === weightDtype ? `${weightDtype} weights,` : `weights: ${layout};`;
    const sentence = engineWeightsSentence(report);
    const held = sentence ? `\n${sentence}` : '';
    console.log(
      `${model.name} on ${flags.gpus}× ${hardware.name} (${weights} ${flags.kvDtype} KV, gpu-memory-utilization ${flags.gpuMemoryUtilization})${held}\n`,
    );
    const rows = [
      [
        'plan',
        'weights/GPU',
        'KV/GPU',
        'KV tokens/replica',
        `seqs@${report.plans[0]?.settings.contextLength ?? '-'}`,
        'cluster seqs',
        'fits',
      ],
    ];
    for (const p of report.plans) {
      rows.push([
        describePlan(p.plan as Plan),
        gib(p.perGpu.weightBytes),
        gib(p.perGpu.kvCacheBytes),
        compact(p.perReplica.kvCapacityTokens),
        String(p.perReplica.maxConcurrentSequences),
        String(p.cluster.maxConcurrentSequences),
        p.fits ? 'yes' : `no: ${p.problems[0]}`,
      ]);
    }
    console.log(table(rows));
    if (report.rejected.length > 0) {
      console.log(`\nNot possible for this model:`);
      for (const r of report.rejected) console.log(`  ${r.plan}: ${r.problems.join('; ')}`);
    }
  });
}
