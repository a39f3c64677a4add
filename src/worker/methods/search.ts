import { searchServing } from '../../engine/search/run.js';
import type { SearchProgress } from '../../engine/search/search.js';
import { cancelled } from '../cancel.js';
import type { Handler } from '../handlers.js';

const STAGES: Record<SearchProgress['stage'], string> = {
  coarse: 'coarse grid',
  refine: 'refining around the leaders',
  'max-rate': 'highest rate under the SLOs',
};

/**
 * The plan search, its simulations spread over worker threads (the search worker bundle beside this
 * one). Cancelling aborts the search, which terminates those threads at once.
 */
export const searchHandler: Handler<'search'> = async (params, context) => {
  try {
    return await searchServing(params, {
      workerFile: context.searchWorkerFile,
      signal: context.signal,
      onProgress: (p) => {
        context.progress(p.done, p.total, `${STAGES[p.stage]}: ${p.done} of ${p.total}`);
      },
      // The fronts so far, after the coarse grid and after each refinement round.
      onPartial: (partial) => context.partial(partial),
    });
  } catch (error) {
    if (context.signal.aborted) {
      context.log('info', 'search cancelled: its simulation threads were stopped');
      throw cancelled();
    }
    throw error;
  }
};
