import { LOCAL_ENGINE_PLAN, localEngineTarget, servedEngineTarget } from '../calibrate/local-engine.js';
import type { HardwareSpec } from '../hardware/spec.js';
import type { Calibration } from '../perf/calibration.js';
import type { DeviceProfile } from '../profile/schema.js';
import type { LocalEngine, StepRecord } from '../serve/local/engine.js';
import type { SimulationConfigInput } from '../sim/config.js';
import { simulate } from '../sim/simulate.js';
import { loadWorkload } from '../workload/load.js';
import type { ValidationOptions } from './options.js';

/** A device and a calibration that together give the step model's times. */
export interface StepTarget {
  hardware: HardwareSpec;
  calibration: Calibration;
}

/** The memory the local engine's simulated device is given: ample, so the KV cache is the engine's own. */
const LOCAL_DEVICE_MEMORY_BYTES = 64 * 1024 ** 3;

/**
 * What every prediction of a validation shares: the local engine's deployment (its model, scheduler
 * and limits) and the profile its step targets are fitted to. Labels and ids name the device; each
 * fit's own peaks (its kernels' time) travel with its target.
 */
export class PredictionSetup {
  /** The step target fitted to the profile alone. */
  readonly profileTarget: ReturnType<typeof localEngineTarget>;

  constructor(
    private readonly options: ValidationOptions,
    private readonly engine: LocalEngine,
    private readonly profile: DeviceProfile,
  ) {
    this.profileTarget = localEngineTarget(profile, options.model, options.dtype, LOCAL_DEVICE_MEMORY_BYTES);
  }

  /** The profiled device. */
  get hardware(): HardwareSpec {
    return this.profileTarget.hardware;
  }

  /** The step target fitted to steps the engine ran while serving (`servedEngineTarget`). */
  servedTarget(steps: readonly StepRecord[]): ReturnType<typeof servedEngineTarget> {
    const { model, dtype } = this.options;
    return servedEngineTarget(this.profile, model, dtype, LOCAL_DEVICE_MEMORY_BYTES, steps);
  }

  /** The simulation of the same model, scheduler and workload on the profiled device with `target`'s times. */
  configWith(target: StepTarget): SimulationConfigInput {
    const c = this.engine.config;
    return {
      model: this.options.model,
      hardware: target.hardware,
      calibration: target.calibration,
      seed: this.options.seed,
      deployment: {
        kind: 'colocated',
        pool: {
          plan: LOCAL_ENGINE_PLAN,
          scheduler: {
            policy: c.policy,
            maxNumSeqs: c.maxNumSeqs,
            maxNumBatchedTokens: c.maxNumBatchedTokens,
            chunkedPrefillSize: c.chunkedPrefillSize,
            blockSize: c.blockSize,
            maxModelLen: this.engine.maxModelLen,
            enablePrefixCaching: false,
            preemption: 'recompute',
          },
        },
      },
    };
  }

  /**
   * The requests per second `config` serves when flooded. A queue near saturation turns any small
   * throughput error into a large TTFT error; a moderate one is the fair test. The rate comes from a
   * prediction, never from the measured run.
   */
  capacityOf(config: SimulationConfigInput): number {
    const flood = loadWorkload(this.options.workload, {
      seed: this.options.seed,
      count: this.options.requests,
      rate: 1e6,
    });
    return simulate(config, flood).throughput.requestsPerSecond;
  }
}
