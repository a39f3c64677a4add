import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { latencyText, shownLatencies, sloTargetsText } from '../../engine/search/format.js';
import type { Slo } from '../../engine/search/schema.js';
import { simulatedSpanNote } from '../../engine/search/simulation-evaluator.js';
import { DISAGGREGATION_SIDES, type DisaggregationSide } from '../../engine/tune/config-simulation.js';
import { findWorkspaceConfig, sloFromWorkspace, workloadFromWorkspace } from '../../engine/tune/inputs.js';
import type { BlockPrediction, TuneBlockResult } from '../../engine/tune/schema.js';
import { tuneBlock } from '../../engine/tune/tune.js';
import { planWrite, readEditableText } from '../../engine/tune/write.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { readConfigIfFile, writeFilesAtomically } from '../../engine/util/files.js';
import { RANKING_SLO_RULES, sloTargetForm } from '../../engine/workload/slo.js';
import { cancellable } from '../cancellable.js';
import { checkWritable, printJson, table } from '../format.js';
import {
  type EngineFlags,
  engineOptions,
  fp8QBProjOption,
  moeBackendOf,
  moeBackendOptions,
  nonNegativeInt,
  nvfp4DispatchOption,
  overlapSchedulingOption,
  positiveNumber,
  searchRunOptions,
  sloOption,
  sloWithPercentile,
} from '../options.js';
import { requireSlo, requireSloOption } from '../require-slo.js';

function effectRows(result: TuneBlockResult): string[][] {
  const p = result.slo.percentile;
  const shown = shownLatencies(result.slo);
  const names = [
    ...shown.map(({ label }) => `${label} ${p}`),
    'output throughput',
    'goodput',
    'max rate under SLO',
    'meets SLO',
  ];
  const column = (prediction: BlockPrediction | null): string[] => {
    if (!prediction) return names.map(() => '-');
    const m = prediction.metrics;
    if (!m) return [prediction.problems.join('; '), ...names.slice(1).map(() => '')];
    return [
      ...shown.map(({ metric }) => latencyText(m[metric][p])),
      `${(m.throughputPerGpu * prediction.gpus).toFixed(0)} tok/s`,
      `${m.goodput.toFixed(2)} req/s`,
      prediction.maxRateUnderSlo === null ? 'never' : `${prediction.maxRateUnderSlo.toFixed(2)} req/s`,
      prediction.meetsSlo ? 'yes' : 'no',
    ];
  };
  const now = column(result.current);
  const then = column(result.suggested);
  return [['', 'current', 'suggested'], ...names.map((name, i) => [name, now[i], then[i]])];
}

function printTune(result: TuneBlockResult): void {
  const t = result.target;
  const slo = result.slo;
  const behaviour = t.engineBehaviour?.length ? `: ${t.engineBehaviour.join(', ')}` : '';
  console.log(
    `${t.label} (${t.engine}${behaviour}): ${t.modelName} on ${t.gpusPerServer * t.replicas}× ${t.hardware}${t.replicas > 1 ? ` (${t.replicas} × ${t.gpusPerServer})` : ''}`,
  );
  console.log(
    `Workload: ${result.workload.requests} requests of ${result.workload.source} at ${result.workload.rate.toFixed(2)} req/s; SLO: ${sloTargetsText(slo)}`,
  );
  const capped = simulatedSpanNote(result.workload.rate);
  if (capped) console.log(`Note: ${capped}.`);
  if (result.search.timedWith) console.log(`Steps timed with ${result.search.timedWith}.`);
  console.log(
    `Searched ${result.search.configurationsEvaluated} configurations (${result.search.simulations} simulations) in ${result.search.wallSeconds.toFixed(1)} s.\n`,
  );
  console.log(`Current:   ${result.current.label}`);
  if (result.suggested) console.log(`Suggested: ${result.suggested.label}`);
  console.log(`\n${table(effectRows(result))}\n`);
  if (result.reason) {
    console.log(`Nothing to change: ${result.reason}.`);
    return;
  }
  console.log(result.summary);
  for (const problem of result.editProblems) console.log(`  cannot write here: ${problem}`);
  console.log(`\n${result.diff}`);
}

