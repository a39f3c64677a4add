import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MethodParsedParams, MethodResult } from '../engine/protocol/worker.js';
import { tuneBlock } from '../engine/tune/tune.js';
import { cancelled, type HandlerContext } from './handlers.js';

/** Tunes a config block with progress per search stage; cancelling the request aborts the search. */
export async function tuneBlockInWorker(
  params: MethodParsedParams<'tuneBlock'>,
  context: HandlerContext<'tuneBlock'>,
): Promise<MethodResult<'tuneBlock'>> {
  // The search's thread pool runs dist/search-worker.mjs beside this bundle (absent: one thread).
  const workerFile = new URL('./search-worker.mjs', import.meta.url);
  const threaded = workerFile.protocol === 'file:' && existsSync(fileURLToPath(workerFile));
  try {
    return await tuneBlock(params, {
      workerFile: threaded ? workerFile : undefined,
      signal: context.signal,
      onProgress: (p) => context.progress(p.done, p.total, `${p.stage}: ${p.done}/${p.total}`),
    });
  } catch (error) {
    if (context.signal.aborted) throw cancelled();
    throw error;
  }
}
