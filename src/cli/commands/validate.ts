import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { describeFrontEnd } from '../../engine/chart/validation-chart.js';
import { readDeviceProfile } from '../../engine/perf/report.js';
import { PolicyName } from '../../engine/sched/config.js';
import { PRESET_NAMES } from '../../engine/serve/local/presets.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { VALIDATE_DEFAULTS } from '../../engine/validate/defaults.js';
import type { ValidationReport } from '../../engine/validate/report.js';
import { inputOption, modelOption, outputOption } from '../file-options.js';
import { printJson, table, writeJsonFile } from '../format.js';
import { integer, nonNegativeInt, positiveInt } from '../options.js';
import { servedModel } from './serve.js';

interface ValidateFlags {
  quick?: boolean;
  preset?: string;
  config?: string;
  workload?: string;
  requests?: number;
  utilization?: number;
  warmUpRequests?: number;
  blockRequests?: number;
  seed: number;
  scheduler: PolicyName;
  maxNumSeqs?: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  dtype: 'f32' | 'f16';
  profile?: string;
  out?: string;
  json?: boolean;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
const ms = (s: number) => `${(s * 1e3).toFixed(s < 0.01 ? 2 : 1)} ms`;

function printValidation(r: ValidationReport): void {
  console.log(
    `${r.model} on ${r.machine.adapter} (${r.machine.cpus} CPUs); ${r.engine.policy}, max-num-seqs ${r.engine.maxNumSeqs}, max-num-batched-tokens ${r.engine.maxNumBatchedTokens}, ${r.engine.dtype}`,
  );
  const w = r.workload;
  console.log(`workload: ${w.requests} requests of ${w.source} (seed ${w.seed})`);
  if (w.predictedCapacity && w.utilization && w.rate !== undefined) {
    console.log(
      `rate ${w.rate.toFixed(2)} req/s = ${(100 * w.utilization).toFixed(0)}% of the capacity predicted ${r.servedStepFit ? `after the warm-up's fit (${w.predictedCapacity.toFixed(2)} req/s; the twin ran at the same rate)` : `from the profile (${w.predictedCapacity.toFixed(2)} req/s)`}, not from any measured run`,
    );
  }
  const served = r.servedStepFit;
  if (served) {
    const blocks =
      (served.blocks ?? 1) > 1
        ? `in ${served.blocks} blocks of ${served.blockRequests} alternating with the validated run's`
        : 'before the validated run';
    console.log(
      `step model fitted to the ${served.steps} steps the engine ran serving a twin of the validated run (${served.requests} other requests, seed ${served.seed}, ${blocks}, after ${served.warmUpRequests ?? 0} warm-up requests): kernels ×${served.computeFactor.toFixed(3)}, host costs ×${served.fixedFactor.toFixed(3)}, +${((served.perSequenceSeconds ?? 0) * 1e6).toFixed(0)} µs per sequence, +${((served.perPrefillChunkSeconds ?? 0) * 1e6).toFixed(0)} µs per prefill chunk, mean step error ${(100 * served.meanAbsoluteRelativeError).toFixed(1)}% before the spread; the front end (HTTP, streaming) adds ${describeFrontEnd(served)} to the first token`,
    );
  }
  const fit = r.engineStepFit;
  if (fit && !served) {
    console.log(
      `step model fitted to ${fit.steps.length} engine steps measured by the profile: kernels ×${fit.computeFactor.toFixed(3)}, per-kernel and per-step host costs ×${fit.fixedFactor.toFixed(3)}`,
    );
  }
  console.log(
    `measured ${r.measured.requests.completed}/${r.measured.requests.total} completed; predicted ${r.predicted.requests.completed}/${r.predicted.requests.total}${(r.predictionSeeds ?? 1) > 1 ? ` (the mean over ${r.predictionSeeds} seeds of the step times)` : ''}\n`,
  );
  const rows = [['metric', 'stat', 'predicted', 'measured', 'error']];
  for (const e of r.errors) {
    rows.push([e.metric.toUpperCase(), e.stat, ms(e.predicted), ms(e.measured), pct(e.relativeError)]);
  }
  console.log(table(rows));
  if (r.profileOnly) {
    const only = r.profileOnly.errors.filter((e) => e.stat === 'mean');
    console.log(
      `\nfrom the profile alone (no warm-up fit): ${only.map((e) => `${e.metric.toUpperCase()} ${pct(e.relativeError)}`).join(', ')}`,
    );
  }
  console.log('\nstep time, engine vs step model:');
  console.log(
    table([
      [
        'steps',
        'count',
        'measured mean',
        'of it forward',
        'predicted mean',
        'error',
        'p99 measured',
        'p99 predicted',
      ],
      ...r.steps.map((s) => [
        s.kind,
        String(s.steps),
        ms(s.measuredMeanSeconds),
        s.measuredForwardMeanSeconds !== undefined ? ms(s.measuredForwardMeanSeconds) : '',
        ms(s.predictedMeanSeconds),
        pct(s.relativeError),
        s.measuredP99Seconds !== undefined ? ms(s.measuredP99Seconds) : '',
        s.predictedP99Seconds !== undefined ? ms(s.predictedP99Seconds) : '',
      ]),
    ]),
  );
  const blocks = r.servedBlocks ?? [];
  if (blocks.length > 2) {
    console.log(
      "\nblocks in the order served (the machine's speed over the run; the step model fitted to the twin's):",
    );
    console.log(
      table([
        ['block', 'of', 'requests', 'steps', 'measured step', 'predicted step', 'error'],
        ...blocks.map((b, i) => [
          String(i + 1),
          b.kind,
          `${b.skip + 1}–${b.skip + b.requests}`,
          String(b.steps),
          ms(b.measuredStepMeanSeconds),
          ms(b.predictedStepMeanSeconds),
          b.measuredStepMeanSeconds > 0
            ? pct(b.predictedStepMeanSeconds / b.measuredStepMeanSeconds - 1)
            : '',
        ]),
      ]),
    );
  }
  console.log(
    `\ntarget |error| of mean TTFT and mean TPOT ≤ ${(100 * r.target.maxRelativeError).toFixed(0)}%: ${r.target.met ? 'met' : 'NOT met'} (${r.wallSeconds.toFixed(0)} s)`,
  );
}

export function registerValidateCommands(program: Command): void {
  program
    .command('validate')
    .description(
      'profile this GPU, predict a workload on the local reference engine, serve it for real, and print the prediction error per metric',
    )
    .option(
      '--quick',
      `a short run (preset ${VALIDATE_DEFAULTS.quick.preset}, ${VALIDATE_DEFAULTS.quick.requests} requests)`,
    )
    .option('--preset <name>', `model: ${PRESET_NAMES.join(', ')}`)
    .addOption(modelOption('--config <config.json>', 'a Hugging Face config.json served with random weights'))
    .option('--workload <spec|file>', 'the workload (default: one that queues)')
    .addOption(new Option('--requests <n>', 'requests to serve').argParser(positiveInt))
    .addOption(
      new Option(
        '--utilization <fraction>',
        "arrival rate as a fraction of the engine's capacity predicted from the profile (default 0.5 with the default workload; else the workload's rate)",
      ).argParser(Number),
    )
    .addOption(
      new Option(
        '--warm-up-requests <n>',
        'requests served first (seed + 1) to warm the runtime and set the rate of a twin of the validated run (as many other requests, seed + 2) whose served steps the step model is fitted to; 0: predict from the profile alone (default 100)',
      ).argParser(nonNegativeInt),
    )
    .addOption(
      new Option(
        '--block-requests <n>',
        'after the warm-up, serve the twin and the validated run in alternating blocks of this many requests, so that both meet the same spells of the machine (default 10; the request count or more: the whole twin, then the whole validated run)',
      ).argParser(positiveInt),
    )
    .addOption(new Option('--seed <n>', 'seed of the workload and weights').argParser(integer).default(0))
    .addOption(
      new Option('--scheduler <name>', 'scheduling policy').choices(PolicyName.options).default('vllm-v1'),
    )
    .addOption(new Option('--max-num-seqs <n>', 'sequences per step (default 4)').argParser(positiveInt))
    .addOption(
      new Option('--max-num-batched-tokens <n>', 'token budget per step').argParser(positiveInt).default(64),
    )
    .addOption(new Option('--block-size <n>', 'KV cache block size').argParser(positiveInt).default(16))
    .addOption(new Option('--dtype <dtype>', 'engine precision').choices(['f32', 'f16']).default('f32'))
    .addOption(inputOption('--profile <profile.json>', 'use this device profile instead of profiling now'))
    .addOption(outputOption('--out <file>', 'write the report JSON to this file'))
    .option('--json', 'print the report JSON (schema: ValidationReport)')
    .action(async (flags: ValidateFlags) => {
      const defaults = flags.quick ? VALIDATE_DEFAULTS.quick : VALIDATE_DEFAULTS.full;
      const utilization = flags.utilization ?? (flags.workload ? undefined : defaults.utilization);
      if (utilization !== undefined && !(utilization > 0 && utilization <= 2)) {
        throw new ServeTuneError(
          `--utilization must be a fraction in (0, 2], got ${flags.utilization}`,
          'invalid-argument',
          '--utilization',
        );
      }
      const model = await servedModel({
        preset: flags.config ? undefined : (flags.preset ?? defaults.preset),
        config: flags.config,
        dtype: flags.dtype,
      });
      const { runValidation } = await import('../../engine/validate/validate.js');
      const report = await runValidation({
        quick: flags.quick === true,
        model,
        workload: flags.workload ?? defaults.workload,
        requests: flags.requests ?? defaults.requests,
        utilization,
        warmUpRequests: flags.warmUpRequests ?? defaults.warmUpRequests,
        blockRequests: flags.blockRequests ?? defaults.blockRequests,
        // This very CLI runs the load generator, in a process of its own.
        benchCommand: { command: process.execPath, args: [fileURLToPath(import.meta.url)] },
        seed: flags.seed,
        policy: flags.scheduler,
        maxNumSeqs: flags.maxNumSeqs ?? defaults.maxNumSeqs,
        maxNumBatchedTokens: flags.maxNumBatchedTokens,
        blockSize: flags.blockSize,
        dtype: flags.dtype,
        profile: flags.profile ? readDeviceProfile(flags.profile) : undefined,
        onProgress: (line) => process.stderr.write(`servetune validate: ${line}\n`),
      });
      if (flags.out) writeJsonFile(flags.out, report);
      if (flags.json) printJson(report);
      else printValidation(report);
    });
}