/**
 * Reads the config and the files it refers to once each, keeping the text: every later read during the
 * run sees the same text, and `--write` knows what the edits were planned on.
 */
function snapshotReader(): { read: (path: string) => string | undefined; texts: Map<string, string> } {
  const texts = new Map<string, string>();
  const read = (path: string) => {
    if (texts.has(path)) return texts.get(path);
    const text = readConfigIfFile(path);
    if (text !== undefined) texts.set(path, text);
    return text;
  };
  return { read, texts };
}

/**
 * Writes the planned change (`tune --write`): only the file the user named unless `--write-referenced`
 * allows the files it refers to; over the files as they are now (see `planWrite`); all or nothing.
 */
function writeChange(
  file: string,
  block: number,
  result: TuneBlockResult,
  planned: ReadonlyMap<string, string>,
  flags: { writeReferenced?: boolean; json?: boolean },
): void {
  const files = [...new Set(result.edits.map((e) => e.range.file))];
  const referenced = files.filter((f) => resolve(f) !== resolve(file));
  if (referenced.length > 0 && !flags.writeReferenced) {
    throw new ServeTuneError(
      `the change also edits ${referenced.join(', ')}, which ${file} refers to; nothing written: pass --write-referenced to write ${referenced.length === 1 ? 'it' : 'them'} too, or make that part of the change by hand`,
      'invalid-argument',
      '--write',
    );
  }
  for (const other of referenced) checkWritable(other, '--write-referenced');
  const writes = planWrite({
    path: file,
    block,
    changes: result.changes,
    edits: result.edits,
    plannedOn: (path) => planned.get(path),
  });
  writeFilesAtomically(writes.map((w) => ({ path: w.path, text: w.after })));
  if (!flags.json) for (const w of writes) console.log(`wrote ${w.path}`);
}

export function registerTuneCommands(program: Command): void {
  const command = program
    .command('tune')
    .description(
      "search the best settings for a config file's serving block (its model, GPUs and engine) and show the change as a diff",
    )
    .argument(
      '<file>',
      'a serving config: shell script, engine YAML, Kubernetes manifest, Helm values, compose file',
    )
    .option(
      '--block <n>',
      'which serving block of the file (0-based, as `servetune check` lists them)',
      nonNegativeInt,
    )
    .addOption(
      new Option(
        '--side <side>',
        "tune that side of a disaggregated deployment (a prefill or decode worker): its block's plan and scheduler searched as that pool of the prefill + decode pair, the file's block of the other side as written (a copy of this side where the file has none); default: the first block of that side",
      ).choices(DISAGGREGATION_SIDES),
    )
    .option('--workload <spec|file>', 'workload spec or trace file (default: servetune.json "workload")')
    .option('--rate <req/s>', "request rate to compare at (default: the workload's)", positiveNumber)
    .addOption(
      sloOption(
        RANKING_SLO_RULES,
        'latency targets, each left out unconstrained (default: servetune.json "slo")',
      ),
    )
    .option('--hardware <id>', 'GPU where the file does not name one (default: servetune.json "hardware")')
    .option('--write', 'apply the change to the file (all or nothing; never over a file changed meanwhile)')
    .option(
      '--write-referenced',
      'with --write, also write the files the config refers to (a --config YAML, a compose .env)',
    )
    .option('--json', 'print the TuneBlockResult JSON')
    .addOption(requireSloOption('neither the configuration as written nor the suggested change'));
  for (const option of engineOptions(
    "the block's engine at a version, whose measured op tables time the steps",
  ))
    command.addOption(option);
  command.addOption(overlapSchedulingOption());
  for (const option of moeBackendOptions()) command.addOption(option);
  command.addOption(nvfp4DispatchOption());
  command.addOption(fp8QBProjOption());
  for (const option of searchRunOptions()) command.addOption(option);
  command.action(runTuneCommand);
}

/** The `tune` command's flags, as commander parses them. */
type TuneFlags = {
  block?: number;
  side?: DisaggregationSide;
  workload?: string;
  rate?: number;
  slo?: Slo;
  sloPercentile?: Slo['percentile'];
  hardware?: string;
  sampleRequests: number;
  threads?: number;
  profile?: string;
  perfDb?: string;
  seed: number;
  write?: boolean;
  writeReferenced?: boolean;
  json?: boolean;
  requireSlo?: boolean;
} & EngineFlags;

