import { performance } from 'node:perf_hooks';
import { acquireGpu, type GpuContext } from '../gpu/device.js';
import { type ProfileProgress, profileDevice } from '../profile/profiler.js';
import type { DeviceProfile } from '../profile/schema.js';
import { type LocalServer, startLocalServer } from '../serve/local/start.js';
import { assembleReport } from './assemble-report.js';
import { measuredValidatedRun } from './measured-run.js';
import { requireRequests, type ValidationOptions } from './options.js';
import { predictOverSeeds } from './prediction.js';
import { PredictionSetup } from './prediction-setup.js';
import type { ValidationReport } from './report.js';
import { type ServedBlocks, serveAlternatingBlocks } from './served-blocks.js';
import { servingRuns } from './serving-runs.js';
import { fitToTwin, type TwinFit } from './twin-fit.js';
import { type ServingRate, serveWarmUp } from './warm-up.js';

export { PREDICTION_SEEDS, VALIDATION_TARGET, type ValidationOptions } from './options.js';

/**
 * Closes the loop on this machine: profiles the GPU, predicts a workload on the local reference engine
 * with the step model calibrated from that profile, serves the same workload with the engine and the
 * load generator, and reports the prediction error per metric and per step.
 */
export async function runValidation(options: ValidationOptions): Promise<ValidationReport> {
  const started = performance.now();
  const say = options.onProgress ?? (() => {});
  requireRequests(options);
  const gpu = options.gpu ?? (await acquireGpu());
  try {
    say('starting the local engine…');
    const server = await startEngine(options, gpu);
    const profile = options.profile ?? (await profileQuick(options, gpu, server, say));
    const setup = new PredictionSetup(options, server.engine, profile);
    const served = await serveRuns(options, server, setup, say);
    const headline = served.twinFit?.target ?? setup.profileTarget;
    const headlineConfig = setup.configWith(headline);
    const prediction = predictOverSeeds(options, setup, headlineConfig, {
      blocks: served.blocks.validated.length,
      blockRequests: served.blocks.blockRequests,
      rate: served.servingRate.rate,
      twinFit: served.twinFit,
    });
    const measured = measuredValidatedRun(options, server, setup, served.blocks.validated, headlineConfig, {
      rate: served.servingRate.rate,
      asServed: prediction.asServed,
    });
    return assembleReport({
      options,
      started,
      profile,
      engine: server.engine,
      setup,
      headline,
      servingRate: served.servingRate,
      blocks: served.blocks,
      servedFit: served.twinFit?.record ?? null,
      prediction,
      measured,
    });
  } finally {
    if (!options.gpu) gpu.destroy();
  }
}

/** The local engine as validated, serving over HTTP. */
function startEngine(options: ValidationOptions, gpu: GpuContext): Promise<LocalServer> {
  return startLocalServer({
    model: options.model,
    gpu,
    port: 0,
    policy: options.policy,
    maxNumSeqs: options.maxNumSeqs,
    maxNumBatchedTokens: options.maxNumBatchedTokens,
    blockSize: options.blockSize,
    dtype: options.dtype,
    maxWaiting: 1_000_000,
    seed: options.seed,
  });
}

/** A quick profile of the GPU, with the engine's own steps at its shapes. */
function profileQuick(
  options: ValidationOptions,
  gpu: GpuContext,
  server: LocalServer,
  say: (line: string) => void,
): Promise<DeviceProfile> {
  say('profiling the GPU (quick)…');
  return profileDevice({
    quick: true,
    model: options.model,
    gpu,
    signal: options.signal,
    engineSteps: {
      dtype: options.dtype,
      maxTokens: server.engine.maxStepTokens,
      maxSequences: server.engine.config.maxNumSeqs,
      blockSize: server.engine.config.blockSize,
    },
    onProgress: (p: ProfileProgress) => {
      if (p.state !== 'measuring') say(`  profile [${p.index}/${p.total}] ${p.what}: ${p.detail ?? ''}`);
    },
  });
}

/** What serving found: the rate, the blocks served and, with a warm-up, the twin's fit. */
interface ServedPhases {
  servingRate: ServingRate;
  blocks: ServedBlocks;
  twinFit: TwinFit | null;
}

/**
 * Every serving run, by one load generator process: with a warm-up, the warm-up, then the twin and
 * the validated run in alternating blocks, and the fit to the twin; without, the validated run alone.
 * The warm-up runs at the fraction of the capacity the profile predicts; the twin and the validated run
 * at that fraction of the capacity predicted after the warm-up's fit (the profile's isolated steps are
 * faster than served ones, so a rate from them alone runs the engine near saturation). The engine stops
 * at the end.
 */
async function serveRuns(
  options: ValidationOptions,
  server: LocalServer,
  setup: PredictionSetup,
  say: (line: string) => void,
): Promise<ServedPhases> {
  const runs = servingRuns({
    server,
    model: options.model,
    workload: options.workload,
    hardwareId: setup.hardware.id,
    benchCommand: options.benchCommand,
    say,
    signal: options.signal,
  });
  try {
    let servingRate: ServingRate = { capacity: null, rate: null };
    if (options.utilization !== undefined) {
      const capacity = setup.capacityOf(setup.configWith(setup.profileTarget));
      servingRate = { capacity, rate: options.utilization * capacity };
    }
    if ((options.warmUpRequests ?? 0) > 0) {
      const warmStarted = performance.now();
      servingRate = await serveWarmUp(runs, options, setup, servingRate, say);
      const blocks = await serveAlternatingBlocks(runs, options, servingRate.rate, say);
      const twinFit = fitToTwin(setup, options, blocks, servingRate.rate, warmStarted);
      return { servingRate, blocks, twinFit };
    }
    say(`serving ${options.requests} requests (${options.workload})…`);
    const validated = await runs.serve(
      { seed: options.seed, skip: 0, count: options.requests, rate: servingRate.rate },
      true,
    );
    return {
      servingRate,
      blocks: { twin: [], validated: [validated], blockRequests: options.requests },
      twinFit: null,
    };
  } finally {
    await runs.close();
    await server.stop();
  }
}
