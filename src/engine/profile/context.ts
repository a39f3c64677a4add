import type { GpuContext } from '../gpu/device.js';
import type { Dispatch } from '../gpu/pipelines.js';
import { FULL_BUDGET, KernelTimer, QUICK_BUDGET, type TimingBudget } from '../gpu/timing.js';
import type { ShaderDtype, Timing } from '../gpu/types.js';
import { BufferArena } from '../kernels/arena.js';
import { type LayerShape, layerShapeOf } from '../kernels/layer.js';
import type { ModelSpec } from '../model/spec.js';
import { ServeTuneError } from '../util/errors.js';
import type { DeviceProfile, EngineStepTable } from './schema.js';
import { Skip } from './task-runner.js';

export type ProfileTables = Pick<
  DeviceProfile,
  'gemm' | 'prefillAttention' | 'decodeAttention' | 'copy' | 'elementwise' | 'layer'
>;

export type ProfileOverheads = Pick<
  DeviceProfile,
  'dispatchOverheadSeconds' | 'submitOverheadSeconds' | 'stepDispatchSeconds' | 'stepBaseSeconds'
>;

/** Per-run wall time above which a shape is skipped rather than measured (estimated before running). */
const MAX_RUN_SECONDS = { quick: 1.5, full: 6 };

/**
 * What every measurement family shares during one profiling run: the device and its timer, the mode,
 * the measured model's shapes, the tables the tasks fill, and the rough rates measured so far, which
 * later tasks use to skip shapes that would take too long before running them.
 */
export class ProfileContext {
  readonly timer: KernelTimer;
  readonly budget: TimingBudget;
  readonly maxRunSeconds: number;
  /** The measured model's layer: the attention, elementwise and layer shapes come from it. */
  readonly layerShape: LayerShape;
  /** The dtypes the GEMMs and the layer are measured in: f32, and f16 where the device has it. */
  readonly dtypes: ShaderDtype[];
  /** The one dtype attention and the elementwise kernels are measured in: f16 where the device has it. */
  readonly attentionDtype: ShaderDtype;
  readonly tables: ProfileTables = {
    gemm: [],
    prefillAttention: [],
    decodeAttention: [],
    copy: [],
    elementwise: [],
    layer: [],
  };
  readonly overheads: ProfileOverheads = {
    dispatchOverheadSeconds: 0,
    submitOverheadSeconds: 0,
    stepDispatchSeconds: 0,
    stepBaseSeconds: 0,
  };
  engineSteps: EngineStepTable | undefined;
  /** The fastest tiled GEMM so far (FLOP/s), for the time estimates. */
  flopsRate = 1e9;
  /** The fastest copy so far (bytes/s), for the time estimates. */
  bytesRate = 1e9;

  constructor(
    readonly gpu: GpuContext,
    readonly quick: boolean,
    readonly model: ModelSpec,
    readonly signal: AbortSignal | undefined,
  ) {
    this.timer = new KernelTimer(gpu);
    this.budget = quick ? QUICK_BUDGET : FULL_BUDGET;
    this.maxRunSeconds = quick ? MAX_RUN_SECONDS.quick : MAX_RUN_SECONDS.full;
    this.layerShape = layerShapeOf(model);
    this.dtypes = gpu.hasF16 ? ['f32', 'f16'] : ['f32'];
    this.attentionDtype = gpu.hasF16 ? 'f16' : 'f32';
  }

  /** Skips the measurement when one buffer of `bytes` exceeds the device's largest storage binding. */
  requireBinding(bytes: number, what: string): void {
    const limit = this.gpu.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new Skip(`${what} needs ${bytes} bytes in one storage binding; the device allows ${limit}`);
    }
  }

  /** Skips the measurement when its estimated time per run exceeds the mode's cap. */
  requireTime(seconds: number): void {
    if (seconds > this.maxRunSeconds) {
      throw new Skip(
        `estimated ${seconds.toFixed(1)} s per run exceeds the ${this.maxRunSeconds} s cap for this mode`,
      );
    }
  }

  /** Builds the dispatches and times them, turning device errors into skips. */
  async measure(build: (arena: BufferArena) => Dispatch[]): Promise<Timing> {
    const { device } = this.gpu;
    const arena = new BufferArena(device);
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let timing: Timing | undefined;
    let thrown: unknown;
    try {
      timing = (await this.timer.measure(build(arena), this.budget, this.signal)).timing;
    } catch (error) {
      thrown = error;
    }
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    arena.destroy();
    if (thrown instanceof ServeTuneError) throw new Skip(thrown.message);
    if (thrown !== undefined) throw thrown;
    const error = validation ?? memory;
    if (error) throw new Skip(`device error: ${error.message.split('\n')[0]}`);
    return timing as Timing;
  }
}