/** `servetune tune <file>`: searches the block's best settings, prints the change, writes it with --write. */
async function runTuneCommand(file: string, flags: TuneFlags): Promise<void> {
  const snapshot = snapshotReader();
  checkWriteFlags(file, flags, snapshot);
  if (snapshot.read(file) === undefined)
    throw new ServeTuneError(`Cannot read ${file}: no such file`, 'io', file);
  const inputs = tuneInputs(file, flags);
  const result = await cancellable('tune', flags, (control) =>
    tuneBlock(tuneRequestOf(file, flags, inputs), { ...control, readFile: snapshot.read }),
  );
  if (flags.json) printJson(result);
  else printTune(result);
  if (flags.write && result.edits.length > 0)
    writeChange(file, result.target.block, result, snapshot.texts, flags);
  if (flags.requireSlo) {
    const met = result.current.meetsSlo || (result.suggested?.meetsSlo ?? false);
    requireSlo('tune', met, {
      slo: result.slo,
      load: `at ${result.workload.rate.toFixed(2)} req/s`,
      nothing: 'neither the configuration as written nor a suggested change',
      runs: [result.current, ...(result.suggested ? [result.suggested] : [])],
    });
  }
}

/** --write-referenced needs --write; with --write the file is checked, and read as the edit's base. */
function checkWriteFlags(file: string, flags: TuneFlags, snapshot: ReturnType<typeof snapshotReader>): void {
  if (flags.writeReferenced && !flags.write) {
    throw new ServeTuneError(
      '--write-referenced goes with --write',
      'invalid-argument',
      '--write-referenced',
    );
  }
  if (flags.write) {
    // Refused now, not after a search of minutes: a file that cannot be written, or is not UTF-8.
    checkWritable(file, '--write');
    snapshot.texts.set(file, readEditableText(file));
  }
}

/** The workload and SLOs: the flags', else the servetune.json beside the file; either missing is an error. */
function tuneInputs(file: string, flags: TuneFlags) {
  const workspace = findWorkspaceConfig(dirname(file));
  const fromWorkspace = workspace ? workloadFromWorkspace(workspace.config, workspace.path) : undefined;
  const workload = flags.workload ?? fromWorkspace?.workload;
  if (!workload) {
    throw new ServeTuneError(
      'no workload: pass --workload or put "workload" in a servetune.json next to the config',
      'invalid-argument',
      '--workload',
    );
  }
  const slo = flags.slo
    ? sloWithPercentile(flags.slo, flags.sloPercentile)
    : workspace
      ? sloFromWorkspace(workspace.config, workspace.path)
      : undefined;
  if (!slo) {
    throw new ServeTuneError(
      `no latency targets: pass --slo (${sloTargetForm(RANKING_SLO_RULES)}) or put "slo" in a servetune.json next to the config`,
      'invalid-argument',
      '--slo',
    );
  }
  return { workspace, fromWorkspace, workload, slo };
}

/** What tuneBlock searches: the file's block, the workload and SLOs, the engine and the search's knobs. */
function tuneRequestOf(
  file: string,
  flags: TuneFlags,
  { workspace, fromWorkspace, workload, slo }: ReturnType<typeof tuneInputs>,
): Parameters<typeof tuneBlock>[0] {
  return {
    path: file,
    ...(flags.block !== undefined ? { block: flags.block } : {}),
    ...(flags.side ? { side: flags.side } : {}),
    workload,
    rate: flags.rate ?? (flags.workload ? undefined : fromWorkspace?.rate),
    slo,
    hardware: flags.hardware ?? workspace?.config.hardware,
    sampleRequests: flags.sampleRequests,
    seed: flags.seed,
    profile: flags.profile,
    perfDb: flags.perfDb,
    threads: flags.threads,
    engine: flags.engine,
    disableCustomAllReduce: flags.disableCustomAllReduce,
    enforceEager: flags.enforceEager,
    disableOverlapScheduling: flags.disableOverlapScheduling,
    moeBackend: moeBackendOf(flags),
    nvfp4Dispatch: flags.nvfp4Dispatch,
    fp8QBProj: flags.fp8QBProj,
  };
}
