import type { SearchProgress } from '../engine/search/search.js';
import { simulatedSpanNote } from '../engine/search/simulation-evaluator.js';
import { ServeTuneError } from '../engine/util/errors.js';

/** What a run over the search workers takes from the command that starts it. */
export interface RunControl {
  workerFile: URL;
  signal: AbortSignal;
  onProgress: (p: SearchProgress) => void;
}

/**
 * Runs a search over the search workers the way `search` and `tune` do: first a note where --rate asks
 * for more traffic than is simulated; Ctrl-C cancels it (`<label> cancelled`, and the workers stop);
 * progress on a terminal's stderr unless --json, its line cleared once the run is done.
 */
export async function cancellable<T>(
  label: string,
  flags: { rate?: number; json?: boolean },
  run: (control: RunControl) => Promise<T>,
): Promise<T> {
  const capped = flags.rate === undefined ? undefined : simulatedSpanNote(flags.rate);
  if (capped) process.stderr.write(`servetune: note: ${capped}\n`);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new ServeTuneError(`${label} cancelled`, 'invalid-argument'));
  process.once('SIGINT', onSigint);
  const showProgress = () => !flags.json && process.stderr.isTTY;
  try {
    const result = await run({
      workerFile: new URL('./search-worker.mjs', import.meta.url),
      signal: controller.signal,
      onProgress: (p) => {
        if (showProgress()) process.stderr.write(`\r${p.stage}: ${p.done}/${p.total}   `);
      },
    });
    if (showProgress()) process.stderr.write('\r\x1b[K');
    return result;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
