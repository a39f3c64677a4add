import { BufferArena } from '../../kernels/arena.js';
import { copyKernel } from '../../kernels/copy.js';
import type { ProfileContext } from '../context.js';
import { measureStepDispatchSeconds } from '../step-overhead.js';
import type { Task } from '../task-runner.js';

/**
 * The fixed costs around the kernels: per dispatch in a pass, per submit, and per dispatch of a step
 * built as a serving engine builds it (with the step's own base cost). Fills the context's overheads.
 */
export function overheadTask(context: ProfileContext): Task {
  const { gpu, timer, quick, signal, overheads } = context;
  return {
    what: 'dispatch and submit overhead',
    async run() {
      const arena = new BufferArena(gpu.device);
      try {
        const tiny = copyKernel(gpu, arena, 16, arena.storage(16, 'src'), arena.storage(16, 'dst'));
        overheads.dispatchOverheadSeconds = await timer.dispatchOverhead(tiny, quick ? 5 : 15, signal);
        overheads.submitOverheadSeconds = await timer.submitOverhead(quick ? 10 : 30, signal);
        const step = await measureStepDispatchSeconds(gpu, context.model.headDim, quick ? 20 : 60, signal);
        overheads.stepDispatchSeconds = step.perDispatchSeconds;
        overheads.stepBaseSeconds = step.stepBaseSeconds;
      } finally {
        arena.destroy();
      }
      return `${(overheads.dispatchOverheadSeconds * 1e6).toFixed(1)} µs/dispatch, ${(overheads.submitOverheadSeconds * 1e6).toFixed(0)} µs/submit, ${(overheads.stepDispatchSeconds * 1e6).toFixed(1)} µs per dispatch of a built step`;
    },
  };
}
