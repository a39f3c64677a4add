import { BufferUsage } from './buffers.js';
import type { GpuContext } from './device.js';
import { type Dispatch, encodeDispatches } from './pipelines.js';
import type { Timing } from './types.js';

type TimingMethod = 'timestamp-query' | 'wall-clock';

/** Thrown between repetitions when the caller's AbortSignal fires. */
export class MeasurementCancelled extends Error {
  override readonly name = 'MeasurementCancelled';
  constructor() {
    super('measurement cancelled');
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MeasurementCancelled();
}

export interface TimingBudget {
  /** Seconds of measured work to aim for per measurement (after warm-up). */
  targetSeconds: number;
  minRepetitions: number;
  maxRepetitions: number;
  /**
   * Small kernels are dispatched several times per timed pass until a pass lasts about this long, so
   * the timestamps' resolution and the pass's own cost do not dominate.
   */
  minPassSeconds: number;
  maxDispatchesPerPass: number;
  warmup: number;
}

export const FULL_BUDGET: TimingBudget = {
  targetSeconds: 0.5,
  minRepetitions: 5,
  maxRepetitions: 50,
  minPassSeconds: 2e-3,
  maxDispatchesPerPass: 32,
  warmup: 2,
};

export const QUICK_BUDGET: TimingBudget = {
  targetSeconds: 0.12,
  minRepetitions: 3,
  maxRepetitions: 15,
  minPassSeconds: 1e-3,
  maxDispatchesPerPass: 16,
  warmup: 1,
};

/** Median and 10th/90th percentiles (linear interpolation) of per-invocation seconds. */
export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => {
    const position = q * (sorted.length - 1);
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  };
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), samples: sorted.length };
}

interface Measurement {
  timing: Timing;
  dispatchesPerPass: number;
}

/**
 * Times a sequence of dispatches (one "invocation"): with timestamp queries around each compute pass
 * where the device has them, else by the wall clock around submit and completion. One sample is one
 * pass's time divided by the invocations in it.
 */
export class KernelTimer {
  readonly method: TimingMethod;

  constructor(
    private readonly gpu: GpuContext,
    method?: TimingMethod,
  ) {
    this.method = method ?? (gpu.hasTimestamps ? 'timestamp-query' : 'wall-clock');
  }

  /** Fixed numbers of repetitions and invocations per pass. */
  async time(
    dispatches: readonly Dispatch[],
    repetitions: number,
    dispatchesPerPass: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    return this.method === 'timestamp-query'
      ? this.timeWithTimestamps(dispatches, repetitions, dispatchesPerPass, signal)
      : this.timeWithWallClock(dispatches, repetitions, dispatchesPerPass, signal);
  }

  /** Warm-up, a probe to size the passes, then repetitions to fill the budget. */
  async measure(
    dispatches: readonly Dispatch[],
    budget: TimingBudget,
    signal?: AbortSignal,
  ): Promise<Measurement> {
    throwIfAborted(signal);
    for (let i = 0; i < budget.warmup; i++) await this.time(dispatches, 1, 1, signal);
    const [probe] = await this.time(dispatches, 1, 1, signal);
    const once = Math.max(probe, 1e-7);
    const dispatchesPerPass = Math.max(
      1,
      Math.min(budget.maxDispatchesPerPass, Math.ceil(budget.minPassSeconds / once)),
    );
    const repetitions = Math.max(
      budget.minRepetitions,
      Math.min(budget.maxRepetitions, Math.floor(budget.targetSeconds / (once * dispatchesPerPass))),
    );
    const samples = await this.time(dispatches, repetitions, dispatchesPerPass, signal);
    return { timing: summarize(samples), dispatchesPerPass };
  }

