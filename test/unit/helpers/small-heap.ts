import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/**
 * Runs `body` (ES module code, awaiting imports of engine files by their .ts path) in a Node given an
 * old space of `heapMiB`, and returns what it printed: "ServeTuneError: …" where `body` threw one,
 * else `body`'s own output. A run that ran out of memory fails the test with V8's words.
 */
export function runInSmallHeap(heapMiB: number, body: string): string {
  const script = `
    try {
      ${body}
    } catch (error) {
      console.log(error.name + ': ' + error.message);
    }`;
  const run = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr.slice(0, 400));
  return run.stdout;
}
