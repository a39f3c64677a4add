import { type Command, Option } from 'commander';
import { fitCalibration } from '../../engine/calibrate/fit.js';
import { getHardware } from '../../engine/hardware/catalog.js';
import { findModel } from '../../engine/model/catalog.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import { defaultCalibrationFor } from '../../engine/perf/calibration.js';
import { PolicyName } from '../../engine/sched/config.js';
import { SimulationConfig } from '../../engine/sim/config.js';
import { RunSummary } from '../../engine/sim/summary.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { MAX_TABLE_FILE_BYTES, readInputText } from '../../engine/util/files.js';
import { checkSchemaVersion, parseJsonText } from '../../engine/util/json-text.js';
import { issueText } from '../../engine/util/zod-messages.js';
import { servedClient } from '../../engine/validate/served-client.js';
import { loadWorkload } from '../../engine/workload/load.js';
import { inputOption, modelOption, outputOption } from '../file-options.js';
import { printJson, table, writeJsonFile } from '../format.js';
import { positiveInt } from '../options.js';

interface CalibrateFlags {
  measured: string;
  model?: string;
  hardware?: string;
  tp: number;
  scheduler: PolicyName;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  out?: string;
  json?: boolean;
}

function readMeasured(file: string): RunSummary {
  const text = readInputText(file, MAX_TABLE_FILE_BYTES, '--measured');
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch (error) {
    throw new ServeTuneError(`Cannot read ${file}: ${(error as Error).message}`, 'io', file);
  }
  checkSchemaVersion(json, 1, file, 'a run summary');
  const parsed = RunSummary.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeTuneError(
      `${file}: not a run summary: ${issueText(issue)}`,
      'invalid-config',
      issue.path.length > 0 ? `${file}:${issue.path.join('.')}` : file,
    );
  }
  if (parsed.data.kind !== 'measured') {
    throw new ServeTuneError(
      `${file}: a simulated run; give the JSON \`servetune bench\` wrote`,
      'invalid-argument',
      file,
    );
  }
  return parsed.data;
}

const ms = (s: number) => `${(s * 1e3).toFixed(2)} ms`;

export function registerCalibrateCommands(program: Command): void {
  program
    .command('calibrate')
    .description(
      "fit the step-time model to a real endpoint's measurements (decode, prefill and the front end apart), report every metric's error after the fit, say whether the fit explains the run, and save the calibration",
    )
    .addOption(
      inputOption(
        '--measured <bench.json>',
        'the RunSummary `servetune bench --out` wrote (open loop)',
      ).makeOptionMandatory(),
    )
    .addOption(
      modelOption(
        '--model <id|org/name|config.json>',
        'the model the endpoint serves (when the run does not record it)',
      ),
    )
    .option('--hardware <id>', 'its GPU (when the run does not record it)')
    .addOption(new Option('--tp <n>', 'its tensor parallel degree').argParser(positiveInt).default(1))
    .addOption(
      new Option('--scheduler <name>', 'its scheduler').choices(PolicyName.options).default('vllm-v1'),
    )
    .addOption(new Option('--max-num-seqs <n>', 'its max-num-seqs').argParser(positiveInt))
    .addOption(new Option('--max-num-batched-tokens <n>', 'its token budget').argParser(positiveInt))
    .addOption(
      outputOption(
        '--out <calibration.json>',
        'write the fitted calibration (for simulate/search --calibration)',
      ),
    )
    .option('--json', 'print the fit as JSON')
    .action(runCalibrate);
}

/** `servetune calibrate`: fits the step model to an open-loop bench run, saves and reports the fit. */
async function runCalibrate(flags: CalibrateFlags): Promise<void> {
  const measured = readMeasured(flags.measured);
  const origin = openLoopOrigin(measured, flags);
  const config = measured.config ?? (await deploymentOfFlags(flags));
  const hardware = typeof config.hardware === 'string' ? getHardware(config.hardware) : config.hardware;
  const start = config.calibration ?? defaultCalibrationFor(hardware);
  const workload = loadWorkload(origin.source, {
    seed: origin.seed,
    rate: origin.rate,
    skip: origin.skip,
    count: origin.count,
  });
  const fit = fitCalibration(measured, config, workload, start, {
    client: servedClient({
      blockRequests: origin.blockRequests,
      clientSharesHost: origin.clientSharesHost,
    }),
  });
  if (flags.out) {
    writeJsonFile(flags.out, fit.calibration);
    process.stderr.write(`servetune calibrate: calibration written to ${flags.out}\n`);
  }
  if (flags.json) return printJson(fit);
  printFit(fit, start);
}