  /**
   * Times several dispatch lists side by side: after a warm-up and a probe of each (which sizes its
   * passes as `measure` does), `rounds` rounds each time one pass of every list in turn, so that load
   * from other work on the machine falls on all of them alike. Sample r of every list comes from round
   * r, so ratios can be taken round by round.
   */
  async measureSideBySide(
    lists: readonly (readonly Dispatch[])[],
    rounds: number,
    budget: TimingBudget,
    signal?: AbortSignal,
  ): Promise<{ timing: Timing; samples: number[]; dispatchesPerPass: number }[]> {
    const perPass: number[] = [];
    for (const dispatches of lists) {
      for (let i = 0; i < budget.warmup; i++) await this.time(dispatches, 1, 1, signal);
      const [probe] = await this.time(dispatches, 1, 1, signal);
      perPass.push(
        Math.max(
          1,
          Math.min(budget.maxDispatchesPerPass, Math.ceil(budget.minPassSeconds / Math.max(probe, 1e-7))),
        ),
      );
    }
    const samples: number[][] = lists.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (const [i, dispatches] of lists.entries()) {
        samples[i].push(...(await this.time(dispatches, 1, perPass[i], signal)));
      }
    }
    return samples.map((list, i) => ({
      timing: summarize(list),
      samples: list,
      dispatchesPerPass: perPass[i],
    }));
  }

  private async timeWithTimestamps(
    dispatches: readonly Dispatch[],
    repetitions: number,
    dispatchesPerPass: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    const { device } = this.gpu;
    const count = repetitions * 2;
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolve = device.createBuffer({
      size: count * 8,
      usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC,
    });
    const readback = device.createBuffer({
      size: count * 8,
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
    try {
      for (let r = 0; r < repetitions; r++) {
        throwIfAborted(signal);
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass({
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * r, endOfPassWriteIndex: 2 * r + 1 },
        });
        for (let i = 0; i < dispatchesPerPass; i++) encodeDispatches(pass, dispatches);
        pass.end();
        device.queue.submit([encoder.finish()]);
        // Wait per repetition: queuing them all would make a cancelled run wait for every one of them.
        await device.queue.onSubmittedWorkDone();
      }
      const encoder = device.createCommandEncoder();
      encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, readback, 0, count * 8);
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(0x1);
      const stamps = new BigUint64Array(readback.getMappedRange().slice(0));
      readback.unmap();
      const samples: number[] = [];
      for (let r = 0; r < repetitions; r++) {
        const ns = Number(stamps[2 * r + 1] - stamps[2 * r]);
        samples.push(Math.max(0, ns) / 1e9 / dispatchesPerPass);
      }
      return samples;
    } finally {
      querySet.destroy();
      resolve.destroy();
      readback.destroy();
    }
  }

  private async timeWithWallClock(
    dispatches: readonly Dispatch[],
    repetitions: number,
    dispatchesPerPass: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    const { device } = this.gpu;
    const samples: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      throwIfAborted(signal);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (let i = 0; i < dispatchesPerPass; i++) encodeDispatches(pass, dispatches);
      pass.end();
      const commands = encoder.finish();
      const start = performance.now();
      device.queue.submit([commands]);
      await device.queue.onSubmittedWorkDone();
      samples.push((performance.now() - start) / 1e3 / dispatchesPerPass);
    }
    return samples;
  }

  /**
   * The cost of one more dispatch in a pass: a pass of `many` copies of a tiny dispatch against a pass
   * of one, per extra dispatch (pipeline and bind group set each time, as the layer forward does).
   */
  async dispatchOverhead(tiny: Dispatch, repetitions: number, signal?: AbortSignal): Promise<number> {
    const many = 64;
    await this.time([tiny], 2, many, signal);
    const one = summarize(await this.time([tiny], repetitions, 1, signal)).median;
    const manyTotal = summarize(await this.time([tiny], repetitions, many, signal)).median * many;
    return Math.max(0, (manyTotal - one) / (many - 1));
  }

  /** Wall-clock round trip of submitting an empty command buffer and waiting for the queue. */
  async submitOverhead(repetitions: number, signal?: AbortSignal): Promise<number> {
    const { device } = this.gpu;
    const samples: number[] = [];
    for (let r = 0; r < repetitions + 2; r++) {
      throwIfAborted(signal);
      const commands = device.createCommandEncoder().finish();
      const start = performance.now();
      device.queue.submit([commands]);
      await device.queue.onSubmittedWorkDone();
      if (r >= 2) samples.push((performance.now() - start) / 1e3);
    }
    return summarize(samples).median;
  }
}
