import { planCapacity } from '../../engine/search/capacity.js';
import { cancelled } from '../cancel.js';
import type { Handler } from '../handlers.js';

/** Capacity planning over GPU types, its simulations on the search's worker threads; cancelling stops it between types. */
export const capacityHandler: Handler<'planCapacity'> = async (params, context) => {
  try {
    return await planCapacity(params, {
      workerFile: context.searchWorkerFile,
      signal: context.signal,
      onProgress: (done, total) => context.progress(done, total, `GPU types sized: ${done} of ${total}`),
    });
  } catch (error) {
    if (context.signal.aborted) throw cancelled();
    throw error;
  }
};