/** The workload the measured run recorded; a run without one, or a closed-loop run, is refused. */
function openLoopOrigin(measured: ReturnType<typeof readMeasured>, flags: CalibrateFlags) {
  const origin = measured.workload;
  if (!origin) {
    throw new ServeTuneError(
      `${flags.measured}: the run does not record its workload`,
      'invalid-argument',
      flags.measured,
    );
  }
  if (origin.mode !== 'open') {
    throw new ServeTuneError(
      `${flags.measured}: a closed-loop run; calibrate needs an open-loop bench run (--rate or the trace's times)`,
      'invalid-argument',
      flags.measured,
    );
  }
  return origin;
}

/** The deployment the flags describe, for a run that does not record its own. */
async function deploymentOfFlags(flags: CalibrateFlags): Promise<SimulationConfig> {
  if (!flags.model || !flags.hardware) {
    throw new ServeTuneError(
      `${flags.measured} does not record the deployment: give --model and --hardware (and --tp, --scheduler…)`,
      'invalid-argument',
      '--model',
    );
  }
  const model = await resolveModelAsync(flags.model);
  return SimulationConfig.parse({
    model: findModel(flags.model) ? model.id : model,
    hardware: getHardware(flags.hardware).id,
    deployment: {
      kind: 'colocated',
      pool: {
        plan: { tp: flags.tp, pp: 1, dp: 1, ep: 1, weightDtype: 'bf16', kvDtype: 'bf16' },
        scheduler: {
          policy: flags.scheduler,
          maxNumSeqs: flags.maxNumSeqs,
          maxNumBatchedTokens: flags.maxNumBatchedTokens,
        },
      },
    },
  });
}

/** The fit in words: factors, each metric's error after it, the verdict and the fitted parameters. */
function printFit(fit: ReturnType<typeof fitCalibration>, start: { source: string }): void {
  const c = fit.calibration;
  console.log(
    `fitted over ${start.source} (${fit.simulations} simulations): decode ×${fit.factors.decode.toFixed(3)}, prefill ×${fit.factors.prefill.toFixed(3)}, front end ${ms(fit.frontEndSeconds)} per request (saved with the calibration: simulate adds it to TTFT and E2E)\n`,
  );
  const pct = (x: number) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  console.log(
    table([
      ['metric', 'measured', 'predicted', 'error'],
      ...fit.errors.map((e) =>
        e.metric === 'output tokens/s'
          ? [e.metric, e.measured.toFixed(0), e.predicted.toFixed(0), pct(e.error)]
          : [e.metric, ms(e.measured), ms(e.predicted), pct(e.error)],
      ),
    ]),
  );
  console.log(`\n${fit.explains ? '' : 'WARNING: '}${fit.verdict}`);
  console.log(`(before the fit: TTFT mean ${ms(fit.before.ttftMean)}, TPOT mean ${ms(fit.before.tpotMean)})`);
  console.log('\nfitted parameters:');
  console.log(
    table([
      ['parameter', 'value'],
      ['kernel launch', `${(c.kernelLaunchSeconds * 1e6).toFixed(2)} µs`],
      ['step overhead', `${(c.stepOverheadSeconds * 1e6).toFixed(1)} µs`],
      ['per-sequence overhead', `${(c.perSequenceOverheadSeconds * 1e6).toFixed(2)} µs`],
      ['GEMM efficiency', c.gemm.map(([x, e]) => `${x}:${e.toFixed(3)}`).join(' ')],
      [
        'prefill attention eff.',
        c.prefillAttention.map(([x, e]) => `${x.toExponential(0)}:${e.toFixed(3)}`).join(' '),
      ],
      [
        'decode attention eff.',
        c.decodeAttention.map(([x, e]) => `${x.toExponential(0)}:${e.toFixed(3)}`).join(' '),
      ],
      ['elementwise eff.', c.elementwise.map(([x, e]) => `${x.toExponential(0)}:${e.toFixed(3)}`).join(' ')],
    ]),
  );
}
