import { readCalibration } from '../../engine/calibrate/load.js';
import { DEFAULT_ENGINE } from '../../engine/config/engines/index.js';
import { findModel } from '../../engine/model/catalog.js';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import { readUserPerfDb } from '../../engine/opdb/user-db.js';
import type { MethodParsedParams } from '../../engine/protocol/worker.js';
import { simulateInSlices } from '../../engine/sim/simulate-async.js';
import { ServeTuneError } from '../../engine/util/errors.js';
import { loadWorkload } from '../../engine/workload/load.js';
import { refuseWarmUpOfAll } from '../../engine/workload/warm-up.js';
import { cancelled } from '../cancel.js';
import type { Handler } from '../handlers.js';

/**
 * One simulation, run in slices (`simulateInSlices`) so the worker stays responsive: a cancel or the
 * request's timeout stops it within a slice (milliseconds), and other requests are answered meanwhile.
 */
export const simulateHandler: Handler<'simulate'> = async (params, context) => {
  checkLoop(params);
  const workload = loadWorkload(params.workload, {
    rate: params.rate,
    seed: params.seed,
    count: params.requests,
  });
  refuseWarmUpOfAll(params.warmUpRequests, workload.requests.length, 'warmUpRequests');
  context.progress(0, 1, `simulating ${workload.requests.length} requests`);
  if (context.signal.aborted) throw cancelled();
  // A model named by a path or a Hugging Face repository travels to the simulator as its spec.
  const model =
    typeof params.config.model === 'string' && !findModel(params.config.model)
      ? await resolveModelAsync(params.config.model)
      : params.config.model;
  const hardware =
    typeof params.config.hardware === 'string' ? params.config.hardware : params.config.hardware.id;
  const database =
    params.perfDb === undefined
      ? undefined
      : await readUserPerfDb({
          dir: params.perfDb,
          hardware,
          engine: params.config.engine?.id ?? DEFAULT_ENGINE,
        });
  // A saved calibration names a file: read here, so a bad one fails before the run, naming it.
  const calibration =
    params.calibration === undefined ? params.config.calibration : readCalibration(params.calibration);
  try {
    const summary = await simulateInSlices({ ...params.config, model, calibration }, workload, {
      measuredTables: database?.tables,
      closedLoop:
        params.concurrency !== undefined
          ? {
              concurrency: params.concurrency,
              thinkSeconds: params.thinkSeconds,
              ...(params.warmUpPhase ? { warmUpPhase: params.warmUpRequests } : {}),
            }
          : undefined,
      warmUpRequests: params.warmUpRequests,
      maxTokens: params.maxTokens,
      calibrationFile: params.calibration,
      signal: context.signal,
      onProgress: (arrived, total) =>
        context.progress(arrived, total, `simulating: ${arrived} of ${total} requests arrived`),
    });
    context.progress(1, 1, 'done');
    return summary;
  } catch (error) {
    if (context.signal.aborted) throw cancelled();
    throw error;
  }
};

function checkLoop(params: MethodParsedParams<'simulate'>): void {
  if (params.concurrency !== undefined && params.rate !== undefined) {
    throw new ServeTuneError(
      'a closed loop (concurrency) ignores arrival times: give concurrency or rate, not both',
      'invalid-argument',
      'concurrency',
    );
  }
  if (params.thinkSeconds !== undefined && params.concurrency === undefined) {
    throw new ServeTuneError(
      'thinkSeconds applies to a closed loop: give concurrency too',
      'invalid-argument',
      'thinkSeconds',
    );
  }
  if (params.warmUpPhase && (params.concurrency === undefined || !params.warmUpRequests)) {
    throw new ServeTuneError(
      'warmUpPhase runs the warm-up of a closed loop as a phase: give concurrency and warmUpRequests too',
      'invalid-argument',
      'warmUpPhase',
    );
  }
}
